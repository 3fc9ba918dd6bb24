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
    # Stands in for uv: writes down the arguments of each call.
    (project / "uv.py").write_text(
        "import json, sys\n"
        "with open('calls.jsonl', 'a') as calls:\n"
        "    calls.write(json.dumps(sys.argv[1:]) + '\\n')\n"
    )
    return project


def called(project: Path, target: str, **variables: str) -> list[str]:
    """The arguments the target gave the package's CLI."""
    calls = project / "calls.jsonl"
    calls.unlink(missing_ok=True)
    assignments = [f"{name}={value}" for name, value in variables.items()]
    done = subprocess.run(
        ["make", "-s", target, f"UV={sys.executable} uv.py", "STAGE_ENV=", *assignments],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    runs = [json.loads(line) for line in calls.read_text().splitlines()]
    [arguments] = [call for call in runs if call[:3] == ["run", "python", "-m"]]
    assert arguments[3] == PACKAGE
    return arguments[4:]


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
