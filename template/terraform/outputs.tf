output "job_queue_url" {
  description = "Queue that starts jobs."
  value       = module.orchestrator.queue_url
}

output "dead_letter_queue_url" {
  description = "Job messages that failed max_receive_count times."
  value       = module.orchestrator.dead_letter_queue_url
}

output "dead_letter_consumer" {
  description = "Function (and its role) that marks failed the job of each dead letter."
  value = {
    function_name = module.orchestrator.dead_letter_function_name
    role_name     = module.orchestrator.dead_letter_role_name
  }
}

output "client_environment" {
  description = "Environment of `make submit` and `make status`: how to reach this stage's store and queue."
  value = merge(module.store.environment, {
    AWS_REGION    = var.aws_region
    JOB_QUEUE_URL = module.orchestrator.queue_url
  })
}

output "function_names" {
  description = "Lambda function of each agent."
  value = merge(
    { for name, worker in module.workers : name => worker.function_name },
    { (var.orchestrator.name) = module.orchestrator.function_name },
  )
}

output "role_names" {
  description = "IAM role of each agent's function."
  value = merge(
    { for name, worker in module.workers : name => worker.role_name },
    { (var.orchestrator.name) = module.orchestrator.role_name },
  )
}

output "secret_arns" {
  description = "Secrets to set after the first deploy (docs/deploy.md)."
  value = merge(
    { for name, secret in aws_secretsmanager_secret.agent : name => secret.arn },
    { for secret in aws_secretsmanager_secret.llm_api_key : "llm-api-key" => secret.arn },
    { for name, secret in aws_secretsmanager_secret.external_api : "external-api/${name}" => secret.arn },
  )
}

output "data_bucket" {
  description = "Bucket of the agents that declare storage (null when none does)."
  value       = one(aws_s3_bucket.data[*].id)
}
