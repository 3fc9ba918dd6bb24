"""copier.yml asks what extensions/answers.py defines: names, choices and defaults agree."""

from __future__ import annotations

import copy
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jinja2 import Environment, StrictUndefined

from extensions.answers import DEFAULTS, DOCUMENT_KEYS, PLAN_ANSWERS, QUESTIONS, copier_drift
from extensions.check import DEFAULT_ANSWERS
from extensions.context import SpecFilters, data_problems
from extensions.validation import Answers

from .test_spec_settings import load_script

ROOT = Path(__file__).resolve().parent.parent
COPIER_YML = yaml.safe_load((ROOT / "copier.yml").read_text())


def renderer(copier_yml: dict[str, Any]):
    environment = Environment(undefined=StrictUndefined, extensions=[SpecFilters])

    def render_default(name: str, context: dict[str, Any]) -> Any:
        default = copier_yml[name].get("default")
        if not isinstance(default, str):
            return default
        return environment.from_string(default).render(**context)

    return render_default


def test_copier_yml_agrees_with_the_answers_module():
    assert copier_drift(COPIER_YML, renderer(COPIER_YML)) == []


@pytest.mark.parametrize(
    ("question", "field", "value", "named"),
    [
        ("lambda_architecture", "default", "x86_64", "lambda_architecture: copier.yml's default"),
        ("database", "choices", ["dynamodb"], "database: copier.yml's choices"),
        ("aws_region", "default", "eu-west-1", "aws_region: copier.yml's default"),
        (
            "aws_region",
            "default",
            "{{ llm | plan_value('region', 'us-east-1') }}",
            "project.region",
        ),
        ("llm_model", "default", "gpt-4.1-mini", "llm_model: copier.yml's default"),
    ],
)
def test_a_drift_is_named(question, field, value, named):
    drifted = copy.deepcopy(COPIER_YML)
    drifted[question][field] = value
    problems = copier_drift(drifted, renderer(drifted))
    assert any(named in problem for problem in problems), problems


def test_a_question_missing_from_copier_yml_is_named():
    drifted = {key: value for key, value in COPIER_YML.items() if key != "python_version"}
    problems = copier_drift(drifted, renderer(drifted))
    assert problems and "python_version" in problems[0]


def test_the_model_and_make_check_use_the_same_defaults():
    for question in QUESTIONS:
        field = Answers.model_fields[question.name]
        if not field.is_required() and question.default is not None:
            assert field.default == question.default, question.name
        if question.default is not None:
            assert DEFAULT_ANSWERS[question.name] == question.default
    assert DEFAULT_ANSWERS["database"] == DEFAULTS["database"] == "aurora-serverless-v2"


def test_the_generated_regen_script_lists_the_same_keys():
    regen = load_script("regen")
    assert regen.SPEC_KEYS == DOCUMENT_KEYS
    assert regen.PLAN_ANSWERS == PLAN_ANSWERS


answer_names = st.from_regex(r"[a-z][a-z_]{0,20}", fullmatch=True).filter(
    lambda name: name not in DOCUMENT_KEYS
)
non_scalars = st.one_of(
    st.lists(st.integers() | st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(min_size=1, max_size=5), st.integers(), max_size=3),
)


@given(name=answer_names, value=non_scalars)
@settings(max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_regen_names_a_hand_edited_answer_copier_cannot_read(tmp_path, name, value):
    """A list or mapping where the answers file holds one value: one message naming it."""
    regen = load_script("regen")
    regen.PROJECT = tmp_path
    answers = {"_src_path": "gh:owner/template", "project_name": "App", name: value}
    (tmp_path / ".copier-answers.yml").write_text(yaml.safe_dump(answers))
    with pytest.raises(regen.RegenError) as caught:
        regen.recorded_answers()
    assert f"answer {name!r} must be a single value" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [("a: [\n", "is not valid YAML"), ("- 1\n", "must be a mapping"), ("", "must be a mapping")],
)
def test_regen_refuses_a_broken_answers_file(tmp_path, text, problem):
    regen = load_script("regen")
    regen.PROJECT = tmp_path
    (tmp_path / ".copier-answers.yml").write_text(text)
    with pytest.raises(regen.RegenError, match=problem):
        regen.recorded_answers()
    assert regen.main([]) == 1  # the message, no traceback


@example(reason="")
@example(reason="|")
@example(reason="a quoted |")
@given(reason=st.text(st.characters(exclude_categories=["Cc", "Cs"]), min_size=1).map(str.strip))
def test_a_copier_crash_ends_in_its_last_line(reason):
    """Copier's traceback is reduced to the line that says why, without the exception class."""
    regen = load_script("regen")
    traceback = [
        f"{regen.TRACEBACK}\n",
        '  File "copier/_user_data.py", line 543, in _parse_answer\n',
        f"ValueError: {reason}\n",
        "\n",
    ]
    message = regen.crash_message(traceback)
    assert message.startswith(f"Copier stopped: {reason or 'no reason given'}\n")
    assert regen.TRACEBACK not in message and "_parse_answer" not in message


