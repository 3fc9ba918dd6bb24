"""The corpus of specs: tests/specs/bad/*.yaml are refused with the messages they expect,
tests/specs/good/*.yaml and the presets load.

A bad spec names what its messages must contain in leading ``# expect: <substring>`` lines.
Bad specs are read as ``make check`` reads them (bounded YAML, unknown top-level keys, scalar
answers such as ``llm_model`` or ``project_slug`` given in the file); tests/test_render_inputs.py
passes each to a real ``copier copy --data-file``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from extensions.answers import PLAN_BLOCKS, SPEC_KEYS
from extensions.check import answers_for, check
from extensions.validation import SpecError, load_project

ROOT = Path(__file__).resolve().parent.parent
SPECS = Path(__file__).resolve().parent / "specs"
BAD = sorted((SPECS / "bad").glob("*.yaml"))
GOOD = sorted((SPECS / "good").glob("*.yaml")) + sorted((ROOT / "presets").glob("*.yaml"))


def corpus_answers(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text())
    assert isinstance(document, dict), f"{path.name}: not a mapping"
    unknown = set(document) - set(SPEC_KEYS) - set(PLAN_BLOCKS)
    assert not unknown, f"{path.name}: unexpected top-level keys {sorted(unknown)}"
    return answers_for(document, "corpus", path.name)  # copier.yml's defaults, as make check


def expectations(path: Path) -> list[str]:
    found = []
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# expect:"):
            found.append(line.removeprefix("# expect:").strip())
    return found


def test_the_corpus_is_there():
    assert len(BAD) >= 40
    names = {path.stem for path in GOOD}
    assert {"plan-alex-finance", "plan-sales-analytics", "finance", "sales-analytics", "blank"} <= (
        names
    )


def bad_spec_problems(path: Path) -> list[str]:
    """What ``make check`` reports, with the corpus's slug unless the file gives one."""
    text = path.read_text()
    code, lines = check(path, None if "\nproject_slug:" in text else "corpus")
    assert code in (1, 2), lines
    return lines


@pytest.mark.parametrize("path", BAD, ids=lambda path: path.stem)
def test_bad_spec_is_refused(path: Path):
    expected = expectations(path)
    assert expected, f"{path.name} has no '# expect:' line"
    problems = bad_spec_problems(path)
    assert all("\n" not in problem for problem in problems)
    joined = "\n".join(problems)
    for fragment in expected:
        assert fragment in joined, f"{path.name}: {fragment!r} not in\n{joined}"


@pytest.mark.parametrize("path", GOOD, ids=lambda path: path.stem)
def test_good_spec_loads(path: Path):
    assert not expectations(path), f"{path.name}: a good spec expects no message"
    project = load_project(corpus_answers(path))
    assert project.workers


def test_plan_examples_as_written():
    alex = load_project(corpus_answers(SPECS / "good" / "plan-alex-finance.yaml"))
    assert alex.orchestrator_name == "planner"
    assert alex.orchestration.strategy == "sequential"
    assert alex.inputs == {} and alex.inputs_inferred
    assert alex.workers["reporter"].dependencies.storage == "read-write"
    assert alex.orchestrator.dependencies.queue == "send"
    assert alex.orchestrator.runtime.triggers == ["sqs_queue"]
    assert alex.workers["tagger"].outputs.key == "tagger_result"

    sales = load_project(corpus_answers(SPECS / "good" / "plan-sales-analytics.yaml"))
    assert sales.orchestrator_name == "coordinator"
    assert list(sales.inputs) == ["analysis_type"]
    assert sales.inputs["analysis_type"].type == "str"
    assert sales.workers["insight_reporter"].outputs.key == "report"


def test_plan_phase_2_1_example_is_refused_naming_financial_analyzer():
    with pytest.raises(SpecError) as caught:
        load_project(corpus_answers(SPECS / "bad" / "plan-phase-2-1.yaml"))
    assert any("'financial_analyzer' is not defined" in p for p in caught.value.problems)


def test_five_problems_are_five_messages():
    with pytest.raises(SpecError) as caught:
        load_project(corpus_answers(SPECS / "bad" / "five-problems-at-once.yaml"))
    assert len(caught.value.problems) == 5, caught.value.problems
    assert len(bad_spec_problems(SPECS / "bad" / "five-problems-at-once.yaml")) == 5
