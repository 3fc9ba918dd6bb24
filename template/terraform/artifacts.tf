# What `make package` built, as its manifest lists it (build/lambda/manifest.json): the
# dependency layers, uploaded through the artifact bucket (at tens of MB they are too large
# for a direct upload), and each function's code zip (small: it goes directly to Lambda) and
# layers.

locals {
  manifest = jsondecode(file("${var.artifacts_dir}/manifest.json"))

  # Each function's code zip, and what it shares with every function plus its own layers.
  artifacts = {
    for name, function in local.manifest.functions : name => {
      code_zip = "${var.artifacts_dir}/${function.zip}"
      platform = merge(local.function_platform, {
        layer_arns = [for layer in function.layers : aws_lambda_layer_version.this[layer].arn]
      })
    }
  }
}

resource "aws_s3_bucket" "artifacts" {
  bucket_prefix = "${substr(local.name, 0, 26)}-artifacts-"
  force_destroy = true # its objects are build outputs, rebuilt by `make package`
}

resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket                  = aws_s3_bucket.artifacts.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_object" "layer" {
  for_each = local.manifest.layers

  bucket      = aws_s3_bucket.artifacts.id
  key         = "layers/${each.key}.zip"
  source      = "${var.artifacts_dir}/${each.value.zip}"
  source_hash = filebase64sha256("${var.artifacts_dir}/${each.value.zip}")
}

resource "aws_lambda_layer_version" "this" {
  for_each = local.manifest.layers

  layer_name               = "${local.name}-${each.key}"
  s3_bucket                = aws_s3_object.layer[each.key].bucket
  s3_key                   = aws_s3_object.layer[each.key].key
  source_code_hash         = aws_s3_object.layer[each.key].source_hash
  compatible_runtimes      = [var.lambda_runtime]
  compatible_architectures = [var.lambda_architecture]

  lifecycle {
    precondition {
      condition     = local.manifest.runtime == var.lambda_runtime && local.manifest.architecture == var.lambda_architecture
      error_message = "The artifacts were packaged for ${local.manifest.runtime} on ${local.manifest.architecture}, not ${var.lambda_runtime} on ${var.lambda_architecture}: run make package."
    }
  }
}
