"""The template's questions in one place: each answer's name, choices and default.

copier.yml asks them, ``validation.Answers`` validates them, ``make check`` fills the defaults
from here, and ``copier_drift`` (run by tests/test_copier_answers.py) names any place where
copier.yml says otherwise. agents.yaml's own keys are listed here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# The parts of agents.yaml, and the original plan's blocks that fill scalar answers instead.
SPEC_KEYS = ("inputs", "agents", "orchestration")
PLAN_BLOCKS = ("project", "infrastructure", "llm")
# Every top-level key of agents.yaml, as the generated project's scripts/regen.py lists them.
DOCUMENT_KEYS = (*PLAN_BLOCKS, *SPEC_KEYS)

PRESETS = ("finance", "sales-analytics", "blank")
DATABASES = ("aurora-serverless-v2", "rds-postgres", "dynamodb")
LLM_PROVIDERS = ("bedrock", "openai", "anthropic")
OBSERVABILITY = ("none", "langfuse", "logfire")
ARCHITECTURES = ("x86_64", "arm64")
PYTHON_VERSIONS = ("3.12", "3.13")
# Each provider's default model, when neither the answers nor agents.yaml's llm block name one.
DEFAULT_MODELS = {
    "bedrock": "us.amazon.nova-pro-v1:0",
    "openai": "gpt-4.1-mini",
    "anthropic": "claude-sonnet-4-5",
}


@dataclass(frozen=True)
class Question:
    """One scalar answer. ``plan`` is (block, path) when agents.yaml's plan block fills it."""

    name: str
    default: Any
    choices: tuple[str, ...] = ()
    plan: tuple[str, tuple[str, ...]] | None = None


# In copier.yml's order. project_slug and jwt_audience default to other answers (None here).
QUESTIONS = (
    Question("preset", "finance", PRESETS),
    Question("project_name", "Agents App", plan=("project", ("name",))),
    Question("project_slug", None),
    Question("description", "Multi-agent application on AWS", plan=("project", ("description",))),
    Question("aws_region", "us-east-1", plan=("project", ("region",))),
    Question(
        "database",
        "aurora-serverless-v2",
        DATABASES,
        plan=("infrastructure", ("database", "provider")),
    ),
    Question("llm_provider", "bedrock", LLM_PROVIDERS, plan=("llm", ("provider",))),
    Question("llm_model", DEFAULT_MODELS["bedrock"], plan=("llm", ("model",))),
    Question("llm_fallback_model", "", plan=("llm", ("fallback_model",))),
    Question("observability", "none", OBSERVABILITY),
    Question("lambda_architecture", "arm64", ARCHITECTURES),
    Question("python_version", "3.12", PYTHON_VERSIONS),
    Question("api", True),
    Question("jwt_issuer", ""),
    Question("jwt_audience", None),
    Question("jwt_client_id", ""),
)
QUESTION = {question.name: question for question in QUESTIONS}
DEFAULTS = {question.name: question.default for question in QUESTIONS}

# (answer, block, path in the block): the block's value is the answer's default, and agents.yaml
# and the answers must agree. template/scripts/regen.py passes these answers from agents.yaml.
PLAN_ANSWERS = tuple((q.name, *q.plan) for q in QUESTIONS if q.plan is not None)

# Every answer the template reads, scalar or not.
ANSWER_KEYS = (*(question.name for question in QUESTIONS), *SPEC_KEYS, *PLAN_BLOCKS)


def slugify(text: str) -> str:
    """The slug copier.yml derives from a name (lowercase, dashes)."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "agents-app"


def copier_drift(copier_yml: dict[str, Any], render_default) -> list[str]:
    """Where copier.yml disagrees with ``QUESTIONS``: one line per question and field.

    ``render_default(question_name, context)`` renders copier.yml's default of a question with
    copier's filters, so a default written as a Jinja expression is compared by its value: with
    the plan blocks empty it must be this module's default, and with the block set it must be
    the block's value.
    """
    problems = []
    asked = [name for name, spec in copier_yml.items() if _is_scalar_question(name, spec)]
    if asked != [question.name for question in QUESTIONS]:
        problems.append(f"copier.yml asks {asked}, extensions/answers.py lists {list(QUESTION)}")
    context: dict[str, Any] = dict.fromkeys(PLAN_BLOCKS)
    for question in QUESTIONS:
        spec = copier_yml.get(question.name)
        if not isinstance(spec, dict):
            continue
        choices = spec.get("choices") or ()
        values = tuple(choices.values() if isinstance(choices, dict) else choices)
        if values != question.choices:
            problems.append(
                f"{question.name}: copier.yml's choices {list(values)} differ from "
                f"extensions/answers.py's {list(question.choices)}"
            )
        default = render_default(question.name, context)
        expected = question.default
        if question.name == "project_slug":
            expected = slugify(context["project_name"])
        if question.name == "jwt_audience":
            expected = context["project_slug"]
        if expected is not None and default != expected:
            problems.append(
                f"{question.name}: copier.yml's default {default!r} differs from "
                f"extensions/answers.py's {expected!r}"
            )
        if question.plan is not None:
            block, path = question.plan
            marker = "from-the-plan"
            nested: Any = marker
            for key in reversed(path):
                nested = {key: nested}
            planned = render_default(question.name, {**context, block: nested})
            if planned != marker:
                problems.append(
                    f"{question.name}: copier.yml's default does not read "
                    f"{block}.{'.'.join(path)} (extensions/answers.py's plan)"
                )
        context[question.name] = default
    for provider, model in DEFAULT_MODELS.items():
        default = render_default("llm_model", {**context, "llm_provider": provider})
        if default != model:
            problems.append(
                f"llm_model: copier.yml's default for {provider} is {default!r}, "
                f"extensions/answers.py's is {model!r}"
            )
    return problems


def _is_scalar_question(name: str, spec: Any) -> bool:
    return not name.startswith("_") and name not in (*SPEC_KEYS, *PLAN_BLOCKS)
