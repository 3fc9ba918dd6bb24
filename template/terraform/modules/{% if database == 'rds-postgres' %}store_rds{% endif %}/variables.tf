variable "name_prefix" {
  description = "Project slug and stage: the start of every name."
  type        = string
}

variable "deletion_protection" {
  description = "Refuse to delete the instance (a destroy fails while this is on)."
  type        = bool
}

variable "final_snapshot" {
  description = "Take a final snapshot, <name_prefix>-jobs-final, when the instance is deleted."
  type        = bool
}

variable "vpc_cidr" {
  description = "Address range of the VPC."
  type        = string
  default     = "10.40.0.0/16"
}

variable "database_name" {
  description = "Database that holds the jobs tables."
  type        = string
  default     = "jobs"
}

variable "engine_version" {
  description = "PostgreSQL major version."
  type        = string
  default     = "16"
}

variable "instance_class" {
  description = "Instance class of the database."
  type        = string
  default     = "db.t4g.micro"
}

variable "allocated_storage" {
  description = "Storage in GB."
  type        = number
  default     = 20
}

variable "multi_az" {
  description = "Keep a standby in a second availability zone."
  type        = bool
  default     = false
}
