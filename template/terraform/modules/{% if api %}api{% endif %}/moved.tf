# The function, its role and its log group moved into modules/function: a stage deployed
# before keeps them instead of replacing them.

moved {
  from = aws_cloudwatch_log_group.function
  to   = module.function.aws_cloudwatch_log_group.this
}

moved {
  from = aws_iam_role.this
  to   = module.function.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.this
  to   = module.function.aws_iam_role_policy.this
}

moved {
  from = aws_iam_role_policy_attachment.vpc_access[0]
  to   = module.function.aws_iam_role_policy_attachment.managed["arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"]
}

moved {
  from = aws_lambda_function.this
  to   = module.function.aws_lambda_function.this
}
