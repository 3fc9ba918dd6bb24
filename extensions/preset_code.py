"""Code that a preset ships for its agents, and how it lands in a generated project.

An agent with ``code: <preset>/<agent>`` in agents.yaml starts from the files of
``presets/<preset>/agents/<agent>/`` (its pipeline, prompts, schemas, tools) instead of
the template's generic ones, and the project then also gets the preset's shared code:

- ``presets/<preset>/agents/<agent>/<file>`` -> ``src/<package>/agents/<name>/<file>``
- ``presets/<preset>/package/<path>``        -> ``src/<package>/<path>``
- ``presets/<preset>/project/<path>``        -> ``<path>``

A file whose name ends in ``.jinja`` is rendered with the template's context (and loses the
suffix); the others are copied as they are. A path segment may be a Jinja condition, as in
the template (``{% if api %}test_auth.py{% endif %}``): a segment that renders empty leaves
the file out. The files are rendered like every template file, so ``copier update`` merges
the user's edits into them, and removing ``code:`` removes them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

ROOT = Path(__file__).resolve().parent.parent
PRESETS = ROOT / "presets"
TEMPLATE_SUFFIX = ".jinja"
# Files of an agent folder that the template generates unless the agent's code ships them.
GENERIC_AGENT_FILES = ("prompts.py", "schemas.py", "tools.py")
_paths = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)


@dataclass(frozen=True)
class CodeFile:
    path: str  # where it lands, relative to its root (the agent folder, package or project)
    source: str  # its path from the template root, for {% include %} (rendered files)
    rendered: bool
    text: str  # the content of a file copied as it is

    def context(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "source": self.source,
            "rendered": self.rendered,
            "text": "" if self.rendered else self.text,
        }


def available() -> list[str]:
    """Every ``<preset>/<agent>`` that ``code:`` may name."""
    return sorted(
        f"{folder.parent.parent.name}/{folder.name}"
        for folder in PRESETS.glob("*/agents/*")
        if folder.is_dir()
    )


def _folder(reference: str) -> Path:
    preset, _, agent = reference.partition("/")
    return PRESETS / preset / "agents" / agent


def _files(root: Path, answers: dict[str, Any]) -> list[CodeFile]:
    files = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        rendered = path.name.endswith(TEMPLATE_SUFFIX)
        parts = list(path.relative_to(root).parts)
        parts[-1] = parts[-1].removesuffix(TEMPLATE_SUFFIX)  # as Copier does, before rendering
        parts = [_paths.from_string(part).render(**answers) for part in parts]
        if not all(parts):
            continue
        files.append(
            CodeFile(
                path="/".join(parts),
                source=path.relative_to(ROOT).as_posix(),
                rendered=rendered,
                text="" if rendered else path.read_text(),
            )
        )
    return files


def agent_files(reference: str, answers: dict[str, Any]) -> list[CodeFile]:
    """The files of an agent's code, for its folder."""
    return _files(_folder(reference), answers)


def shared_files(presets: set[str], answers: dict[str, Any]) -> dict[str, list[CodeFile]]:
    """The package and project files of the presets whose code some agent uses."""
    found: dict[str, list[CodeFile]] = {"package": [], "project": []}
    for preset in sorted(presets):
        for kind in found:
            if (PRESETS / preset / kind).is_dir():
                found[kind] += _files(PRESETS / preset / kind, answers)
    return found


def ships_own_task(reference: str) -> bool:
    """Whether an agent's code makes its model's task itself (its prompts.py or pipeline.py)."""
    return any((_folder(reference) / name).is_file() for name in ("pipeline.py", "prompts.py"))


def _defined_names(path: Path, *, tools: bool) -> set[str]:
    """Classes and names a module defines (``tools``: its decorated functions)."""
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in tree.body:
        if tools:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.decorator_list:
                names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.ImportFrom):
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def code_problems(
    name: str, reference: str, tools: list[str], output_schema: str | None
) -> list[str]:
    """What in an agent's spec does not match the code it names (``output_schema``: the
    class its model answers with, None when its output is not structured)."""
    if not _folder(reference).is_dir():
        known = ", ".join(available()) or "none"
        return [f"agent {name!r}: code {reference!r} does not exist (available: {known})"]
    problems = []
    tools_file = _folder(reference) / "tools.py"
    if tools_file.is_file():
        defined = _defined_names(tools_file, tools=True)
        for tool in tools:
            if tool not in defined:
                problems.append(
                    f"agent {name!r}: code {reference!r} has no tool {tool!r} "
                    f"(its tools: {', '.join(sorted(defined)) or 'none'})"
                )
    schemas_file = _folder(reference) / "schemas.py"
    if output_schema and schemas_file.is_file():
        defined = _defined_names(schemas_file, tools=False)
        if output_schema not in defined:
            classes = ", ".join(sorted(n for n in defined if n[:1].isupper())) or "none"
            problems.append(
                f"agent {name!r}: code {reference!r} defines no output schema "
                f"{output_schema!r} (set capabilities.output_schema to one of: {classes})"
            )
    return problems
