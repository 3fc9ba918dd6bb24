"""copier.yml asks what extensions/answers.py defines: names, choices and defaults agree."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from jinja2 import Environment, StrictUndefined

from extensions.answers import DEFAULTS, DOCUMENT_KEYS, PLAN_ANSWERS, QUESTIONS, copier_drift
from extensions.check import DEFAULT_ANSWERS
from extensions.context import SpecFilters
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
