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

variable "layer_arns" {
  description = "Layers of the function (the shared dependency layer)."
  type        = list(string)
}

variable "runtime" {
  description = "Lambda runtime, e.g. python3.12."
  type        = string
}

variable "architecture" {
  description = "x86_64 or arm64."
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

variable "vpc_config" {
  description = "Subnets and security groups when the function runs in a VPC; null outside one."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null
}

variable "log_retention_days" {
  description = "How long CloudWatch keeps the function's logs."
  type        = number
}
