output "environment" {
  description = "What the runtime needs to open the store."
  value = {
    JOB_STORE      = "aurora-serverless-v2"
    DB_CLUSTER_ARN = aws_rds_cluster.jobs.arn
    DB_SECRET_ARN  = aws_rds_cluster.jobs.master_user_secret[0].secret_arn
    DB_NAME        = aws_rds_cluster.jobs.database_name
  }
}

output "policy_statements" {
  description = "IAM statements by declared database access."
  value = {
    none         = local.data_api
    read         = local.data_api
    "read-write" = local.data_api
  }
}

output "job_update_statements" {
  description = "IAM statements of a function that only reads and updates job items (the dead-letter consumer)."
  value       = local.data_api
}

output "vpc_config" {
  description = "The Data API is an HTTPS endpoint: functions stay outside any VPC."
  value       = null
}
