data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  name = "${var.project_slug}-${var.stage}"

  # Every function, the orchestrator included, by its name in agents.yaml.
  functions = merge(var.workers, { (var.orchestrator.name) = var.orchestrator })

  # Settings every function reads (runtime/settings.py).
  runtime_environment = merge(module.store.environment, local.tracing_environment, {
    LLM_PROVIDER       = var.llm.provider
    LLM_MODEL          = var.llm.model
    LLM_FALLBACK_MODEL = var.llm.fallback_model
    LLM_REGION         = var.llm.region
    JOB_QUEUE_URL      = module.orchestrator.queue_url
  })

  # What each function may do, from what agents.yaml declares for it.
  permissions = {
    for name, function in local.functions : name => concat(
      module.store.policy_statements[function.database],
      function.storage == "none" ? [] : [{
        sid       = "UseDataBucket"
        actions   = local.storage_actions[function.storage]
        resources = local.data_bucket_resources
      }],
      function.queue == "none" ? [] : [{
        sid       = "SubmitJobs"
        actions   = ["sqs:SendMessage"]
        resources = [module.orchestrator.queue_arn]
      }],
      length(function.bedrock.foundation_models) == 0 ? [] : [{
        sid     = "InvokeModels"
        actions = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
        resources = concat(function.bedrock.foundation_models, [
          for profile in function.bedrock.inference_profiles :
          "arn:${data.aws_partition.current.partition}:bedrock:${var.llm.region}:${data.aws_caller_identity.current.account_id}:inference-profile/${profile}"
        ])
      }],
      length(function.secrets) + length(function.external_apis) == 0 && !function.llm_api_key && length(local.tracing_secret_arns) == 0 ? [] : [{
        sid     = "ReadSecrets"
        actions = ["secretsmanager:GetSecretValue"]
        resources = concat(
          [for secret in function.secrets : aws_secretsmanager_secret.agent[secret].arn],
          [for api in function.external_apis : aws_secretsmanager_secret.external_api[api].arn],
          function.llm_api_key ? local.llm_api_key_arns : [],
          local.tracing_secret_arns,
        )
      }],
    )
  }

  # Environment of each function: the shared settings, its declared variables, the data bucket
  # and external APIs it declares, and the ARNs (never the values) of its secrets, which the
  # runtime reads from Secrets Manager.
  environments = {
    for name, function in local.functions : name => merge(
      local.runtime_environment,
      { for variable in function.environment : variable => lookup(var.agent_environment, variable, "") },
      { for secret in function.secrets : "${secret}_SECRET" => aws_secretsmanager_secret.agent[secret].arn },
      function.llm_api_key ? { LLM_API_KEY_SECRET = one(local.llm_api_key_arns) } : {},
      function.storage == "none" ? {} : { DATA_BUCKET = one(aws_s3_bucket.data[*].id) },
      merge([for api in function.external_apis : {
        "${local.external_api_variables[api]}_URL"        = lookup(var.external_api_urls, api, "")
        "${local.external_api_variables[api]}_KEY_SECRET" = aws_secretsmanager_secret.external_api[api].arn
      }]...),
    )
  }

  # EXTERNAL_API_<NAME>: the start of an external API's settings (config.EXTERNAL_APIS).
  external_api_variables = {
    for api in keys(aws_secretsmanager_secret.external_api) : api => "EXTERNAL_API_${upper(replace(api, "-", "_"))}"
  }

  # What every function shares, the API's included (modules/function); each function's
  # layers are added to it in artifacts.tf.
  function_platform = {
    runtime            = var.lambda_runtime
    architecture       = var.lambda_architecture
    vpc_config         = module.store.vpc_config
    log_retention_days = var.log_retention_days
  }
}

module "workers" {
  source   = "./modules/function"
  for_each = var.workers

  name              = "${local.name}-${each.key}"
  handler           = each.value.handler
  code_zip          = local.artifacts[each.key].code_zip
  memory            = each.value.memory
  timeout           = each.value.timeout
  environment       = local.environments[each.key]
  policy_statements = local.permissions[each.key]
  platform          = local.artifacts[each.key].platform
}

module "orchestrator" {
  source = "./modules/orchestrator"

  name_prefix = local.name
  function    = var.orchestrator
  code_zip    = local.artifacts[var.orchestrator.name].code_zip
  environment = merge(local.environments[var.orchestrator.name], {
    WORKER_FUNCTIONS = jsonencode({ for name in var.orchestrator.invokes : name => module.workers[name].function_name })
  })
  policy_statements    = local.permissions[var.orchestrator.name]
  worker_function_arns = [for name in var.orchestrator.invokes : module.workers[name].function_arn]
  platform             = local.artifacts[var.orchestrator.name].platform
  max_receive_count    = var.max_receive_count
  max_concurrency      = var.orchestrator_max_concurrency

  # The package is the handler path's first part, as scripts/package.py reads it.
  dead_letter_handler          = "${split(".", var.orchestrator.handler)[0]}.orchestrator.dead_letters.handler"
  dead_letter_environment      = module.store.environment
  dead_letter_store_statements = module.store.job_update_statements
}