def test_a_failed_git_command_in_copier_ends_in_gits_own_line():
    regen = load_script("regen")
    fatal = "fatal: unable to access 'https://github.com/o/t.git/': Could not resolve host"
    traceback = [
        f"{regen.TRACEBACK}\n",
        "plumbum.commands.processes.ProcessExecutionError: Unexpected exit code: 128\n",
        "Stderr:       | Cloning into bare repository 'repo.git'...\n",
        f"              | {fatal}\n",
    ]
    assert regen.crash_message(traceback).splitlines()[0] == f"Copier stopped: {fatal}"


def test_regen_names_a_template_source_that_is_gone(tmp_path):
    regen = load_script("regen")
    regen.PROJECT = tmp_path
    gone = tmp_path / "moved-away"
    (tmp_path / ".copier-answers.yml").write_text(yaml.safe_dump({"_src_path": str(gone)}))
    with pytest.raises(regen.RegenError, match=f"'{gone}', which is not a folder here"):
        regen.check_template_source()
    gone.mkdir()
    regen.check_template_source()


@pytest.mark.parametrize(
    ("text", "where"),
    [("agents: [\n", "line 2, column 1"), ("a: b: c\n", "line 1, column 5"), ("a: *x\n", "line 1")],
)
def test_regen_says_where_agents_yaml_is_broken(text, where):
    regen = load_script("regen")
    with pytest.raises(regen.RegenError) as caught:
        regen.spec_answers(text)
    message = str(caught.value)
    assert message.startswith(f"agents.yaml is not valid YAML: {where}")
    assert "<unicode string>" not in message and "\n" not in message


leaves = st.none() | st.booleans() | st.integers() | st.sampled_from(["w", "x", "always"])
values = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["w", "x", "sequential", "reads"]), inner, max_size=2)
    ),
    max_leaves=8,
)
hostile_agents = st.dictionaries(
    st.sampled_from(["w", "x"]),
    st.none()
    | values
    | st.fixed_dictionaries(
        {},
        optional={"capabilities": values, "reads": values, "type": st.just("orchestrator")},
    ),
    max_size=2,
)
hostile_rules = st.lists(
    values
    | st.fixed_dictionaries({"name": st.just("r")}, optional={"agents": values, "else": values}),
    max_size=2,
)
hostile_specs = st.fixed_dictionaries(
    {},
    optional={
        "agents": values | hostile_agents,
        "orchestration": values | st.fixed_dictionaries({"selection_rules": hostile_rules}),
    },
)


@settings(max_examples=200)
@given(spec=hostile_specs, command=st.sampled_from(["add", "remove"]))
def test_add_and_remove_agent_refuse_any_spec_they_cannot_edit_with_one_message(spec, command):
    """Whatever shape agents.yaml has, the edit is made or refused: never a traceback."""
    import argparse

    load_script("regen")
    agents_yaml = load_script("agents_yaml")
    arguments = argparse.Namespace(
        name="w" if command == "remove" else "y",
        type="worker",
        timeout=None,
        memory=None,
        description=None,
        rule="r",
    )
    edit = agents_yaml.add if command == "add" else agents_yaml.remove
    try:
        edit(agents_yaml.load(yaml.safe_dump(spec)), arguments)
    except agents_yaml.RegenError as error:
        assert "\n" not in str(error)


@given(text=st.text(max_size=20), junk=st.sampled_from([b"\xe9", b"\xff\xfe", b"\xc3("]))
@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_regen_refuses_a_file_that_is_not_utf8_with_one_message(tmp_path, text, junk):
    regen = load_script("regen")
    regen.PROJECT = tmp_path
    for name in (".copier-answers.yml", "agents.yaml"):
        (tmp_path / name).write_bytes(text.encode() + junk)
        with pytest.raises(regen.RegenError, match=rf"^{re.escape(name)} is not UTF-8 text"):
            regen.read_text(name)
    with pytest.raises(regen.RegenError, match="is not UTF-8"):
        regen.recorded_answers()


def test_regen_asks_to_resolve_the_conflicts_left_before_anything_else(tmp_path):
    regen = load_script("regen")
    regen.PROJECT = tmp_path
    identity = ["-c", "user.name=T", "-c", "user.email=t@x"]
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "prompts.py").write_text("A = 1\n")
    (tmp_path / "notes.txt").write_text("mine\n")
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run(["git", *identity, "commit", "-qm", "init"], cwd=tmp_path, check=True)
    (tmp_path / "notes.txt").write_text("changed\n")
    sha = subprocess.run(
        ["git", "hash-object", "-w", "prompts.py"], cwd=tmp_path, capture_output=True, text=True
    ).stdout.strip()
    stages = "".join(f"100644 {sha} {stage}\tprompts.py\n" for stage in (1, 2, 3))
    subprocess.run(
        ["git", "update-index", "--index-info"],
        cwd=tmp_path,
        input=f"0 {'0' * 40}\tprompts.py\n{stages}",
        text=True,
        check=True,
    )
    with pytest.raises(regen.RegenError, match=r"resolve the conflicts[^\n]*\n  prompts.py$"):
        regen.require_clean(allowed=("agents.yaml",))


