"""What users pass to `copier copy`: their own specs, the original plan's format, bad specs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, UV, run

SPECS = Path(__file__).parent / "specs"
COPIER = [sys.executable, "-m", "copier"]
RUFF = [sys.executable, "-m", "ruff"]
PLAN_EXAMPLES = sorted((SPECS / "good").glob("plan-*.yaml"))
# The other good specs: shapes that once rendered projects failing their own lint.
AWKWARD_GOOD = sorted(set((SPECS / "good").glob("*.yaml")) - set(PLAN_EXAMPLES))

PLANNER_SPEC = {
    "inputs": {"topic": {"type": "str", "required": True, "example": "pricing"}},
    "agents": {
        "lead": {
            "type": "orchestrator",
            "description": "Decides which analysts to call",
            "capabilities": {"tools": ["invoke_researcher", "invoke_writer"]},
        },
        "researcher": {"description": "Finds facts", "outputs": {"schema": {"facts": "list"}}},
        "writer": {"description": "Writes the summary", "optional": True},
    },
    "orchestration": {"strategy": "planner"},
}


def copy(data_file: Path, destination: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*COPIER, "copy", "--trust", "--defaults", "--quiet", "--vcs-ref", "HEAD"]
        + ["--data-file", str(data_file)]
        + [str(ROOT), str(destination)],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("spec", sorted((SPECS / "bad").glob("*.yaml")), ids=lambda p: p.stem)
def test_bad_spec_is_refused_with_its_message_and_writes_nothing(spec, tmp_path):
    expected = [
        line.removeprefix("# expect:").strip()
        for line in spec.read_text().splitlines()
        if line.startswith("# expect:")
    ]
    destination = tmp_path / "app"

    done = copy(spec, destination)

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    for message in expected:
        assert message in done.stderr
    assert not destination.exists()


def lint(project: Path) -> None:
    run([*RUFF, "check", "--no-cache", "."], cwd=project)
    run([*RUFF, "format", "--check", "--no-cache", "."], cwd=project)


def test_the_awkward_good_specs_are_there():
    assert {path.stem for path in AWKWARD_GOOD} >= {
        "no-inputs",
        "optional-enum-input",
        "long-list-default",
    }


@pytest.mark.parametrize("spec", AWKWARD_GOOD, ids=lambda p: p.stem)
def test_good_spec_renders_a_project_that_lints(spec, tmp_path):
    """The presets are linted in every combination by tests/test_render.py."""
    project = tmp_path / "app"

    done = copy(spec, project)

    assert done.returncode == 0, done.stderr
    lint(project)


@pytest.mark.xdist_group("projects")
@pytest.mark.parametrize("spec", PLAN_EXAMPLES, ids=lambda p: p.stem)
def test_original_plan_examples_generate_working_projects(spec, tmp_path):
    project = tmp_path / "app"

    done = copy(spec, project)

    assert done.returncode == 0, done.stderr
    lint(project)
    plan = yaml.safe_load(spec.read_text())
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["project_name"] == plan["project"]["name"]
    assert answers["project"] == plan["project"]
    assert answers["agents"] == plan["agents"]
    assert f'version = "{plan["project"]["version"]}"' in (project / "pyproject.toml").read_text()
    run(["make", "test", f"UV={UV}"], cwd=project)

    # No inputs in the plan's format: any JSON object is an input (the plan's portfolio).
    default_input = re.search(r"^INPUT \?= (\S+)$", (project / "Makefile").read_text(), re.M)
    example = json.loads((project / default_input[1]).read_text())  # the path with most rules
    job_input = tmp_path / "portfolio.json"
    job_input.write_text(json.dumps({**example, "portfolio": {"positions": [{"symbol": "VTI"}]}}))
    package = plan["project"]["name"].replace("-", "_")
    done = run(
        [f"{project}/.venv/bin/python", "-m", package, "run", "--json", "--input", str(job_input)],
        cwd=project,
        env={"MODEL_MODE": "offline", "SQLITE_PATH": str(tmp_path / "jobs.db")},
    )
    job = json.loads(done.stdout)
    assert job["status"] == "completed"
    # Each result is filed under the plan's database_field.
    fields = {name: agent["outputs"]["database_field"] for name, agent in plan["agents"].items()
              if "outputs" in agent}  # fmt: skip
    assert {name: job["results"][name]["key"] for name in job["results"]} == fields
    assert set(job["outputs"]) == set(fields.values())


@pytest.mark.xdist_group("projects")
def test_planner_strategy_generates_a_working_project(tmp_path):
    data_file = tmp_path / "agents.yaml"
    data_file.write_text(yaml.safe_dump(PLANNER_SPEC))
    project = tmp_path / "app"

    done = copy(data_file, project)

    assert done.returncode == 0, done.stderr
    assert (project / "src/agents_app/orchestrator/planner.py").is_file()
    assert not (project / "src/agents_app/orchestrator/plan.py").exists()
    run(["make", "test", f"UV={UV}"], cwd=project)
    result = run(
        [f"{project}/.venv/bin/python", "-m", "agents_app", "run", "--json", "--input"]
        + [str(next((project / "examples").glob("*.json")))],
        cwd=project,
        env={"MODEL_MODE": "offline", "SQLITE_PATH": str(tmp_path / "jobs.db")},
    )
    job = json.loads(result.stdout)
    assert job["status"] == "completed"
    assert sorted(step["agents"][0] for step in job["steps"]) == ["researcher", "writer"]


@pytest.mark.xdist_group("projects")
def test_make_demo_renders_and_runs_a_job(tmp_path):
    done = run(["make", "demo", f"DEMO={tmp_path / 'demo'}", f"UV={UV}"], cwd=ROOT)
    assert "completed" in done.stdout
    # Copied from ".", recorded where `make regen` and `make update` in the demo can find it.
    answers = yaml.safe_load((tmp_path / "demo" / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == str(ROOT)
