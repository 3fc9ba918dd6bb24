"""Every ``{{ ... }}`` in template/ goes through an escaping filter, or prints a validated name.

The template's Jinja is parsed (not searched with a regular expression), so a value printed in
a conditional, a loop or a filter chain is found too. A value may reach a file raw only when
validation makes it safe in any syntax: the names listed in ``RAW`` below, with the reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import Environment, nodes

from extensions.escape import FILTERS

TEMPLATE = Path(__file__).resolve().parent.parent / "template"

# Filters that escape for a target syntax (extensions/escape.py), and Copier's own YAML dump of
# the answers file.
ESCAPING = frozenset(FILTERS) | {"to_nice_yaml"}
# Filters whose output is as safe as their input (their own arguments must be literals).
TRANSPARENT = frozenset({"join", "sort", "list", "capitalize", "replace", "lower"})
# Filters that print a number, whatever their input.
NUMERIC = frozenset({"length", "count"})

# Values printed raw, and why that is safe: validation refuses anything but these characters.
RAW = {
    # ^[a-z][a-z0-9_]*$ names (extensions/spec.py NAME_PATTERN), and names derived from them.
    "agent.name": "agent name",
    "orchestrator.name": "agent name",
    "name": "agent name (docs/security.md loops over the workers by name)",
    "field.name": "input or output field name",
    "field.path": "input field names joined by . and [] (extensions/derive.py input_rows)",
    "nested_input_leaf.path": "input. then field names and list indexes (extensions/examples.py)",
    "model.name": "nested input class: field names in CamelCase, + Item / a number (derive.py)",
    "example.name": "rule names joined by _and_, or path_<n>",
    "examples[].name": "rule names joined by _and_, or path_<n>",
    "orchestrator.invokes": "agent names",
    "agent": "agent name (loops over the agents of an external API, or of storage)",
    "agent.output_key": "outputs.key, ^[a-z][a-z0-9_]*$",
    # An agent's task (extensions/reads.py): input and agent names, and the template's words.
    "agent.task_text": "TASK's body: input and agent names in fixed sentences",
    "argument": "a line of task()'s call of TASK.format: a task field, as_json( and job_input or"
    " results.get of an input or agent name (extensions/reads.py argument_lines)",
    "given.prefix": "- and an input name and type, or a fixed sentence with an agent name",
    # The template's and the presets' own text, no value of the spec (extensions/layout.py).
    "line.folder": "a folder of the project: the template's paths and the package name",
    "line.text": "the template's or a preset's line for a folder",
    # ^[a-z][a-z0-9_-]*$ external API names, and the setting names derived from them.
    "api": "external API name (loops over a function's external APIs)",
    "api.name": "external API name",
    "api.url_variable": "^[A-Z][A-Z0-9_]*_URL, derived from the API name",
    "api.key_variable": "^[A-Z][A-Z0-9_]*_KEY, derived from the API name",
    # Python identifiers, not keywords, not a name of the module they land in.
    "tool": "tool name",
    "agent.tools": "tool names",
    "agent.output_schema": "output schema name",
    # The slug: ^[a-z][a-z0-9-]*[a-z0-9]$ without --, and the package name made from it.
    "project_slug": "slug",
    "package_name": "the slug with _ for -",
    # Choices and patterns of copier.yml, checked by the Answers model.
    "aws_region": "^[a-z]{2}(-gov)?-[a-z]+-\\d$",
    "llm_region": "the same pattern as aws_region (extensions/blocks.py)",
    "database": "choice",
    "llm_provider": "choice",
    "observability": "choice",
    "lambda_architecture": "choice",
    "python_version": "choice",
    "strategy": "choice",
    "on_failure": "choice",
    "function.database": "choice",
    "function.storage": "choice",
    "function.queue": "choice",
    "terraform_variables.orchestrator.storage": "choice",
    "function.secrets": "environment names ^[A-Z][A-Z0-9_]*$",
    "terraform_variables.orchestrator.secrets": "environment names ^[A-Z][A-Z0-9_]*$",
    "field.type": "input type (a choice)",
    "field.annotation": "annotation from a fixed table (extensions/derive.py)",
    # Numbers validated as integers.
    "agent.timeout": "int",
    "agent.memory": "int",
    "agent.retries": "int",
    "agent.max_turns": "int",
    "agent.worst_seconds": "int",
    "orchestrator.timeout": "int",
    "orchestrator.max_turns": "int",
    "worst_case_seconds": "int",
    "terraform_variables.database_capacity.min": "float, validated capacity units",
    "terraform_variables.database_capacity.max": "float, validated capacity units",
    "orchestrator_margin_seconds": "int",
    # The template's own pins (extensions/pins.py): requirement specifiers from pyproject.toml.
    "copier_tool": "--from/--with name==version from the template's pyproject.toml",
    "backoff_max_seconds": "int",
    "backoff_jitter_seconds": "int",
    # Generated by extensions/plan_compiler.py, whose every piece of user text goes through
    # escape.quote / one_line (comments) / mermaid_label.
    "plan_source": "compiled plan.py",
    "rules_diagram": "Mermaid diagram",
    # Constant messages of the generated code (extensions/oracle.py, derive.py): no user text.
    "nothing_selected": "constant message",
    # Files shipped in presets/ (`code:` in agents.yaml, extensions/preset_code.py): the
    # template's own source and paths, no user text.
    "file.path": "path of a file under presets/",
    "file.text": "text of a file under presets/",
    # Copier's own path of the answers file (a path segment).
    "_copier_conf.answers_file": "Copier setting",
}

PATH_EXPRESSION = re.compile(r"\{\{\s*(.*?)\s*\}\}")


def _path(node: nodes.Node) -> str | None:
    """``agent.name``, ``examples[].name``... for a variable lookup; None for anything else."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        inner = _path(node.node)
        return None if inner is None else f"{inner}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        inner = _path(node.node)
        if inner is None:
            return None
        key = node.arg.value
        return f"{inner}[]" if isinstance(key, int) else f"{inner}.{key}"
    return None


