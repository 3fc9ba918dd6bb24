# The shared dependency layer, uploaded through the artifact bucket: at tens of MB it is too
# large for a direct upload. Function code zips are small and go directly to Lambda.

locals {
  layer_zip = "${var.artifacts_dir}/layer.zip"
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
  bucket      = aws_s3_bucket.artifacts.id
  key         = "layers/dependencies.zip"
  source      = local.layer_zip
  source_hash = filebase64sha256(local.layer_zip)
}

resource "aws_lambda_layer_version" "dependencies" {
  layer_name               = "${local.name}-dependencies"
  s3_bucket                = aws_s3_object.layer.bucket
  s3_key                   = aws_s3_object.layer.key
  source_code_hash         = filebase64sha256(local.layer_zip)
  compatible_runtimes      = [var.lambda_runtime]
  compatible_architectures = [var.lambda_architecture]
}
