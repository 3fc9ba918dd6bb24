output "url" {
  description = "Base URL of the API (POST /jobs, GET /jobs/{job_id}, GET /jobs)."
  value       = aws_apigatewayv2_stage.default.invoke_url
}

output "api_id" {
  description = "ID of the HTTP API."
  value       = aws_apigatewayv2_api.this.id
}

output "function_name" {
  description = "The API's Lambda function."
  value       = module.function.function_name
}

output "role_name" {
  description = "IAM role of the API's function."
  value       = module.function.role_name
}
