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
          "arn:${data.aws_partition.current.partition}:bedrock:${var.aws_region}:${data.aws_caller_identity.current.account_id}:inference-profile/${profile}"
        ])
      }],
      length(function.secrets) == 0 && !function.llm_api_key && length(local.tracing_secret_arns) == 0 ? [] : [{
        sid     = "ReadSecrets"
        actions = ["secretsmanager:GetSecretValue"]
        resources = concat(
          [for secret in function.secrets : aws_secretsmanager_secret.agent[secret].arn],
          function.llm_api_key ? local.llm_api_key_arns : [],
          local.tracing_secret_arns,
        )
      }],
    )
  }

  # Environment of each function: the shared settings, its declared variables, and the ARNs
  # (never the values) of its secrets, which the runtime reads from Secrets Manager.
  environments = {
    for name, function in local.functions : name => merge(
      local.runtime_environment,
      { for variable in function.environment : variable => lookup(var.agent_environment, variable, "") },
      { for secret in function.secrets : "${secret}_SECRET" => aws_secretsmanager_secret.agent[secret].arn },
      function.llm_api_key ? { LLM_API_KEY_SECRET = one(local.llm_api_key_arns) } : {},
      function.storage == "none" ? {} : { DATA_BUCKET = one(aws_s3_bucket.data[*].id) },
    )
  }

  code_zips = { for name in keys(local.functions) : name => "${var.artifacts_dir}/functions/${name}.zip" }

  # What every function shares, the API's included (modules/function).
  function_platform = {
    runtime            = var.lambda_runtime
    architecture       = var.lambda_architecture
    layer_arns         = [aws_lambda_layer_version.dependencies.arn]
    vpc_config         = module.store.vpc_config
    log_retention_days = var.log_retention_days
  }
}

module "workers" {
  source   = "./modules/function"
  for_each = var.workers

  name              = "${local.name}-${each.key}"
  handler           = each.value.handler
  code_zip          = local.code_zips[each.key]
  memory            = each.value.memory
  timeout           = each.value.timeout
  environment       = local.environments[each.key]
  policy_statements = local.permissions[each.key]
  platform          = local.function_platform
}

module "orchestrator" {
  source = "./modules/orchestrator"

  name_prefix = local.name
  function    = var.orchestrator
  code_zip    = local.code_zips[var.orchestrator.name]
  environment = merge(local.environments[var.orchestrator.name], {
    WORKER_FUNCTIONS = jsonencode({ for name in var.orchestrator.invokes : name => module.workers[name].function_name })
  })
  policy_statements    = local.permissions[var.orchestrator.name]
  worker_function_arns = [for name in var.orchestrator.invokes : module.workers[name].function_arn]
  platform             = local.function_platform
  max_receive_count    = var.max_receive_count
  max_concurrency      = var.orchestrator_max_concurrency
}
