output "environment" {
  description = "What the runtime needs to open the store."
  value = {
    JOB_STORE  = "dynamodb"
    JOBS_TABLE = aws_dynamodb_table.jobs.name
  }
}

output "policy_statements" {
  description = "IAM statements by declared database access."
  value = {
    none         = [local.job_records]
    read         = [local.job_records, local.read]
    "read-write" = [local.job_records, local.read, local.write]
  }
}

output "job_update_statements" {
  description = "IAM statements of a function that only reads and updates job items (the dead-letter consumer)."
  value = [{
    sid       = "UpdateJobs"
    actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.jobs.arn]
  }]
}

output "vpc_config" {
  description = "The table is reached through its public endpoint: functions stay outside any VPC."
  value       = null
}
