"""The generated Terraform, for every database: formatted, valid, checkov-clean.

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
from .terraform_tools import terraform_environment, terraform_init

DATABASES = ["aurora-serverless-v2", "rds-postgres", "dynamodb"]
STORE_MODULES = {
    "aurora-serverless-v2": "store_aurora",
    "rds-postgres": "store_rds",
    "dynamodb": "store_dynamodb",
}


def finance_with_settings(database: str) -> dict:
    """The finance preset, its reporter using storage and an external API, and the plan's blocks
    that reach Terraform: the Bedrock region and, for Aurora, the capacities."""
    spec = yaml.safe_load((ROOT / "presets" / "finance.yaml").read_text())
    spec["agents"]["reporter"]["dependencies"] = {
        "storage": "read-write",
        "external_apis": ["market-data"],
    }
    spec["llm"] = {"region": "us-west-2"}
    if database == "aurora-serverless-v2":
        capacity = {"min_capacity": 0, "max_capacity": 16}
        spec["infrastructure"] = {"database": {"config": capacity}}
    return spec


@pytest.mark.xdist_group("terraform")
@pytest.mark.parametrize("database", DATABASES)
def test_terraform_is_formatted_valid_and_checkov_clean(database, tmp_path):
    env = terraform_environment()
    project = render(tmp_path / "app", database=database, **finance_with_settings(database))
    terraform = project / "terraform"

    variables = json.loads((terraform / "agents.auto.tfvars.json").read_text())
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
    terraform_init(terraform, env)
    run(["terraform", "validate", "-no-color"], cwd=terraform, env=env)
    checkov = [sys.executable, "-m", "checkov.main", "-d", ".", "--config-file", ".checkov.yaml"]
    run([*checkov, "--quiet", "--compact"], cwd=terraform, env=env)


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
