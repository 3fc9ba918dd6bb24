"""Settings beyond agents and rules do what template/docs/agents-yaml.md says, or are refused.

The original plan's project, infrastructure and llm blocks (extensions/blocks.py), output
keys, external APIs, storage and model ids, down to what the templates and Terraform read
(extensions/derive.py); the relative template path (extensions/context.py) and what
`make regen` passes from agents.yaml (template/scripts/regen.py).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extensions.answers import PLAN_ANSWERS
from extensions.context import recorded_answers
from extensions.derive import template_context
from extensions.models import model_provider_problem
from extensions.validation import SpecError, load_project

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = {
    "project_name": "Settings",
    "project_slug": "settings",
    "aws_region": "us-east-1",
    "database": "aurora-serverless-v2",
    "llm_provider": "bedrock",
    "llm_model": "us.amazon.nova-pro-v1:0",
}
SPEC: dict[str, Any] = {
    "inputs": {"kind": {"type": "str"}},
    "agents": {"cleaner": {}, "reporter": {}},
    "orchestration": {"strategy": "sequential"},
}


def answers(**changes: Any) -> dict[str, Any]:
    return {**ANSWERS, **SPEC, **changes}


def with_agents(**agents: Any) -> dict[str, Any]:
    return answers(agents=agents)


def problems(data: dict[str, Any]) -> str:
    with pytest.raises(SpecError) as caught:
        load_project(data)
    assert all("\n" not in problem for problem in caught.value.problems)
    return "\n".join(caught.value.problems)


def context(data: dict[str, Any]) -> dict[str, Any]:
    return template_context(load_project(data))


# project.version ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "version"), [("2.0.0", "2.0.0"), (3, "3"), ("1.0-rc1", "1.0rc1")]
)
def test_project_version_is_the_generated_version(written, version):
    assert context(answers(project={"version": written}))["project_version"] == version


def test_the_version_defaults_to_0_1_0():
    assert context(answers())["project_version"] == "0.1.0"


@pytest.mark.parametrize(
    ("written", "fragment"),
    [
        ("not a version", "project.version: 'not a version' is not a version"),
        ("1.0; rm -rf /", "is not a version as Python packages write them"),
        (1.10, "project.version: 1.1 is a number to YAML (1.10 reads as 1.1): quote it"),
        (True, "project.version: True is not a version"),
    ],
)
def test_a_bad_version_is_refused(written, fragment):
    assert fragment in problems(answers(project={"version": written}))


# infrastructure.database.config -------------------------------------------------------------


def test_aurora_capacities_reach_terraform():
    data = answers(infrastructure={"database": {"config": {"min_capacity": 0, "max_capacity": 8}}})
    assert context(data)["terraform_variables"]["database_capacity"] == {"min": 0.0, "max": 8.0}


def test_aurora_capacities_default_to_half_to_four():
    variables = context(answers())["terraform_variables"]
    assert variables["database_capacity"] == {"min": 0.5, "max": 4.0}
    dynamodb = context(answers(database="dynamodb"))["terraform_variables"]
    assert "database_capacity" not in dynamodb


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ({"min_capacity": -1}, "infrastructure.database.config.min_capacity: -1 is not 0 to 256"),
        ({"max_capacity": 300}, "config.max_capacity: 300 is not 1 to 256"),
        ({"max_capacity": 0.5}, "0.5 is not 1 to 256"),
        ({"min_capacity": 0.3}, "in steps of 0.5"),
        ({"min_capacity": "1"}, "'1' is not 0 to 256"),
        ({"min_capacity": True}, "True is not 0 to 256"),
        ({"min_capacity": 8, "max_capacity": 2}, "min_capacity 8 is above max_capacity 2"),
        ({"min_capacity": 8}, "min_capacity 8 is above max_capacity 4 (the default)"),
        (
            {"engine": "mysql"},
            "infrastructure.database.config.engine: Input should be 'postgresql'",
        ),
        ({"pool": 5}, "infrastructure.database.config.pool: unknown key"),
    ],
)
def test_bad_capacities_are_refused(config, fragment):
    assert fragment in problems(answers(infrastructure={"database": {"config": config}}))


@pytest.mark.parametrize("database", ["rds-postgres", "dynamodb"])
def test_capacities_of_another_store_are_not_supported(database):
    data = answers(database=database, infrastructure={"database": {"config": {"max_capacity": 2}}})
    assert f"config.max_capacity: not supported with {database}" in problems(data)


def test_capacities_in_steps_of_half_are_accepted():
    for low, high in [(0, 1), (0.5, 1.5), (128, 256), (1, 1)]:
        config = {"min_capacity": low, "max_capacity": high}
        variables = context(answers(infrastructure={"database": {"config": config}}))
        assert variables["terraform_variables"]["database_capacity"] == {"min": low, "max": high}


# queue and storage providers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "fragment"),
    [
        ({"queue": {"provider": "eventbridge"}}, "infrastructure.queue.provider: "),
        ({"queue": {"provider": "eventbridge"}}, "'eventbridge' is not supported"),
        (
            {"storage": {"provider": "efs"}},
            "infrastructure.storage.provider: 'efs' is not supported",
        ),
        ({"queue": {"config": {"visibility_timeout": 900}}}, "config is not supported"),
        ({"storage": {"config": {"bucket_prefix": "x"}}}, "config is not supported"),
        ({"cache": {"provider": "redis"}}, "infrastructure.cache: unknown key"),
    ],
)
def test_queue_and_storage_other_than_sqs_and_s3_are_not_supported(block, fragment):
    assert fragment in problems(answers(infrastructure=block))


def test_sqs_and_s3_are_accepted():
    block = {"queue": {"provider": "sqs"}, "storage": {"provider": "s3"}}
    assert load_project(answers(infrastructure=block))


# llm.region ---------------------------------------------------------------------------------


def test_llm_region_is_the_bedrock_region_of_calls_and_iam():
    data = answers(llm={"region": "eu-west-3"}, llm_model="mistral.mistral-large-2402-v1:0")
    found = context(data)
    assert found["llm_region"] == "eu-west-3"
    variables = found["terraform_variables"]
    assert variables["llm"]["region"] == "eu-west-3"
    assert variables["aws_region"] == "us-east-1"
    assert variables["workers"]["cleaner"]["bedrock"]["foundation_models"] == [
        "arn:aws:bedrock:eu-west-3::foundation-model/mistral.mistral-large-2402-v1:0"
    ]


def test_llm_region_defaults_to_the_project_region():
    assert context(answers(aws_region="eu-central-1"))["llm_region"] == "eu-central-1"


def test_llm_region_with_another_provider_is_not_supported():
    data = answers(llm_provider="openai", llm_model="gpt-4.1-mini", llm={"region": "us-east-1"})
    assert "llm.region: not supported with openai" in problems(data)


def test_a_bad_llm_region_is_refused():
    assert "llm.region: String should match pattern" in problems(answers(llm={"region": "mars"}))


# the blocks and the answers -----------------------------------------------------------------


@pytest.mark.parametrize(("answer", "block", "path"), PLAN_ANSWERS)
def test_a_block_and_the_answer_it_holds_must_agree(answer, block, path):
    values = {
        "project_name": ("Settings", "Other"),
        "description": ("A", "B"),
        "aws_region": ("us-east-1", "eu-west-1"),
        "database": ("aurora-serverless-v2", "dynamodb"),
        "llm_provider": ("bedrock", "openai"),
        "llm_model": ("us.amazon.nova-pro-v1:0", "us.amazon.nova-lite-v1:0"),
        "llm_fallback_model": ("us.amazon.nova-lite-v1:0", "us.amazon.nova-micro-v1:0"),
    }
    agreed, other = values[answer]
    nested: Any = other
    for key in reversed(path):
        nested = {key: nested}
    where = ".".join((block, *path))

    found = problems(answers(**{answer: agreed, block: nested}))

    assert f"{where} is {other!r} but the answer {answer} is {agreed!r}" in found
    nested_agreed: Any = agreed
    for key in reversed(path):
        nested_agreed = {key: nested_agreed}
    assert load_project(answers(**{answer: agreed, block: nested_agreed}))


@pytest.mark.parametrize(
    ("block", "value", "fragment"),
    [
        ("project", {"owner": "me"}, "project.owner: unknown key"),
        ("llm", {"temperature": 0.2}, "llm.temperature: unknown key"),
        ("llm", ["bedrock"], "llm: must be a mapping"),
        ("infrastructure", {"database": {"provider": "mysql"}}, "Input should be 'aurora"),
    ],
)
def test_unknown_or_bad_block_keys_are_refused(block, value, fragment):
    assert fragment in problems(answers(**{block: value}))


# outputs.key --------------------------------------------------------------------------------


def test_two_agents_may_not_share_an_output_key():
    found = problems(
        with_agents(cleaner={"outputs": {"key": "report"}}, reporter={"outputs": {"key": "report"}})
    )
    assert (
        "agent 'reporter': outputs.key 'report' is already the output key of agent 'cleaner'"
        in found
    )


def test_an_output_key_may_not_be_another_agents_name():
    found = problems(with_agents(cleaner={"outputs": {"database_field": "reporter"}}, reporter={}))
    assert "outputs.key 'reporter' is already the output key of agent 'cleaner'" in found


def test_output_keys_reach_the_generated_config():
    found = context(with_agents(cleaner={"outputs": {"database_field": "cleaned"}}, reporter={}))
    keys = {agent["name"]: agent["output_key"] for agent in found["workers"]}
    assert keys == {"cleaner": "cleaned", "reporter": "reporter"}


def test_the_orchestrator_stores_no_result_so_it_has_no_outputs():
    agents = {"boss": {"type": "orchestrator", "outputs": {"key": "plan"}}, "worker": {}}
    assert "agent 'boss': outputs is not supported on the orchestrator" in problems(
        with_agents(**agents)
    )


# external APIs and storage ------------------------------------------------------------------


def test_external_apis_get_settings_and_only_their_agents_get_them():
    agents = {
        "cleaner": {"dependencies": {"external_apis": ["market-data"]}},
        "reporter": {"dependencies": {"external_apis": ["market-data", "polygon"]}},
    }
    found = context(with_agents(**agents))
    assert found["external_apis"] == [
        {
            "name": "market-data",
            "variable": "EXTERNAL_API_MARKET_DATA",
            "url_variable": "EXTERNAL_API_MARKET_DATA_URL",
            "key_variable": "EXTERNAL_API_MARKET_DATA_KEY",
            "agents": ["cleaner", "reporter"],
        },
        {
            "name": "polygon",
            "variable": "EXTERNAL_API_POLYGON",
            "url_variable": "EXTERNAL_API_POLYGON_URL",
            "key_variable": "EXTERNAL_API_POLYGON_KEY",
            "agents": ["reporter"],
        },
    ]
    functions = found["terraform_variables"]["workers"]
    assert functions["cleaner"]["external_apis"] == ["market-data"]
    assert functions["reporter"]["external_apis"] == ["market-data", "polygon"]
    assert found["terraform_variables"]["orchestrator"]["external_apis"] == []


def test_two_api_names_with_the_same_settings_are_refused():
    agents = {
        "cleaner": {"dependencies": {"external_apis": ["market-data"]}},
        "reporter": {"dependencies": {"external_apis": ["market_data"]}},
    }
    found = problems(with_agents(**agents))
    assert "external API 'market_data' and 'market-data' both become the settings" in found


def test_environment_names_of_external_apis_are_reserved():
    agents = {"cleaner": {"runtime": {"environment": ["EXTERNAL_API_X_URL"]}}, "reporter": {}}
    found = problems(with_agents(**agents))
    assert "runtime.environment 'EXTERNAL_API_X_URL': names starting with EXTERNAL_API_" in found


def test_storage_agents_are_listed_for_the_helper():
    agents = {"cleaner": {"dependencies": {"storage": "read"}}, "reporter": {}}
    assert context(with_agents(**agents))["storage_agents"] == ["cleaner"]
    assert context(answers())["storage_agents"] == []


# model ids ----------------------------------------------------------------------------------

WRITTEN_FORMS = [
    ("bedrock", "us.amazon.nova-lite-v1:0"),
    ("bedrock", "bedrock/us.amazon.nova-lite-v1:0"),
    ("bedrock", "bedrock/converse/us.amazon.nova-lite-v1:0"),
    ("bedrock", "converse/us.amazon.nova-lite-v1:0"),
    ("openai", "gpt-4.1-mini"),
    ("openai", "openai/gpt-4.1-mini"),
    ("anthropic", "claude-sonnet-4-5"),
    ("anthropic", "anthropic/claude-sonnet-4-5"),
]


@pytest.mark.parametrize(("provider", "model"), WRITTEN_FORMS)
def test_a_model_id_may_be_written_bare_or_with_its_provider(provider, model):
    assert model_provider_problem(model, provider) is None
    data = answers(llm_provider=provider, llm_model=model, agents={"cleaner": {"model": model}})
    assert load_project(data)


@pytest.mark.parametrize(
    ("provider", "model"),
    [("bedrock", "openai/gpt-4o"), ("openai", "bedrock/x"), ("anthropic", "gemini/x")],
)
def test_a_model_of_another_provider_is_refused(provider, model):
    data = answers(llm_provider=provider, llm_model="m", agents={"cleaner": {"model": model}})
    prefix = model.split("/")[0]
    assert (
        f"agent 'cleaner' model: {model!r} names provider {prefix!r} but the project's "
        f"llm_provider is {provider!r}"
    ) in problems(data)


def test_the_default_and_fallback_models_are_checked_too():
    found = problems(answers(llm_model="openai/gpt-4o", llm_fallback_model="anthropic/claude"))
    assert "answer.llm_model: 'openai/gpt-4o' names provider 'openai'" in found
    assert "answer.llm_fallback_model: 'anthropic/claude' names provider" in found


def test_a_model_arn_is_refused_as_no_policy_can_be_derived_from_it():
    arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.x-v1:0"
    assert f"answer.llm_model: {arn!r} names provider" in problems(answers(llm_model=arn))


def test_a_model_on_an_orchestrator_that_calls_none_is_not_supported():
    agents = {"boss": {"type": "orchestrator", "model": "us.amazon.nova-lite-v1:0"}, "worker": {}}
    assert "agent 'boss': model is not supported here" in problems(with_agents(**agents))


def test_the_planner_runs_on_its_own_model():
    agents = {
        "boss": {"type": "orchestrator", "model": "bedrock/us.amazon.nova-lite-v1:0"},
        "worker": {},
    }
    data = answers(agents=agents, orchestration={"strategy": "planner"})
    found = context(data)
    assert found["orchestrator"]["model_override"] == "bedrock/us.amazon.nova-lite-v1:0"
    bedrock = found["terraform_variables"]["orchestrator"]["bedrock"]
    assert bedrock["inference_profiles"] == ["us.amazon.nova-lite-v1:0"]


PROVIDERS = ["bedrock", "openai", "anthropic"]


@given(
    st.text(max_size=40),
    st.sampled_from(PROVIDERS),
    st.sampled_from([*PROVIDERS, "gemini", "azure", "vertex_ai"]),
)
def test_only_another_providers_prefix_is_refused(tail, provider, written):
    assert model_provider_problem(tail.replace("/", ""), provider) is None
    assert model_provider_problem(f"{provider}/{tail}", provider) is None
    problem = model_provider_problem(f"{written}/{tail}", provider)
    assert (problem is None) == (written == provider)
    if problem:
        assert f"names provider {written!r}" in problem


# the template's location, and what make regen passes ---------------------------------------


def test_a_relative_template_path_is_recorded_absolute(tmp_path, monkeypatch):
    (tmp_path / "template").mkdir()
    monkeypatch.chdir(tmp_path)
    recorded = recorded_answers({"_commit": "1.0.0", "_src_path": "template", "agents": {}})
    assert recorded == {
        "_commit": "1.0.0",
        "_src_path": str(tmp_path / "template"),
        "agents": {},
    }
    assert list(recorded) == ["_commit", "_src_path", "agents"]


@pytest.mark.parametrize(
    "source",
    [
        "gh:owner/copier-aws-agents",
        "https://github.com/owner/copier-aws-agents.git",
        "git@github.com:owner/copier-aws-agents.git",
        "/opt/templates/copier-aws-agents",
        "~/templates/copier-aws-agents",
        "does-not-exist",
    ],
)
def test_urls_and_absolute_paths_are_recorded_as_given(source, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert recorded_answers({"_src_path": source}) == {"_src_path": source}


def load_script(name: str):
    scripts = ROOT / "template" / "scripts"
    spec = importlib.util.spec_from_file_location(name, scripts / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_regen_passes_the_answers_agents_yaml_holds():
    regen = load_script("regen")
    assert regen.PLAN_ANSWERS == PLAN_ANSWERS
    text = (
        "project: {name: alex, version: 2.0.0}\n"
        "infrastructure: {database: {provider: dynamodb}}\n"
        "llm: {model: bedrock/us.amazon.nova-lite-v1:0, fallback_model: ''}\n"
        "agents: {a: {}}\n"
    )
    found = regen.spec_answers(text)
    assert found["database"] == "dynamodb"
    assert found["project_name"] == "alex"
    assert found["llm_model"] == "bedrock/us.amazon.nova-lite-v1:0"
    assert "llm_fallback_model" not in found and "llm_provider" not in found
    assert found["infrastructure"] == {"database": {"provider": "dynamodb"}}


def regen_in(project: Path, source: str):
    regen = load_script("regen")
    (project / ".copier-answers.yml").write_text(f"_src_path: '{source}'\n")
    regen.PROJECT = project
    return regen


@pytest.mark.parametrize("source", [".", "../copier-aws-agents", "templates/copier-aws-agents"])
def test_regen_refuses_a_relative_template_path_with_the_fix(source, tmp_path):
    regen = regen_in(tmp_path, source)
    with pytest.raises(regen.RegenError, match="set _src_path to the template's absolute path"):
        regen.check_template_source()


@pytest.mark.parametrize("source", ["/tmp", "gh:owner/copier-aws-agents", "~"])
def test_regen_accepts_absolute_paths_and_urls(source, tmp_path):
    """An existing folder or a URL (a missing folder: test_copier_answers.py)."""
    regen_in(tmp_path, source).check_template_source()
