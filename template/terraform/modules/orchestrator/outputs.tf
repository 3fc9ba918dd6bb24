output "queue_url" {
  value = aws_sqs_queue.jobs.url
}

output "queue_arn" {
  value = aws_sqs_queue.jobs.arn
}

output "dead_letter_queue_url" {
  value = aws_sqs_queue.dead_letters.url
}

output "function_name" {
  value = module.function.function_name
}

output "role_name" {
  value = module.function.role_name
}

output "dead_letter_function_name" {
  value = module.dead_letters.function_name
}

output "dead_letter_role_name" {
  value = module.dead_letters.role_name
}
