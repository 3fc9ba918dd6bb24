# The job queue, its dead-letter queue, the orchestrator function that consumes the queue, and
# the dead-letter consumer that marks failed the job of every message no delivery could run.

resource "aws_sqs_queue" "dead_letters" {
  name                      = "${var.name_prefix}-jobs-dead-letters"
  message_retention_seconds = 1209600 # 14 days, the most SQS keeps a message
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue" "jobs" {
  name = "${var.name_prefix}-jobs"
  # AWS recommends at least six times the consumer's timeout, so that a message is not
  # delivered again while a throttled or retried invocation still works on it.
  visibility_timeout_seconds = 6 * var.function.timeout
  message_retention_seconds  = 345600 # 4 days
  sqs_managed_sse_enabled    = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letters.arn
    maxReceiveCount     = var.max_receive_count
  })
}

module "function" {
  source = "../function"

  name        = "${var.name_prefix}-${var.function.name}"
  handler     = var.function.handler
  code_zip    = var.code_zip
  memory      = var.function.memory
  timeout     = var.function.timeout
  environment = var.environment
  platform    = var.platform
  policy_statements = concat(
    var.policy_statements,
    [{
      sid = "ConsumeJobs"
      actions = [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
        # A job handed over to a fresh invocation (time running short) goes back on the queue.
        "sqs:SendMessage",
      ]
      resources = [aws_sqs_queue.jobs.arn]
    }],
    length(var.worker_function_arns) == 0 ? [] : [{
      sid       = "InvokeWorkers"
      actions   = ["lambda:InvokeFunction"]
      resources = var.worker_function_arns
    }],
  )
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn        = aws_sqs_queue.jobs.arn
  function_name           = module.function.function_arn
  batch_size              = 1
  function_response_types = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.max_concurrency
  }
}

# Same code as the orchestrator, another handler; its role may only consume the dead-letter
# queue and read and update job items.
module "dead_letters" {
  source = "../function"

  name        = "${var.name_prefix}-dead-letters"
  handler     = var.dead_letter_handler
  code_zip    = var.code_zip
  memory      = 256
  timeout     = 60
  environment = var.dead_letter_environment
  platform    = var.platform
  policy_statements = concat(var.dead_letter_store_statements, [{
    sid = "ConsumeDeadLetters"
    actions = [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes",
    ]
    resources = [aws_sqs_queue.dead_letters.arn]
  }])
}

resource "aws_lambda_event_source_mapping" "dead_letters" {
  event_source_arn        = aws_sqs_queue.dead_letters.arn
  function_name           = module.dead_letters.function_arn
  batch_size              = 10
  function_response_types = ["ReportBatchItemFailures"]
}
