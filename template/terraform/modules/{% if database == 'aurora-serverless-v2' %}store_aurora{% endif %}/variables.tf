variable "name_prefix" {
  description = "Project slug and stage: the start of every name."
  type        = string
}

variable "deletion_protection" {
  description = "Refuse to delete the cluster (a destroy fails while this is on)."
  type        = bool
}

variable "final_snapshot" {
  description = "Take a final snapshot, <name_prefix>-jobs-final, when the cluster is deleted."
  type        = bool
}

variable "database_name" {
  description = "Database that holds the jobs tables."
  type        = string
  default     = "jobs"
}

variable "engine_version" {
  description = "Aurora PostgreSQL version (the Data API needs 13.11, 14.8, 15.3 or later)."
  type        = string
  default     = "16.6"
}

variable "min_capacity" {
  description = "Smallest size in Aurora capacity units (0 pauses the cluster when idle)."
  type        = number
  default     = 0.5
}

variable "max_capacity" {
  description = "Largest size in Aurora capacity units."
  type        = number
  default     = 4
}
