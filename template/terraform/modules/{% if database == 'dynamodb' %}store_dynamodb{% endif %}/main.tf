# The job store: one table. A job is the item (pk = JOB#<id>, sk = JOB); each agent's result
# is its own item (pk = JOB#<id>, sk = RESULT#<agent>), so parallel workers never overwrite
# each other. Only job items carry user_id, so the by_user index lists a user's jobs.

resource "aws_dynamodb_table" "jobs" {
  name                        = "${var.name_prefix}-jobs"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  attribute {
    name = "user_id"
    type = "S"
  }

  attribute {
    name = "created_at"
    type = "S"
  }

  global_secondary_index {
    name            = "by_user"
    hash_key        = "user_id"
    range_key       = "created_at"
    projection_type = "ALL"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}

locals {
  table_resources = [aws_dynamodb_table.jobs.arn, "${aws_dynamodb_table.jobs.arn}/index/*"]

  # Every function reads its job and the results so far, and writes its own result: a
  # transaction that checks the job item (the run's claim still holds it) and puts the result.
  job_records = {
    sid = "JobRecords"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:Query",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:ConditionCheckItem",
    ]
    resources = local.table_resources
  }
  read = {
    sid       = "ReadStore"
    actions   = ["dynamodb:BatchGetItem", "dynamodb:DescribeTable"]
    resources = local.table_resources
  }
  write = {
    sid       = "WriteStore"
    actions   = ["dynamodb:DeleteItem", "dynamodb:BatchWriteItem"]
    resources = [aws_dynamodb_table.jobs.arn]
  }
}
