terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # One workspace per stage keeps each stage's state apart (terraform.tfstate.d/<stage>/).
  # docs/deploy.md shows how to keep the state in S3 instead.
  backend "local" {}
}
