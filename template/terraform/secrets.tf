# Secrets hold no value in Terraform (so none lands in the state): set each one after the
# first deploy, as docs/deploy.md shows. Functions get the ARNs of their own secrets only.
# With data_protection, a destroyed secret can be restored for 7 days (and its name stays
# taken until then); without it, it is deleted at once.

locals {
  secret_recovery_window_days = var.data_protection ? 7 : 0
}

resource "aws_secretsmanager_secret" "agent" {
  for_each = toset(flatten([for function in values(local.functions) : function.secrets]))

  name                    = "${local.name}/${each.key}"
  description             = "${each.key} for the agents that declare it in agents.yaml"
  recovery_window_in_days = local.secret_recovery_window_days
}

resource "aws_secretsmanager_secret" "llm_api_key" {
  count = anytrue([for function in values(local.functions) : function.llm_api_key]) ? 1 : 0

  name                    = "${local.name}/llm-api-key"
  description             = "API key of the ${var.llm.provider} models"
  recovery_window_in_days = local.secret_recovery_window_days
}

# One key per API of dependencies.external_apis, readable only by the agents that declare it.
resource "aws_secretsmanager_secret" "external_api" {
  for_each = toset(flatten([for function in values(local.functions) : function.external_apis]))

  name                    = "${local.name}/external-api/${each.key}"
  description             = "Key of the ${each.key} API for the agents that declare it in agents.yaml"
  recovery_window_in_days = local.secret_recovery_window_days
}

locals {
  llm_api_key_arns = aws_secretsmanager_secret.llm_api_key[*].arn
}
