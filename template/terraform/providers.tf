provider "aws" {
  region = var.aws_region

  # Set only to deploy against a local AWS emulator (see docs/deploy.md); null uses AWS.
  endpoints {
    apigatewayv2   = var.aws_endpoint
    dynamodb       = var.aws_endpoint
    ec2            = var.aws_endpoint
    iam            = var.aws_endpoint
    lambda         = var.aws_endpoint
    logs           = var.aws_endpoint
    rds            = var.aws_endpoint
    s3             = var.aws_endpoint
    secretsmanager = var.aws_endpoint
    sqs            = var.aws_endpoint
    sts            = var.aws_endpoint
  }
  skip_credentials_validation = var.aws_endpoint != null
  skip_metadata_api_check     = var.aws_endpoint != null
  skip_requesting_account_id  = var.aws_endpoint != null
  s3_use_path_style           = var.aws_endpoint != null

  default_tags {
    tags = {
      Project   = var.project_slug
      Stage     = var.stage
      ManagedBy = "terraform"
    }
  }
}
