"""``python -m extensions.check``: the command behind ``make check SPEC=...``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from copier._tools import cast_to_str
from hypothesis import given
from hypothesis import strategies as st

from extensions.answers import QUESTIONS
from extensions.check import answers_for

ROOT = Path(__file__).resolve().parent.parent
SPECS = Path(__file__).resolve().parent / "specs"


def check(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "extensions.check", *map(str, arguments)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in done.stdout + done.stderr
    return done


@pytest.mark.parametrize(
    ("path", "summary"),
    [
        (
            ROOT / "presets" / "finance.yaml",
            "ok: 4 workers, orchestrator planner (sequential), 1 rule, worst-case path 900 s",
        ),
        (
            ROOT / "presets" / "blank.yaml",
            "ok: 1 worker, orchestrator orchestrator (sequential), 0 rules, worst-case path 120 s",
        ),
        (
            SPECS / "good" / "plan-alex-finance.yaml",
            "ok: 4 workers, orchestrator planner (sequential), 1 rule, worst-case path 900 s",
        ),
        (
            SPECS / "good" / "plan-sales-analytics.yaml",
            "ok: 4 workers, orchestrator coordinator (dynamic), 2 rules, worst-case path 1200 s, "
            "inputs inferred: analysis_type",
        ),
    ],
)
def test_good_spec_prints_a_summary(path: Path, summary: str):
    done = check(path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [summary]
    assert done.stderr == ""


def test_bad_spec_prints_every_problem():
    path = SPECS / "bad" / "five-problems-at-once.yaml"
    done = check(path)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 5, lines
    assert all(line.startswith(f"{path}: ") for line in lines)
    assert "agent 'ghost' is not defined" in done.stderr
    assert done.stdout == ""


def test_plan_phase_2_1_example_names_financial_analyzer():
    done = check(SPECS / "bad" / "plan-phase-2-1.yaml")
    assert done.returncode == 1
    assert "agent 'financial_analyzer' is not defined" in done.stderr


def test_missing_file(tmp_path: Path):
    done = check(tmp_path / "nope.yaml")
    assert done.returncode == 2
    assert done.stderr.strip() == f"{tmp_path / 'nope.yaml'}: no such file"


def test_directory(tmp_path: Path):
    done = check(tmp_path)
    assert done.returncode == 2
    assert "is a directory" in done.stderr


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("agents:\n  a: [\n", "invalid YAML at line 3, column 1"),
        ("agents:\n  a: {}\n b: 1\n", "invalid YAML at line 3, column 2"),
        ("agents: {a: 1}\n\tbad: tab\n", "invalid YAML at line 2"),
        ("", "the file is empty"),
        ("- agents\n", "expected a mapping"),
    ],
)
def test_unreadable_yaml(tmp_path: Path, text: str, fragment: str):
    path = tmp_path / "agents.yaml"
    path.write_text(text)
    done = check(path)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith(f"{path}: ")
    assert fragment in done.stderr


def test_not_utf8(tmp_path: Path):
    path = tmp_path / "agents.yaml"
    path.write_bytes(b"agents:\n  a: \xff\n")
    done = check(path)
    assert done.returncode == 2
    assert "not UTF-8" in done.stderr


def test_unknown_top_level_key(tmp_path: Path):
    path = tmp_path / "agents.yaml"
    path.write_text("agents:\n  a: {}\norchestration: {strategy: sequential}\norchestation: {}\n")
    done = check(path)
    assert done.returncode == 1
    assert "'orchestation': unknown top-level key" in done.stderr


SLUG_SPEC = "agents:\n  {name}: {{}}\norchestration: {{strategy: sequential}}\n"


def test_slug_from_the_file_name(tmp_path: Path):
    name = "a" * 40
    path = tmp_path / "my-long-project-name.yaml"  # slug my-long-project-name: 20 + 1 + 40 > 55
    path.write_text(SLUG_SPEC.format(name=name))
    done = check(path)
    assert done.returncode == 1
    assert "'my-long-project-name-" in done.stderr
    done = check(path, "--slug", "short")
    assert done.returncode == 0, done.stderr


def test_slug_from_the_plan_project_name(tmp_path: Path):
    path = tmp_path / "x.yaml"
    name = "a" * 40
    text = "project: {name: Alex Finance Platform}\n" + SLUG_SPEC.format(name=name)
    path.write_text(text)
    done = check(path)
    assert done.returncode == 1
    assert f"'alex-finance-platform-{name}'" in done.stderr


def test_bad_slug_is_a_problem(tmp_path: Path):
    path = tmp_path / "x.yaml"
    path.write_text(SLUG_SPEC.format(name="a"))
    done = check(path, "--slug", "Bad Slug")
    assert done.returncode == 1
    assert "answer.project_slug" in done.stderr


def test_plan_blocks_fill_the_answers(tmp_path: Path):
    path = tmp_path / "x.yaml"
    path.write_text(
        "infrastructure: {database: {provider: mysql}}\n" + SLUG_SPEC.format(name="worker")
    )
    done = check(path)
    assert done.returncode == 1
    assert "answer.database" in done.stderr and "'mysql'" in done.stderr


def test_usage_error_without_a_path():
    done = check()
    assert done.returncode == 2
    assert "usage:" in done.stderr


def test_a_plan_description_written_as_a_block_scalar_is_one_line(tmp_path: Path):
    """`description: >` ends with a line break; the one-line answer it fills does not."""
    from extensions.context import plan_value

    path = tmp_path / "x.yaml"
    path.write_text(
        "project:\n  name: Folded\n  description: >\n    A long description\n    on two lines\n"
        + SLUG_SPEC.format(name="worker")
    )
    done = check(path)
    assert done.returncode == 0, done.stderr
    block = {"description": "A long description on two lines\n"}
    assert plan_value(block, "description", "") == "A long description on two lines"


text_questions = st.sampled_from(
    [question.name for question in QUESTIONS if not isinstance(question.default, bool)]
)
numbers = st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.booleans()


@given(name=text_questions, value=numbers)
def test_a_number_answers_a_text_question_as_copier_casts_it(name, value):
    """A data file's ``python_version: 3.13`` is a float: Copier answers '3.13', so does check."""
    answers = answers_for({name: value}, slug=None, file_name="x.yaml")
    assert answers[name] == cast_to_str(value)


def test_a_data_file_with_unquoted_answers_passes_as_copier_takes_it(tmp_path: Path):
    path = tmp_path / "x.yaml"
    path.write_text("python_version: 3.13\nproject_name: 42\n" + SLUG_SPEC.format(name="w"))
    done = check(path)
    assert done.returncode == 1  # the slug of the project name 42, as copier.yml derives it
    assert done.stderr.splitlines() == [
        f"{path}: answer.project_slug: must be lowercase letters, digits and single dashes, "
        "start with a letter and end with a letter or digit"
    ]
    path.write_text("python_version: 3.13\nproject_name: 42 Apps\n" + SLUG_SPEC.format(name="w"))
    assert check(path, "--slug", "apps").returncode == 0