def unsafe_parts(node: nodes.Node) -> list[str]:
    """The parts of an expression that could print unescaped user text."""
    if isinstance(node, nodes.Const):
        return []
    if isinstance(node, nodes.Filter):
        if node.name in ESCAPING or node.name in NUMERIC:
            return []
        arguments = [*node.args, *(keyword.value for keyword in node.kwargs)]
        if node.name in TRANSPARENT and all(isinstance(a, nodes.Const) for a in arguments):
            return unsafe_parts(node.node)
        if node.name == "format" and isinstance(node.node, nodes.Const):
            return [part for argument in arguments for part in unsafe_parts(argument)]
        if node.name == "map" and node.args and node.args[0].value in ESCAPING:
            return []
        return [f"filter {node.name}"]
    if isinstance(node, nodes.CondExpr):
        return unsafe_parts(node.expr1) + (unsafe_parts(node.expr2) if node.expr2 else [])
    if isinstance(node, nodes.Or | nodes.And | nodes.Concat):
        operands = node.nodes if isinstance(node, nodes.Concat) else [node.left, node.right]
        return [part for operand in operands for part in unsafe_parts(operand)]
    if isinstance(node, nodes.Compare | nodes.Not | nodes.Test):
        return []  # a boolean
    path = _path(node)
    if path is not None and path in RAW:
        return []
    return [path or type(node).__name__]


def template_files() -> list[Path]:
    return sorted(
        path for path in TEMPLATE.rglob("*") if path.is_file() and path.suffix == ".jinja"
    )


def expressions(path: Path) -> list[nodes.Node]:
    """What the template prints; a call of one of its own macros is left out, since the
    macro's body is checked where it is defined."""
    tree = Environment().parse(path.read_text())
    macros = {macro.name for macro in tree.find_all(nodes.Macro)}
    found = []
    for output in tree.find_all(nodes.Output):
        found += [
            child
            for child in output.nodes
            if not isinstance(child, nodes.TemplateData)
            and not (
                isinstance(child, nodes.Call)
                and isinstance(child.node, nodes.Name)
                and child.node.name in macros
            )
        ]
    return found


def test_the_walk_finds_the_templates():
    files = template_files()
    assert len(files) > 40
    assert sum(len(expressions(path)) for path in files) > 150


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATE)))
def test_every_interpolation_is_escaped_or_a_validated_name(path: Path):
    problems = [
        f"line {node.lineno}: {part}" for node in expressions(path) for part in unsafe_parts(node)
    ]
    assert problems == []


def test_path_segments_print_only_validated_names():
    problems = []
    for path in TEMPLATE.rglob("*"):
        relative = str(path.relative_to(TEMPLATE))
        for expression in PATH_EXPRESSION.findall(relative):
            if expression not in RAW:
                problems.append(f"{relative}: {expression}")
    assert problems == []


@pytest.mark.parametrize(
    ("source", "unsafe"),
    [
        ("{{ description }}", ["description"]),
        ("{{ agent.description | replace('a', 'b') }}", ["agent.description"]),
        ("{{ llm_model | tojson }}", ["filter tojson"]),
        ("{{ agent.name ~ description }}", ["description"]),
        ("{{ x if y else agent.description }}", ["x", "agent.description"]),
        ("{{ description | pytext }}", []),
        ("{{ field.enum | map('md_cell') | join(', ') }}", []),
        ("{{ field.enum | join(', ') }}", ["field.enum"]),
        ("{{ agent.name }} {{ 'yes' if agent.optional else 'no' }}", []),
    ],
)
def test_the_check_itself(source: str, unsafe: list[str]):
    tree = Environment().parse(source)
    found = [
        part
        for output in tree.find_all(nodes.Output)
        for child in output.nodes
        if not isinstance(child, nodes.TemplateData)
        for part in unsafe_parts(child)
    ]
    assert found == unsafe


def test_a_macro_is_checked_where_it_is_defined(tmp_path: Path):
    template = tmp_path / "macro.jinja"
    template.write_text(
        "{% macro line(field) %}{{ field.name }} {{ field.description }}{% endmacro %}"
        "{{ line(field) }} {{ other(field) }}"
    )

    found = [part for node in expressions(template) for part in unsafe_parts(node)]

    # The macro's body is checked; a call of it is not, a call of anything else is.
    assert found == ["field.description", "Call"]
