"""The generated Makefile passes each path, name and job id to the CLI as one argument."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import render

PACKAGE = "agents_app"
# What `make <target> <variable>=<value>` runs; the value is the argument after the flag.
COMMANDS = {
    "run": ("INPUT", ["run", "--input"]),
    "agent": ("NAME", ["agent"]),
    "resume": ("JOB", ["resume"]),
    "submit": ("INPUT", ["submit", "--input"]),
    "status": ("JOB", ["status"]),
}
# Text a user may give: shell syntax included. `$` is make's own (a variable reference),
# and make strips the blanks around a value.
VALUES = (
    st.text(st.sampled_from("ab1 ;&|'\"`\\*?<>()[]{}!~#%,=-./"), min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    project = render(tmp_path_factory.mktemp("make") / "app")
    # Stands in for uv: writes down the arguments of each call, and the store it is given.
    (project / "uv.py").write_text(
        "import json, os, sys\n"
        "with open('calls.jsonl', 'a') as calls:\n"
        "    store = [os.environ.get('JOB_STORE', ''), os.environ.get('JOB_QUEUE_URL', '')]\n"
        "    calls.write(json.dumps(store + sys.argv[1:]) + '\\n')\n"
    )
    # Stands in for terraform: a deployed stage's client_environment, or no state at all.
    (project / "deployed.py").write_text(
        "import json\n"
        "print(json.dumps({'JOB_STORE': 'deployed', 'JOB_QUEUE_URL': 'https://queue'}))\n"
    )
    return project


def called(project: Path, target: str, *settings: str, **variables: str) -> list[str]:
    """The arguments the target gave the package's CLI; after the JOB_STORE and JOB_QUEUE_URL
    it had with ``settings`` (make variables, NAME=value) among the arguments of make."""
    calls = project / "calls.jsonl"
    calls.unlink(missing_ok=True)
    assignments = [f"{name}={value}" for name, value in variables.items()]
    done = subprocess.run(
        ["make", "-s", target, f"UV={sys.executable} uv.py", *(settings or ["STAGE_ENV="])]
        + assignments,
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    runs = [json.loads(line) for line in calls.read_text().splitlines()]
    [arguments] = [call for call in runs if call[2:5] == ["run", "python", "-m"]]
    assert arguments[5] == PACKAGE
    return arguments[:2] + arguments[6:] if settings else arguments[6:]


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(sorted(COMMANDS)), VALUES)
def test_a_value_reaches_the_cli_as_one_argument(project, target, value):
    variable, before = COMMANDS[target]

    arguments = called(project, target, **{variable: value})

    assert arguments[: len(before) + 1] == [*before, value]


def test_optional_files_reach_the_cli_as_one_argument_each(project):
    run = called(project, "run", INPUT="my input.json", OUTPUTS="out; puts.json")
    agent = called(project, "agent", NAME="tagger", RESULTS="earlier `results`.json")

    assert run == ["run", "--input", "my input.json", "--outputs", "out; puts.json"]
    assert agent[:2] == ["agent", "tagger"]
    assert agent[agent.index("--results") + 1] == "earlier `results`.json"
    assert called(project, "run") == ["run", "--input", "examples/default.json"]


@pytest.mark.parametrize("target", ["status", "submit"])
def test_a_stage_not_deployed_is_never_answered_from_the_local_store(project, target):
    deployed = called(project, target, f"TERRAFORM={sys.executable} deployed.py", JOB="job-1")
    missing = called(project, target, "TERRAFORM=false", JOB="job-1")

    assert deployed[:2] == ["deployed", "https://queue"]
    # No stage: the project's cloud store, which names the settings it lacks.
    assert missing[:2] == ["aurora-serverless-v2", ""]
