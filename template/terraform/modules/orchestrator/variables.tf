variable "name_prefix" {
  description = "Project slug and stage: the start of every name."
  type        = string
}

variable "function" {
  description = "The orchestrator function: its name in agents.yaml, handler, timeout and memory."
  type = object({
    name    = string
    handler = string
    timeout = number
    memory  = number
  })
}

variable "code_zip" {
  description = "Path of the orchestrator's code zip."
  type        = string
}

variable "environment" {
  description = "Environment variables of the orchestrator (never secret values)."
  type        = map(string)
}

variable "policy_statements" {
  description = "What the orchestrator may do beyond consuming the queue and invoking its workers."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
  }))
}

variable "worker_function_arns" {
  description = "The workers its plan can call: the only functions it may invoke."
  type        = list(string)
}

variable "platform" {
  description = "Where the function runs, its layers included (the `platform` variable of modules/function)."
  type        = any
}

variable "max_receive_count" {
  description = "Deliveries of a job message before it moves to the dead-letter queue."
  type        = number
}

variable "max_concurrency" {
  description = "Most orchestrator invocations the queue may run at once (2 to 1000)."
  type        = number
}

variable "dead_letter_handler" {
  description = "Python path of the dead-letter consumer's handler (in the orchestrator's code zip)."
  type        = string
}

variable "dead_letter_environment" {
  description = "Environment of the dead-letter consumer: how to reach the job store."
  type        = map(string)
}

variable "dead_letter_store_statements" {
  description = "What the dead-letter consumer may do in the job store: read and update jobs."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
  }))
}
