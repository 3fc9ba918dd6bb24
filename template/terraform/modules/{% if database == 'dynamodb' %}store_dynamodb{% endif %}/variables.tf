variable "name_prefix" {
  description = "Project slug and stage: the start of every name."
  type        = string
}

variable "deletion_protection" {
  description = "Protect the table from deletion."
  type        = bool
}
