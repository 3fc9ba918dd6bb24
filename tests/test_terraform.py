"""The generated Terraform, for every database: formatted, valid, checkov-clean, and planned
against moto's server with the data protection a stage asks for.

Terraform runs offline against the provider mirror (TF_PLUGIN_DIR, default /opt/tf-plugins).
The policies themselves are checked on the applied stack in test_e2e_moto.py.
"""

from __future__ import annotations

import json
import sys

import pytest
import yaml

from extensions.infrastructure import bedrock_resources

from .conftest import ROOT, render, run
from .terraform_tools import (
    free_port,
    stand_in_artifacts,
    start_moto,
    terraform_environment,
    terraform_init,
)

DATABASES = ["aurora-serverless-v2", "rds-postgres", "dynamodb"]
STORE_MODULES = {
    "aurora-serverless-v2": "store_aurora",
    "rds-postgres": "store_rds",
    "dynamodb": "store_dynamodb",
}


def finance_with_settings(database: str, provider: str) -> dict:
    """The finance preset, its reporter using storage and an external API, and the plan's blocks
    that reach Terraform: the Bedrock region and, for Aurora, the capacities."""
    spec = yaml.safe_load((ROOT / "presets" / "finance.yaml").read_text())
    spec["agents"]["reporter"]["dependencies"] = {
        "storage": "read-write",
        "external_apis": ["market-data"],
    }
    if provider == "bedrock":
        spec["llm"] = {"region": "us-west-2"}
    if database == "aurora-serverless-v2":
        capacity = {"min_capacity": 0, "max_capacity": 16}
        spec["infrastructure"] = {"database": {"config": capacity}}
    return spec


# Each database is planned with one data protection setting; all three settings are covered.
PROTECTION = {
    # database: (variables, deletion protection, final snapshot, secret recovery days)
    "aurora-serverless-v2": ([], True, True, 7),
    "rds-postgres": (["-var=data_protection=false"], False, False, 0),
    "dynamodb": (["-var=deletion_protection=false"], False, None, 7),
}


@pytest.fixture(scope="module")
def moto_endpoint():
    port = free_port()
    server = start_moto(port)
    yield f"http://127.0.0.1:{port}"
    server.kill()
    server.wait()


@pytest.mark.xdist_group("terraform")
@pytest.mark.parametrize("database", DATABASES)
def test_terraform_is_formatted_valid_and_checkov_clean(database, moto_endpoint, tmp_path):
    env = terraform_environment()
    # An API key secret (openai) on one database, to plan a secret's recovery window.
    provider = "openai" if database == "rds-postgres" else "bedrock"
    project = render(
        tmp_path / "app",
        database=database,
        llm_provider=provider,
        jwt_issuer="https://issuer.example.com/",  # the API is planned only with an issuer
        **finance_with_settings(database, provider),
    )
    terraform = project / "terraform"

    variables = json.loads((terraform / "agents.auto.tfvars.json").read_text())
    if provider == "bedrock":
        assert variables["llm"]["region"] == "us-west-2"
        # The runtime's default Bedrock region too (runtime/settings.py reads it, LLM_REGION wins).
        assert 'LLM_REGION = "us-west-2"' in (project / "src/agents_app/config.py").read_text()
    assert variables["workers"]["reporter"]["external_apis"] == ["market-data"]
    assert variables["workers"]["reporter"]["storage"] == "read-write"
    assert variables.get("database_capacity") == (
        {"min": 0, "max": 16} if database == "aurora-serverless-v2" else None
    )

    modules = sorted(path.name for path in (terraform / "modules").iterdir())
    assert STORE_MODULES[database] in modules
    assert not set(STORE_MODULES.values()) - {STORE_MODULES[database]} & set(modules)

    run(["terraform", "fmt", "-check", "-recursive"], cwd=terraform, env=env)
    terraform_init(terraform, env, backend=True)
    run(["terraform", "validate", "-no-color"], cwd=terraform, env=env)
    checkov = [sys.executable, "-m", "checkov.main", "-d", ".", "--config-file", ".checkov.yaml"]
    run([*checkov, "--quiet", "--compact"], cwd=terraform, env=env)

    variables, protected, snapshot, recovery_days = PROTECTION[database]
    stand_in_artifacts(project)
    fake_aws = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    plan = ["terraform", "plan", "-input=false", "-no-color", "-out=plan.bin"]
    plan += [f"-var=aws_endpoint={moto_endpoint}", *variables]
    run(plan, cwd=terraform, env={**env, **fake_aws, "AWS_REGION": "us-east-1"})
    shown = run(["terraform", "show", "-json", "plan.bin"], cwd=terraform, env=env)
    planned = {
        change["address"]: change["change"]["after"]
        for change in json.loads(shown.stdout)["resource_changes"]
    }
    store = next(
        after for address, after in planned.items()
        if address.startswith("module.store.aws_") and address.endswith(".jobs")
    )  # fmt: skip
    if database == "dynamodb":
        assert store["deletion_protection_enabled"] is protected
    else:
        assert store["deletion_protection"] is protected
        assert store["skip_final_snapshot"] is not snapshot
        assert store["final_snapshot_identifier"] == "agents-app-dev-jobs-final"
    secrets = [a for k, a in planned.items() if k.startswith("aws_secretsmanager_secret.")]
    assert all(secret["recovery_window_in_days"] == recovery_days for secret in secrets)
    assert secrets or database != "rds-postgres"


def test_inference_profile_needs_the_profile_and_its_regions_models():
    resources = bedrock_resources(["us.amazon.nova-pro-v1:0", ""], "us-east-1")
    assert resources["inference_profiles"] == ["us.amazon.nova-pro-v1:0"]
    models = resources["foundation_models"]
    assert "arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-pro-v1:0" in models
    assert all(arn.endswith("::foundation-model/amazon.nova-pro-v1:0") for arn in models)


def test_plain_model_id_is_one_foundation_model_in_the_project_region():
    resources = bedrock_resources(
        ["bedrock/converse/anthropic.claude-3-haiku", "anthropic.claude-3-haiku"], "eu-west-1"
    )
    assert resources == {
        "inference_profiles": [],
        "foundation_models": [
            "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku"
        ],
    }
