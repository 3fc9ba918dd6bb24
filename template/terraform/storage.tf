# The bucket the agents that declare `storage` read or write; only they get access to it.

locals {
  storage_actions = {
    read         = ["s3:GetObject", "s3:ListBucket"]
    "read-write" = ["s3:GetObject", "s3:ListBucket", "s3:PutObject", "s3:DeleteObject"]
  }
  data_bucket_resources = flatten([for bucket in aws_s3_bucket.data : [bucket.arn, "${bucket.arn}/*"]])
}

resource "aws_s3_bucket" "data" {
  count = anytrue([for function in values(local.functions) : function.storage != "none"]) ? 1 : 0

  bucket_prefix = "${substr(local.name, 0, 31)}-data-"
}

resource "aws_s3_bucket_public_access_block" "data" {
  count = length(aws_s3_bucket.data)

  bucket                  = aws_s3_bucket.data[count.index].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  count = length(aws_s3_bucket.data)

  bucket = aws_s3_bucket.data[count.index].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "data" {
  count = length(aws_s3_bucket.data)

  bucket = aws_s3_bucket.data[count.index].id
  versioning_configuration {
    status = "Enabled"
  }
}