YES_OR_NO = {"0", "off", "f", "false", "n", "no", "1", "on", "t", "true", "y", "yes"}


@example(given="maybe")
@example(given="")
@example(given=" Yes ")
@given(given=st.text(max_size=6) | st.sampled_from(sorted(YES_OR_NO)).map(str.upper))
def test_a_yes_or_no_question_takes_only_yes_or_no(given):
    """Copier takes any word it does not know as yes (`-d api=maybe`): a copy refuses it."""
    problems = data_problems({"api": given}, {})
    if given.strip().lower() in YES_OR_NO:
        assert problems == []
    else:
        assert problems == [f"api: {given!r} is not yes or no (true/false, on/off, 1/0)"]


@example(given={"a": [1]})
@example(given=None)
@example(given=2)
@given(
    given=st.recursive(
        st.none() | st.integers() | st.text(min_size=61),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children),
        max_leaves=8,
    )
)
def test_a_yes_or_no_question_refuses_any_other_value_in_one_short_line(given):
    """A data file's list, mapping, null or other number is yes to Copier: a copy refuses it,
    and a long value is cut in the message."""
    if given in (0, 1):
        assert data_problems({"api": given}, {}) == []
        return
    (problem,) = data_problems({"api": given}, {})
    assert problem.startswith("api: ") and problem.endswith(
        " is not yes or no (true/false, on/off, 1/0)"
    )
    assert "\n" not in problem and len(problem) < 120


def write_project(root: Path, agents: dict[str, Any], evals: dict[str, Any]) -> None:
    answers = {"_src_path": "gh:owner/template", "agents": agents}
    (root / ".copier-answers.yml").write_text(yaml.safe_dump(answers))
    (root / "evals").mkdir(exist_ok=True)
    for agent, cases in evals.items():
        (root / "evals" / f"{agent}.yaml").write_text(yaml.safe_dump({"cases": cases}))


def test_regen_names_an_eval_case_run_after_a_removed_agent(tmp_path, capsys):
    regen = load_script("regen")
    regen.PROJECT = tmp_path
    agents = {"boss": {"type": "orchestrator"}, "reporter": {}, "charter": {"type": "worker"}}
    cases = [{"name": "base", "after": ["tagger", "charter"]}, {"name": "alone", "input": {}}]
    write_project(tmp_path, agents, {"reporter": cases, "charter": [{"after": ["charter"]}]})
    (tmp_path / "evals" / "broken.yaml").write_text("cases: [\n")  # make eval names it

    expected = [
        "evals/charter.yaml: case 0: after: 'charter' is not another worker of agents.yaml"
        " (remove it, or name the worker that replaced it)",
        "evals/reporter.yaml: case 'base': after: 'tagger' is not another worker of"
        " agents.yaml (remove it, or name the worker that replaced it)",
    ]
    assert regen.stale_eval_cases() == expected
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "x"]):
        git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", *command]
        subprocess.run(git, cwd=tmp_path, check=True)
    regen.report(added=[], removed=["tagger"])  # what `make regen` prints once Copier is done
    assert capsys.readouterr().out.splitlines()[1:3] == expected


names = st.sampled_from(["a", "b", "c", "boss", "gone"])


@given(
    workers=st.sets(st.sampled_from(["a", "b", "c"])),
    evals=st.dictionaries(
        st.sampled_from(["a", "b", "c"]),
        st.lists(st.fixed_dictionaries({"after": st.lists(names, max_size=3)}), max_size=3),
        max_size=3,
    ),
)
@settings(max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_regen_names_every_eval_case_after_no_other_worker(tmp_path, workers, evals):
    """One line per name of `after` that `make eval` would refuse: not another worker."""
    regen = load_script("regen")
    regen.PROJECT = tmp_path
    for old in (tmp_path / "evals").glob("*.yaml"):
        old.unlink()
    agents = {"boss": {"type": "orchestrator"}, **{name: {} for name in workers}}
    write_project(tmp_path, agents, evals)

    expected = [
        (f"evals/{agent}.yaml", number, earlier)
        for agent, cases in sorted(evals.items())
        for number, case in enumerate(cases)
        for earlier in case["after"]
        if earlier not in workers or earlier == agent
    ]
    lines = regen.stale_eval_cases()
    assert len(lines) == len(expected)
    for line, (path, number, earlier) in zip(lines, expected, strict=True):
        assert line.startswith(f"{path}: case {number}: after: {earlier!r} is not another worker")
