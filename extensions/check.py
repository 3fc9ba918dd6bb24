"""Validate an agents.yaml without rendering anything: ``make check SPEC=path/to/agents.yaml``.

    python -m extensions.check path/to/agents.yaml [--slug SLUG]

Prints every problem, one per line, and exits 1; or prints a one-line summary and exits 0.
Exit 2 is a file that cannot be read or parsed. Never a traceback.

The scalar answers are the template's defaults, filled from the original plan's ``project``,
``infrastructure`` and ``llm`` blocks when the file has them (as ``copier copy --data-file``
does). The slug comes from ``--slug``, else from ``project.name``, else from the file name.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from .answers import (
    DEFAULT_MODELS,
    DEFAULTS,
    DOCUMENT_KEYS,
    PLAN_ANSWERS,
    PLAN_BLOCKS,
    QUESTION,
    SPEC_KEYS,
    slugify,
)
from .blocks import plan_value
from .bounds import BoundsError, load_yaml
from .timing import worst_case_path_seconds
from .validation import Answers, Project, SpecError, load_project

# copier.yml's defaults (project_slug and jwt_audience follow other answers, below).
DEFAULT_ANSWERS: dict[str, Any] = {
    name: value for name, value in DEFAULTS.items() if value is not None
}


class CheckError(Exception):
    """The file cannot be read or parsed (exit 2)."""


def read_document(path: Path) -> dict[str, Any]:
    """The YAML mapping in ``path``; ``CheckError`` with a one-line message otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CheckError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CheckError(f"{path}: is a directory, not a YAML file") from None
    except UnicodeDecodeError as error:
        raise CheckError(f"{path}: not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise CheckError(f"{path}: cannot be read ({error.strerror or error})") from None
    try:
        document = load_yaml(text)
    except BoundsError as error:
        raise CheckError(f"{path}: {error}") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        what = error.problem or error.context or "invalid YAML"
        raise CheckError(f"{path}: invalid YAML at {where}: {what}") from None
    except (yaml.YAMLError, RecursionError, ValueError) as error:
        message = " ".join(str(error).split()) or "invalid YAML"
        raise CheckError(f"{path}: invalid YAML: {message}") from None
    if document is None:
        raise CheckError(f"{path}: the file is empty")
    if not isinstance(document, dict):
        kind = type(document).__name__
        raise CheckError(
            f"{path}: expected a mapping with inputs, agents, orchestration, not {kind}"
        )
    return document


def as_copier_reads(name: str, value: Any) -> Any:
    """An answer as Copier casts it for its question: a number becomes the text of a str one.

    ``python_version: 3.13`` is a float in YAML, and Copier answers '3.13'.
    """
    question = QUESTION.get(name)
    is_text = question is not None and not isinstance(question.default, bool)
    if is_text and isinstance(value, int | float):
        return str(value)
    return value


def answers_for(document: dict[str, Any], slug: str | None, file_name: str) -> dict[str, Any]:
    """The answers ``load_project`` takes for a document, as copier would fill them."""
    answers: dict[str, Any] = dict(DEFAULT_ANSWERS)
    for key in Answers.model_fields:
        if key in document:  # a data file may carry scalar answers too
            answers[key] = as_copier_reads(key, document[key])
    for answer, block, path in PLAN_ANSWERS:
        value = plan_value(document.get(block), path)
        if value is not None and answer not in document:
            answers[answer] = as_copier_reads(answer, value)
    if "llm_model" not in document and plan_value(document.get("llm"), ("model",)) is None:
        answers["llm_model"] = DEFAULT_MODELS.get(answers["llm_provider"], answers["llm_model"])
    project_name = plan_value(document.get("project"), ("name",))
    if "project_name" in document:
        project_name = answers["project_name"]
    if slug is None:
        slug = answers.get("project_slug")
    if slug is None:
        slug = slugify(project_name if project_name is not None else Path(file_name).stem)
    answers["project_slug"] = slug
    answers.setdefault("jwt_audience", slug)
    answers.update({key: document.get(key) for key in DOCUMENT_KEYS})
    return answers


def document_problems(document: dict[Any, Any]) -> list[str]:
    """Top-level keys that neither the spec nor the answers know (typos such as ``agent``)."""
    known = {*SPEC_KEYS, *PLAN_BLOCKS, *Answers.model_fields}
    return [
        f"{key!r}: unknown top-level key (expected {', '.join(SPEC_KEYS)}, "
        f"or the plan's {', '.join(PLAN_BLOCKS)})"
        for key in document
        if key not in known
    ]


def summary(project: Project) -> str:
    count = len(project.workers)
    strategy = project.orchestration.strategy
    rules = len(project.orchestration.selection_rules)
    parts = [
        f"{count} worker{'s' if count != 1 else ''}",
        f"orchestrator {project.orchestrator_name} ({strategy})",
        f"{rules} rule{'s' if rules != 1 else ''}",
    ]
    if strategy != "planner":
        parts.append(f"worst-case path {worst_case_path_seconds(project)} s")
    if project.inputs_inferred and project.inputs:
        parts.append(f"inputs inferred: {', '.join(project.inputs)}")
    return "ok: " + ", ".join(parts)


def check(path: Path, slug: str | None = None) -> tuple[int, list[str]]:
    """(exit code, lines to print) for the file at ``path``."""
    try:
        document = read_document(path)
    except CheckError as error:
        return 2, [str(error)]
    problems = document_problems(document)
    try:
        project = load_project(answers_for(document, slug, path.name))
    except SpecError as error:
        problems.extend(error.problems)
    if problems:
        return 1, [f"{path}: {problem}" for problem in problems]
    return 0, [summary(project)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m extensions.check", description="Validate an agents.yaml."
    )
    parser.add_argument("spec", type=Path, help="path to agents.yaml")
    parser.add_argument("--slug", help="project slug (default: project.name or the file name)")
    arguments = parser.parse_args(argv)
    try:
        code, lines = check(arguments.spec, arguments.slug)
    except Exception as error:  # noqa: BLE001 - a bug here must still be one clear line
        code, lines = 3, [f"{arguments.spec}: internal error: {type(error).__name__}: {error}"]
    stream = sys.stdout if code == 0 else sys.stderr
    for line in lines:
        print(line, file=stream)
    return code


if __name__ == "__main__":
    sys.exit(main())
