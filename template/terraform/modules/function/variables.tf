variable "name" {
  description = "Function name; also the name of its role and log group."
  type        = string

  validation {
    condition     = length(var.name) <= 64
    error_message = "Lambda function names are at most 64 characters: use a shorter project slug or stage."
  }
}

variable "handler" {
  description = "Python path of the handler, module.function."
  type        = string
}

variable "code_zip" {
  description = "Path of the function's code zip."
  type        = string
}

variable "memory" {
  description = "Memory in MB."
  type        = number
}

variable "timeout" {
  description = "Timeout in seconds."
  type        = number
}

variable "environment" {
  description = "Environment variables (never secret values: pass secret ARNs)."
  type        = map(string)
}

variable "policy_statements" {
  description = "What the function may do beyond writing its logs and traces."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
  }))
}

variable "managed_policy_arns" {
  description = "AWS managed policies attached to the function's role besides its own policy."
  type        = list(string)
  default     = []
}

variable "platform" {
  description = <<-EOT
    Where the function runs: Lambda runtime (e.g. python3.12), architecture (x86_64 or
    arm64), layers (the dependency layers of its role), subnets and security groups when the
    functions run in a VPC (null outside one), and how long CloudWatch keeps their logs.
  EOT
  type = object({
    runtime            = string
    architecture       = string
    layer_arns         = list(string)
    log_retention_days = number
    vpc_config = object({
      subnet_ids         = list(string)
      security_group_ids = list(string)
    })
  })
}
