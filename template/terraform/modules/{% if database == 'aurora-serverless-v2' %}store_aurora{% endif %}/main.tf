# The job store: an Aurora Serverless v2 PostgreSQL cluster that the functions reach through
# the RDS Data API (HTTPS), so they need no VPC. RDS keeps the master password in Secrets
# Manager; the Data API signs in with that secret.

resource "aws_rds_cluster" "jobs" {
  cluster_identifier                  = "${var.name_prefix}-jobs"
  engine                              = "aurora-postgresql"
  engine_mode                         = "provisioned"
  engine_version                      = var.engine_version
  database_name                       = var.database_name
  master_username                     = "jobs_admin"
  manage_master_user_password         = true
  enable_http_endpoint                = true
  storage_encrypted                   = true
  backup_retention_period             = 7
  copy_tags_to_snapshot               = true
  deletion_protection                 = var.deletion_protection
  skip_final_snapshot                 = !var.final_snapshot
  final_snapshot_identifier           = "${var.name_prefix}-jobs-final"
  iam_database_authentication_enabled = true

  serverlessv2_scaling_configuration {
    min_capacity = var.min_capacity
    max_capacity = var.max_capacity
  }
}

resource "aws_rds_cluster_instance" "writer" {
  identifier                 = "${var.name_prefix}-jobs-writer"
  cluster_identifier         = aws_rds_cluster.jobs.id
  engine                     = aws_rds_cluster.jobs.engine
  engine_version             = aws_rds_cluster.jobs.engine_version
  instance_class             = "db.serverless"
  auto_minor_version_upgrade = true
}

locals {
  # IAM cannot tell a reading SQL statement from a writing one: every function that reaches
  # the store gets the same Data API actions (docs/security.md).
  data_api = [
    {
      sid = "DataApi"
      actions = [
        "rds-data:ExecuteStatement",
        "rds-data:BatchExecuteStatement",
        "rds-data:BeginTransaction",
        "rds-data:CommitTransaction",
        "rds-data:RollbackTransaction",
      ]
      resources = [aws_rds_cluster.jobs.arn]
    },
    {
      sid       = "DatabaseSecret"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [aws_rds_cluster.jobs.master_user_secret[0].secret_arn]
    },
  ]
}
