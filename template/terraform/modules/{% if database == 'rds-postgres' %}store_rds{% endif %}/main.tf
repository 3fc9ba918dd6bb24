# The job store: an RDS PostgreSQL instance in private subnets. RDS keeps the master password
# in Secrets Manager; the functions read it from there.

resource "aws_db_subnet_group" "this" {
  name       = "${var.name_prefix}-jobs"
  subnet_ids = aws_subnet.private[*].id
}

resource "aws_db_instance" "jobs" {
  identifier                          = "${var.name_prefix}-jobs"
  engine                              = "postgres"
  engine_version                      = var.engine_version
  instance_class                      = var.instance_class
  allocated_storage                   = var.allocated_storage
  storage_type                        = "gp3"
  storage_encrypted                   = true
  db_name                             = var.database_name
  username                            = "jobs_admin"
  manage_master_user_password         = true
  iam_database_authentication_enabled = true
  db_subnet_group_name                = aws_db_subnet_group.this.name
  vpc_security_group_ids              = [aws_security_group.database.id]
  publicly_accessible                 = false
  multi_az                            = var.multi_az
  backup_retention_period             = 7
  copy_tags_to_snapshot               = true
  auto_minor_version_upgrade          = true
  enabled_cloudwatch_logs_exports     = ["postgresql"]
  deletion_protection                 = var.deletion_protection
  skip_final_snapshot                 = !var.final_snapshot
  final_snapshot_identifier           = "${var.name_prefix}-jobs-final"
}

locals {
  database_secret_arn = aws_db_instance.jobs.master_user_secret[0].secret_arn

  # Lambda creates the functions' network interfaces with the functions' roles; EC2 does not
  # scope these actions to resources (docs/security.md). IAM cannot tell a reading SQL
  # statement from a writing one: every function that reaches the store gets the same access.
  database_access = [
    {
      sid       = "DatabaseSecret"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [local.database_secret_arn]
    },
    {
      sid = "NetworkInterfaces"
      actions = [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ]
      resources = ["*"]
    },
  ]
}
