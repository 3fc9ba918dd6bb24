output "environment" {
  description = "What the runtime needs to open the store."
  value = {
    JOB_STORE     = "rds-postgres"
    DB_HOST       = aws_db_instance.jobs.address
    DB_PORT       = tostring(aws_db_instance.jobs.port)
    DB_NAME       = aws_db_instance.jobs.db_name
    DB_SECRET_ARN = local.database_secret_arn
  }
}

output "policy_statements" {
  description = "IAM statements by declared database access."
  value = {
    none         = local.database_access
    read         = local.database_access
    "read-write" = local.database_access
  }
}

output "job_update_statements" {
  description = "IAM statements of a function that only reads and updates job items (the dead-letter consumer)."
  value       = local.database_access
}

output "vpc_config" {
  description = "Where the functions run: private subnets, with the functions' security group."
  value = {
    subnet_ids         = aws_subnet.private[*].id
    security_group_ids = [aws_security_group.functions.id]
  }
}
