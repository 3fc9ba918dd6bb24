variable "name_prefix" {
  description = "Project slug and stage: the start of every name (the function is <prefix>-api)."
  type        = string
}

variable "handler" {
  description = "Handler of the API function, e.g. my_app.api.handler.handler."
  type        = string
}

variable "code_zip" {
  description = "Path of the API function's code zip."
  type        = string
}

variable "memory" {
  description = "Memory of the API function in MB."
  type        = number
  default     = 512
}

variable "timeout" {
  description = "Timeout of the API function in seconds (API Gateway waits 30 s at most)."
  type        = number
  default     = 29

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 29
    error_message = "timeout must be 1 to 29 seconds: API Gateway ends the request at 30 s."
  }
}

variable "environment" {
  description = "Environment of the function: how to open the store (never secret values)."
  type        = map(string)
}

variable "store_policy_statements" {
  description = "IAM statements that let the function create and read jobs in the store."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
  }))
}

variable "queue_url" {
  description = "The job queue: POST /jobs sends each new job's id there."
  type        = string
}

variable "queue_arn" {
  description = "ARN of the job queue: the only queue the function may send to."
  type        = string
}

variable "jwt_issuer" {
  description = "Issuer URL of the identity provider whose tokens the API accepts."
  type        = string
}

variable "jwt_audience" {
  description = "Audience the tokens must name (their aud, or client_id for Cognito access tokens)."
  type        = string
}

variable "jwt_client_id" {
  description = "OAuth client id of the web console (authorization code with PKCE); empty for none."
  type        = string
}

variable "cors_allow_origins" {
  description = "Web origins allowed to call the API from a browser; none when empty."
  type        = list(string)
  default     = []
}

variable "throttling_rate_limit" {
  description = "Steady requests per second the API accepts across all callers."
  type        = number
  default     = 50
}

variable "throttling_burst_limit" {
  description = "Requests the API accepts in a burst across all callers."
  type        = number
  default     = 100
}

variable "platform" {
  description = "Where the function runs, its layers included (the `platform` variable of modules/function); the API's access logs are kept as long as the function's."
  type        = any
}
