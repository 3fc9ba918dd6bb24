"""Render the template over its answer matrix and check each generated project.

Every combination: nothing left unrendered, ruff clean, every example runs to the status the
scenarios expect. Each preset with the default answers: the generated project's own
`make test` passes (installs with uv, runs its tests).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from extensions.reserved import installed_in, top_level_modules

from .conftest import UV, render, run

PRESETS = ["finance", "sales-analytics", "blank"]
DATABASES = ["aurora-serverless-v2", "rds-postgres", "dynamodb"]
PROVIDERS = ["bedrock", "openai", "anthropic"]
MATRIX = list(itertools.product(PRESETS, DATABASES, PROVIDERS))
IDS = ["-".join(combination) for combination in MATRIX]
UNRENDERED = re.compile(r"\{\{ |\{%[ -]|[ -]%\}")  # Jinja tags, not f-string formats like {x:.0%}
RUFF = [sys.executable, "-m", "ruff"]


def _package(project: Path) -> str:
    return next((project / "src").iterdir()).name


@pytest.mark.xdist_group("matrix")
@pytest.mark.parametrize(("preset", "database", "provider"), MATRIX, ids=IDS)
def test_render_matrix(preset, database, provider, tmp_path, environments):
    project = render(tmp_path / "app", preset=preset, database=database, llm_provider=provider)

    leftovers = [
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file()
        and (path.suffix == ".jinja" or UNRENDERED.search(path.read_text(errors="replace")))
    ]
    assert leftovers == []
    run([*RUFF, "check", "--no-cache", "."], cwd=project)
    run([*RUFF, "format", "--check", "--no-cache", "."], cwd=project)

    python = environments(provider)
    package = _package(project)
    scenarios = json.loads((project / "tests" / "scenarios.json").read_text())
    expected = {s["example"]: s["expected"] for s in scenarios if not s["scripted"]}
    examples = sorted((project / "examples").glob("*.json"))
    assert {e.stem for e in examples} == set(expected)
    env = {
        "PYTHONPATH": str(project / "src"),
        "MODEL_MODE": "offline",
        "SQLITE_PATH": str(tmp_path / "jobs.db"),
    }
    for example in examples:
        done = _run_example(python, package, example, project, env)
        job = json.loads(done.stdout)
        assert job["status"] == expected[example.stem]["status"], done.stderr
        assert job["steps"] == expected[example.stem]["steps"]


def _run_example(python, package, example, project, env):
    done = subprocess.run(
        [str(python), "-m", package, "run", "--input", str(example), "--json"],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    return done


@pytest.mark.xdist_group("projects")
@pytest.mark.parametrize("preset", PRESETS)
def test_generated_project_tests_pass(preset, tmp_path):
    project = render(tmp_path / "app", preset=preset)
    run(["make", "test", f"UV={UV}"], cwd=project)


@pytest.mark.xdist_group("projects")
@pytest.mark.parametrize("database", [d for d in DATABASES if d != "aurora-serverless-v2"])
def test_each_cloud_store_passes_the_generated_tests(database, tmp_path):
    """Store contract, concurrency and failure tests on the other stores (the default is above)."""
    project = render(tmp_path / "app", preset="blank", database=database)
    run(["make", "test", f"UV={UV}"], cwd=project)


@pytest.mark.xdist_group("projects")
@pytest.mark.parametrize("observability", ["langfuse", "logfire"])
def test_trace_exporter_projects_pass_their_tests(observability, tmp_path):
    project = render(tmp_path / "app", preset="finance", observability=observability)
    dependencies = (project / "pyproject.toml").read_text()
    other = {"langfuse": "logfire", "logfire": "langfuse"}[observability]
    assert f'"{observability}==' in dependencies and f'"{other}==' not in dependencies
    run(["make", "test", f"UV={UV}"], cwd=project)


AWKWARD_SPEC = {
    "inputs": {
        "customer_segment_with_a_rather_long_name": {
            "type": "str",
            "enum": ["enterprise", "small_business", "consumer"],
            "required": True,
            "description": 'A description with "quotes", a backslash \\ and """triple quotes"""'
            + " that goes on well past any line length a formatter would accept" * 3,
        },
        "score": {"type": "float", "default": 0.5},
        "holdings_of_the_customer_with_a_long_name": {
            "type": "list",
            "items": {
                "type": "object",
                "description": 'One holding, "quoted" \\ and long' * 5,
                "fields": {
                    "instrument_symbol_with_a_rather_long_name": {
                        "type": "str",
                        "enum": ["first_long_enum_value_here", "second_long_enum_value_here"],
                    },
                    "quantity_held": {"type": "float", "minimum": 0, "maximum": 1e9},
                    "lots": {"type": "list", "items": {"type": "int", "enum": [1, 10, 100]}},
                    "owner": {"type": "object", "fields": {"name": {"type": "str"}}},
                },
            },
        },
    },
    "agents": {
        "classification_and_enrichment_agent_number_one": {
            "description": "Classifies things. " * 20,
            "capabilities": {
                "tools": [f"look_up_reference_data_in_the_catalog_{i}" for i in range(6)],
                "output_schema": "AVeryLongOutputSchemaNameForTheClassificationAgentResult",
            },
            "outputs": {"schema": {"category": "str", "confidence": "float", "tags": "list"}},
        },
        "free_text_writer": {"capabilities": {"structured_output": False}, "optional": True},
        "any_json_agent": {},
    },
    "orchestration": {
        "strategy": "dynamic",
        "on_failure": "continue",
        "selection_rules": [
            {
                "name": "first",
                "condition": "input.customer_segment_with_a_rather_long_name in "
                "['enterprise', 'small_business'] and input.score >= 0.25"
                " and not input.score > 0.99",
                "agents": [
                    {"sequential": ["classification_and_enrichment_agent_number_one"]},
                    {"parallel": ["free_text_writer", "any_json_agent"]},
                ],
                "else": ["any_json_agent"],
            },
            {
                "name": "second",
                "condition": "results.classification_and_enrichment_agent_number_one.confidence"
                " > 0.5 or prev_step.any_json_agent.summary == 'x'",
                "agents": ["free_text_writer"],
            },
        ],
    },
}


@pytest.mark.xdist_group("matrix")
def test_awkward_spec_without_api_renders_ruff_clean_and_runs(tmp_path, environments):
    project = render(tmp_path / "app", project_slug="awkward", api=False, **AWKWARD_SPEC)
    assert not (project / "src" / "awkward" / "api").exists()

    run([*RUFF, "check", "--no-cache", "."], cwd=project)
    run([*RUFF, "format", "--check", "--no-cache", "."], cwd=project)
    env = {"PYTHONPATH": str(project / "src"), "SQLITE_PATH": str(tmp_path / "jobs.db")}
    for example in sorted((project / "examples").glob("*.json")):
        done = _run_example(environments("bedrock"), "awkward", example, project, env)
        assert json.loads(done.stdout)["status"] == "completed", done.stderr


@pytest.mark.xdist_group("matrix")
def test_reserved_module_names_cover_the_installed_environments(environments):
    """extensions/installed_modules.txt lists what the generated projects install."""
    for provider in ("bedrock", "openai"):
        missing = installed_in(environments(provider), "agents_app") - top_level_modules()
        assert not missing, (
            f"refresh extensions/installed_modules.txt (uv run python -m extensions.reserved): "
            f"{sorted(missing)}"
        )
