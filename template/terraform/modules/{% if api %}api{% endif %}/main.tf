# The HTTP API: API Gateway verifies the caller's JWT, then a Lambda function serves the
# routes. The function may create and read jobs and queue them, nothing more.

locals {
  name = "${var.name_prefix}-api"

  # Route => whether it needs a valid token. Everything else is a 404 from API Gateway.
  # The web console's page and assets hold no data: they load without a token, and the
  # console then calls the /jobs routes with the token it signed in for.
  routes = {
    "POST /jobs"            = true
    "GET /jobs"             = true
    "GET /jobs/{job_id}"    = true
    "GET /health"           = false
    "GET /openapi.json"     = false
    "GET /"                 = false
    "GET /console/{proxy+}" = false
  }

  vpc_access_policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/${local.name}"
  retention_in_days = var.platform.log_retention_days
}

module "function" {
  source = "../function"

  name     = local.name
  handler  = var.handler
  code_zip = var.code_zip
  memory   = var.memory
  timeout  = var.timeout
  environment = merge(var.environment, {
    JOB_QUEUE_URL = var.queue_url
    # The web console signs in with these (the authorizer above checks the tokens).
    JWT_ISSUER    = var.jwt_issuer
    JWT_AUDIENCE  = var.jwt_audience
    JWT_CLIENT_ID = var.jwt_client_id
  })
  platform = var.platform
  policy_statements = concat(
    [{
      sid       = "QueueJobs"
      actions   = ["sqs:SendMessage"]
      resources = [var.queue_arn]
    }],
    var.store_policy_statements,
  )
  managed_policy_arns = var.platform.vpc_config == null ? [] : [local.vpc_access_policy_arn]
}

resource "aws_apigatewayv2_api" "this" {
  name          = local.name
  protocol_type = "HTTP"

  dynamic "cors_configuration" {
    for_each = length(var.cors_allow_origins) == 0 ? [] : [var.cors_allow_origins]
    content {
      allow_origins = cors_configuration.value
      allow_methods = ["GET", "POST"]
      allow_headers = ["authorization", "content-type"]
      max_age       = 3600
    }
  }
}

resource "aws_apigatewayv2_authorizer" "jwt" {
  api_id           = aws_apigatewayv2_api.this.id
  name             = "jwt"
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]

  jwt_configuration {
    issuer   = var.jwt_issuer
    audience = [var.jwt_audience]
  }
}

resource "aws_apigatewayv2_integration" "function" {
  api_id                 = aws_apigatewayv2_api.this.id
  integration_type       = "AWS_PROXY"
  integration_uri        = module.function.invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "this" {
  for_each = local.routes

  api_id             = aws_apigatewayv2_api.this.id
  route_key          = each.key
  target             = "integrations/${aws_apigatewayv2_integration.function.id}"
  authorization_type = each.value ? "JWT" : "NONE"
  authorizer_id      = each.value ? aws_apigatewayv2_authorizer.jwt.id : null
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit  = var.throttling_rate_limit
    throttling_burst_limit = var.throttling_burst_limit
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId = "$context.requestId"
      time      = "$context.requestTime"
      route     = "$context.routeKey"
      status    = "$context.status"
      latencyMs = "$context.responseLatency"
      sourceIp  = "$context.identity.sourceIp"
      user      = "$context.authorizer.claims.sub"
      error     = "$context.authorizer.error"
    })
  }
}

resource "aws_lambda_permission" "api" {
  statement_id  = "InvokeFromApi"
  action        = "lambda:InvokeFunction"
  function_name = module.function.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this.execution_arn}/*/*"
}
