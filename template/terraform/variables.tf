variable "stage" {
  description = "Deployment stage (dev, staging, prod...): part of every resource name."
  type        = string
  default     = "dev"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{0,7}$", var.stage))
    error_message = "stage must be 1 to 8 lowercase letters or digits, starting with a letter (function names must fit 64 characters)."
  }
}

variable "artifacts_dir" {
  description = "Where `make package` wrote manifest.json, the layers and the functions' zips, relative to this folder."
  type        = string
  default     = "../build/lambda"
}

variable "log_retention_days" {
  description = "How long CloudWatch keeps the functions' logs."
  type        = number
  default     = 30
}

variable "max_receive_count" {
  description = "Deliveries of a job message before it moves to the dead-letter queue."
  type        = number
  default     = 5
}

variable "orchestrator_max_concurrency" {
  description = "Most orchestrator invocations the job queue may run at once (2 to 1000)."
  type        = number
  default     = 10
}

variable "agent_environment" {
  description = "Values of the non-secret environment variables that agents.yaml declares, by name."
  type        = map(string)
  default     = {}
}

variable "external_api_urls" {
  description = "Base URL of each API of dependencies.external_apis in agents.yaml, by name."
  type        = map(string)
  default     = {}
}

variable "data_protection" {
  description = <<-EOT
    Protect this stage's data: deletion protection on the job store, a final snapshot of an
    Aurora or RDS store when it is destroyed, and a 7-day recovery window for deleted secrets.
    Opt out (false) only for a throwaway stage: docs/deploy.md says what destroy does.
  EOT
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = <<-EOT
    Deletion protection of the job store; null follows data_protection. Apply once with false
    before destroying a protected stage: its final snapshot is still taken.
  EOT
  type        = bool
  default     = null
}

variable "aws_endpoint" {
  description = "Endpoint of a local AWS emulator for every service; null deploys to AWS."
  type        = string
  default     = null
}

# Written by the template from the answers and agents.yaml (agents.auto.tfvars.json).

variable "project_slug" {
  description = "Project slug: the first part of every resource name."
  type        = string
}

variable "aws_region" {
  description = "Region of every resource."
  type        = string
}

variable "lambda_runtime" {
  description = "Lambda runtime of every function, e.g. python3.12."
  type        = string
}

variable "lambda_architecture" {
  description = "Lambda architecture of every function and of the dependency layers."
  type        = string
}

variable "llm" {
  description = "Model provider, default model, fallback model and the region of Bedrock calls."
  type = object({
    provider       = string
    model          = string
    fallback_model = string
    region         = string
  })
}

variable "workers" {
  description = "The worker agents and what each one may access."
  type = map(object({
    handler       = string
    timeout       = number
    memory        = number
    database      = string
    storage       = string
    queue         = string
    secrets       = list(string)
    environment   = list(string)
    external_apis = list(string)
    bedrock = object({
      inference_profiles = list(string)
      foundation_models  = list(string)
    })
    llm_api_key = bool
  }))
}

variable "orchestrator" {
  description = "The orchestrator agent, the workers its plan may invoke, and what it may access."
  type = object({
    name          = string
    invokes       = list(string)
    handler       = string
    timeout       = number
    memory        = number
    database      = string
    storage       = string
    queue         = string
    secrets       = list(string)
    environment   = list(string)
    external_apis = list(string)
    bedrock = object({
      inference_profiles = list(string)
      foundation_models  = list(string)
    })
    llm_api_key = bool
  })
}
