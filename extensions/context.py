"""Copier glue: validate the answers once, add the derived context, and a few filters.

Loaded through ``copier_template_extensions.TemplateExtensionLoader`` (see copier.yml).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import re
import sys
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml
from copier.errors import UserMessageError
from copier_template_extensions import ContextHook
from jinja2 import Environment
from jinja2.ext import Extension
from pydantic import TypeAdapter, ValidationError


def _extensions_package() -> ModuleType:
    """Import this folder as a package under a name unique to its path.

    Copier loads this file as a lone module, and an update loads two template versions in
    one process: a per-path name keeps their modules apart.
    """
    folder = Path(__file__).resolve().parent
    name = "copier_aws_agents_" + hashlib.sha1(str(folder).encode()).hexdigest()[:12]
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, folder / "__init__.py", submodule_search_locations=[str(folder)]
        )
        package = importlib.util.module_from_spec(spec)
        sys.modules[name] = package
        spec.loader.exec_module(package)
    return sys.modules[name]


_package = _extensions_package().__name__
template_context = importlib.import_module(f"{_package}.derive").template_context
ESCAPING_FILTERS = importlib.import_module(f"{_package}.escape").FILTERS
_answers = importlib.import_module(f"{_package}.answers")
PLAN_BLOCKS, SPEC_KEYS, ANSWER_KEYS = _answers.PLAN_BLOCKS, _answers.SPEC_KEYS, _answers.ANSWER_KEYS
slugify = _answers.slugify
_validation = importlib.import_module(f"{_package}.validation")
SpecError, load_project = _validation.SpecError, _validation.load_project
document_problems = importlib.import_module(f"{_package}.check").document_problems
bounds_problem = importlib.import_module(f"{_package}.bounds").data_problem

PRESETS = Path(__file__).resolve().parent.parent / "presets"


def format_problems(problems: list[str]) -> str:
    lines = "\n".join(f"  - {problem}" for problem in problems)
    return f"agents.yaml or the answers are invalid ({len(problems)} problems):\n{lines}"


@lru_cache(maxsize=8)
def _derived(answers_json: str) -> dict[str, Any]:
    answers = json.loads(answers_json)
    try:
        project = load_project(answers)
    except SpecError as error:
        raise UserMessageError(format_problems(error.problems)) from None
    document = {key: answers[key] for key in PLAN_BLOCKS if answers.get(key)}
    document.update({key: answers[key] for key in SPEC_KEYS})
    return {**template_context(project), "spec_document": document}


def data_problems(data: dict[str, Any], answers: dict[str, Any]) -> list[str]:
    """Keys of the --data-file / --data that no question has, and answers out of bounds.

    Copier ignores unknown data keys; ``make check`` refuses them: so does a copy. The bounds
    come first, before anything walks an alias bomb.
    """
    problems = document_problems({key: None for key in data if not str(key).startswith("_")})
    for question in _answers.QUESTIONS:
        given = data.get(question.name)
        if (
            isinstance(question.default, bool)
            and question.name in data
            and not _is_yes_or_no(given)
        ):
            # Copier takes any word it does not know (`-d api=maybe`), or a list, as yes.
            problems.append(
                f"{question.name}: {_shown(given)} is not yes or no (true/false, on/off, 1/0)"
            )
    for key, value in answers.items():
        problem = bounds_problem(value)
        if problem:
            problems.append(f"{key}: {problem}")
    return problems


def _is_yes_or_no(value: Any) -> bool:
    if isinstance(value, str):
        value = value.strip()
    try:
        TypeAdapter(bool).validate_python(value)
    except ValidationError:
        return False
    return True


def _shown(value: Any, limit: int = 60) -> str:
    """``value`` as Python writes it, cut to ``limit`` characters for a one-line message."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


class ContextUpdater(ContextHook):
    """Validate the spec once per set of answers and add the derived context."""

    def hook(self, context: dict[str, Any]) -> None:
        if str(context.get("_copier_phase")) not in ("render", "tasks"):
            # Still asking questions: validate once all answers are in. A migration's command
            # reads no derived value, and Copier renders it without the answers.
            return
        answers = {key: context.get(key, "") for key in ANSWER_KEYS}
        problems = data_problems(context["_copier_conf"]["data"], answers)
        if problems:
            raise UserMessageError(format_problems(problems))
        context.update(_derived(json.dumps(answers, default=str)))


def load_preset(preset: str) -> dict[str, Any]:
    path = PRESETS / f"{preset}.yaml"
    if not path.is_file():
        raise UserMessageError(
            f"preset {preset!r} does not exist (choose {', '.join(_answers.PRESETS)})"
        )
    return yaml.safe_load(path.read_text())


def preset_section(preset: str, key: str) -> str:
    """YAML text of one section of a preset, for a question's default."""
    return yaml.safe_dump(load_preset(preset).get(key), sort_keys=False)


def preset_inputs(agents: Any, preset: str) -> str:
    """The preset's inputs when the agents are the preset's own, else null (inferred)."""
    spec = load_preset(preset)
    inputs = spec.get("inputs") if agents == spec.get("agents") else None
    return yaml.safe_dump(inputs, sort_keys=False)


def plan_value(block: Any, path: str, default: Any) -> Any:
    """A value from the original plan's project/infrastructure/llm blocks, or the default."""
    value = block
    for key in path.split("."):
        if not isinstance(value, dict) or value.get(key) in (None, ""):
            return default
        value = value[key]
    # A YAML block scalar (description: >) ends with a line break that is not part of the text.
    return value.strip() if isinstance(value, str) else value


def recorded_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers file's content, with a template copied from a relative path recorded by its
    absolute path: Copier records the path as given, and `make regen` / `make update` run it
    from the project, where a relative path (`make demo` copies from ``.``) points elsewhere."""
    source = answers.get("_src_path")
    if not isinstance(source, str) or re.match(r"^[\w.+-]+:", source) or "@" in source:
        return answers  # a URL or a shortcut such as gh:owner/name or git@host:owner/name
    path = Path(source).expanduser()
    if path.is_absolute() or not path.is_dir():
        return answers
    return {**answers, "_src_path": str(path.resolve())}


class SpecFilters(Extension):
    """Filters for copier.yml defaults and the templates."""

    def __init__(self, environment: Environment):
        super().__init__(environment)
        environment.filters.update(
            preset_section=preset_section,
            preset_inputs=preset_inputs,
            plan_value=plan_value,
            recorded_answers=recorded_answers,
            slug=slugify,
            **ESCAPING_FILTERS,
        )
