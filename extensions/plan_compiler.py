"""Compile the selection rules of agents.yaml into ``orchestrator/plan.py`` and a diagram.

- :func:`compile_plan` returns the source of ``plan.py``: one ``if`` per rule, in order, with
  the rule's condition as a comment, and ``await run.sequential(...)`` /
  ``await run.parallel(...)`` per step. The code is laid out the way ``ruff format`` lays it
  out (so ``ruff format --check`` passes on a generated project) for the given line length.
- :func:`mermaid_diagram` returns a Mermaid ``flowchart TD`` of the rules.

Both take rules already validated by the spec model (conditions checked with
:func:`conditions.check_condition`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .conditions import Tree, condition_tree, helpers_used, quote
from .escape import mermaid_label as _label
from .escape import one_line as _comment_text

__all__ = ["compile_plan", "mermaid_diagram"]

INDENT = "    "


class StepLike(Protocol):
    parallel: bool
    agents: list[str]


class RuleLike(Protocol):
    name: str
    condition: str
    steps: Sequence[StepLike]
    otherwise: Sequence[StepLike]


@dataclass(frozen=True)
class _Rule:
    name: str
    condition: str
    steps: list[tuple[bool, list[str]]]
    otherwise: list[tuple[bool, list[str]]]


def _rules(rules: Sequence[Any], strategy: str, workers: list[str]) -> list[_Rule]:
    found = [
        _Rule(
            rule.name,
            (rule.condition or "always").strip() or "always",
            [(bool(step.parallel), list(step.agents)) for step in rule.steps],
            [(bool(step.parallel), list(step.agents)) for step in (rule.otherwise or [])],
        )
        for rule in rules
    ]
    if not found and strategy in ("sequential", "parallel") and workers:
        found = [_Rule("all_workers", "always", [(strategy == "parallel", list(workers))], [])]
    return found


# ---------------------------------------------------------------------------------------------
# A small document printer with the semantics of ruff's (Prettier-style groups). Documents:
# str | list | _Group | _Indent | _Line | _IfBreak.


@dataclass
class _Group:
    contents: list[Any]


@dataclass
class _Indent:
    contents: list[Any]


@dataclass(frozen=True)
class _Line:
    space: bool  # printed as a space (True) or nothing (False) when its group is flat


@dataclass(frozen=True)
class _IfBreak:
    broken: str
    flat: str = ""


_SOFT = _Line(False)
_SPACE = _Line(True)
_FLAT, _BREAK = 0, 1


def _fits(next_cmd: tuple[int, int, Any], rest: list[tuple[int, int, Any]], width: int) -> bool:
    stack = [next_cmd]
    rest_index = len(rest)
    while width >= 0:
        if not stack:
            if rest_index == 0:
                return True
            rest_index -= 1
            stack.append(rest[rest_index])
            continue
        indent, mode, doc = stack.pop()
        if isinstance(doc, str):
            width -= len(doc)
        elif isinstance(doc, list):
            stack.extend((indent, mode, item) for item in reversed(doc))
        elif isinstance(doc, _Group | _Indent):
            stack.extend((indent, mode, item) for item in reversed(doc.contents))
        elif isinstance(doc, _IfBreak):
            width -= len(doc.broken if mode == _BREAK else doc.flat)
        elif isinstance(doc, _Line):
            if mode == _BREAK:
                return True
            width -= 1 if doc.space else 0
    return False


def _print_doc(doc: Any, indent: int, width: int) -> list[str]:
    """Print a document whose first line starts at ``indent`` columns."""
    lines: list[str] = []
    current = " " * indent
    stack: list[tuple[int, int, Any]] = [(indent, _BREAK, doc)]
    while stack:
        level, mode, item = stack.pop()
        if isinstance(item, str):
            current += item
        elif isinstance(item, list):
            stack.extend((level, mode, part) for part in reversed(item))
        elif isinstance(item, _Indent):
            stack.extend((level + 4, mode, part) for part in reversed(item.contents))
        elif isinstance(item, _Group):
            flat = mode == _FLAT or _fits((level, _FLAT, item), stack, width - len(current))
            chosen = _FLAT if flat else _BREAK
            stack.extend((level, chosen, part) for part in reversed(item.contents))
        elif isinstance(item, _IfBreak):
            current += item.broken if mode == _BREAK else item.flat
        elif isinstance(item, _Line):
            if mode == _BREAK:
                lines.append(current.rstrip())
                current = " " * level
            elif item.space:
                current += " "
    lines.append(current.rstrip())
    return lines


def _join(items: list[Any], separator: str) -> list[Any]:
    joined: list[Any] = []
    for index, item in enumerate(items):
        if index:
            joined += [separator, _SPACE]
        joined.append(item)
    return joined


def _bracketed(opening: str, items: list[Any], closing: str, *, inner_group: bool) -> Any:
    if not items:
        return opening + closing
    content: list[Any] = [*_join(items, ","), _IfBreak(",")]
    body: Any = _Group(content) if inner_group else content
    return _Group([opening, _Indent([_SOFT, body]), _SOFT, closing])


def _doc(tree: Tree, *, bool_breaks: bool = True) -> Any:
    """The document of a compiled condition (see ``conditions.condition_tree``)."""
    kind = tree[0]
    if kind == "atom":
        return tree[1]
    if kind == "call":
        return _bracketed(f"{tree[1]}(", [_doc(arg) for arg in tree[2]], ")", inner_group=True)
    if kind == "list":
        return _bracketed("[", [_doc(item) for item in tree[1]], "]", inner_group=False)
    if kind == "not":
        return ["not ", _doc(tree[1])]
    if kind == "paren":
        return _Group(["(", _Indent([_SOFT, _doc(tree[1])]), _SOFT, ")"])
    if kind == "bool":
        parts: list[Any] = [_doc(tree[2][0])]
        for operand in tree[2][1:]:
            parts += [_SPACE if bool_breaks else " ", f"{tree[1]} ", _doc(operand)]
        return _Group(parts) if bool_breaks else parts
    raise ValueError(f"unknown tree node {kind!r}")


def _if_lines(tree: Tree, indent: int, width: int) -> list[str]:
    """``if <condition>:`` as ruff formats it."""
    flat = _print_doc(["if ", _doc(tree), ":"], indent, 10**9)
    if len(flat) == 1 and len(flat[0]) <= width:
        return flat
    if tree[0] != "bool":
        return _print_doc(["if ", _doc(tree), ":"], indent, width)
    parenthesized = _Group([_IfBreak("("), _Indent([_SOFT, _doc(tree)]), _SOFT, _IfBreak(")")])
    with_parentheses = _print_doc(["if ", parenthesized, ":"], indent, width)
    if len(tree[2]) > 2:
        return with_parentheses
    # With two operands, ruff omits the optional parentheses when splitting the operands'
    # own brackets is enough, or when nothing fits anyway.
    omitted = _print_doc(["if ", _doc(tree, bool_breaks=False), ":"], indent, width)
    if all(len(line) <= width for line in omitted):
        return omitted
    if all(len(line) <= width for line in with_parentheses):
        return with_parentheses
    return omitted


# ---------------------------------------------------------------------------------------------
# plan.py


def _comment_lines(prefix: str, text: str, indent: int, width: int) -> list[str]:
    """``# prefix text`` wrapped at ``width``; continuation lines are indented by two."""
    follow = " " * indent + "#  "
    room = max(width - len(follow) - 1, 10)
    words = [
        word[start : start + room]
        for word in text.split(" ")
        if word
        for start in range(0, len(word), room)
    ]
    lines: list[str] = []
    current = " " * indent + "# " + prefix
    fresh = False  # True when ``current`` is a continuation prefix without words yet
    for word in words:
        if fresh or len(current) + 1 + len(word) <= width:
            current += " " + word
            fresh = False
        else:
            lines.append(current)
            current, fresh = follow + " " + word, False
    lines.append(current)
    return lines


def _step_lines(rule: str, step: tuple[bool, list[str]], indent: int, width: int) -> list[str]:
    method = "parallel" if step[0] else "sequential"
    agents = _bracketed("[", [quote(agent) for agent in step[1]], "]", inner_group=False)
    call = _bracketed(f"await run.{method}(", [quote(rule), agents], ")", inner_group=True)
    return _print_doc(call, indent, width)


def compile_plan(
    rules: Sequence[Any],
    *,
    on_failure: str,
    strategy: str,
    workers: list[str],
    line_length: int = 88,
) -> str:
    """The source of ``plan.py`` for validated rules.

    With no rules and strategy ``sequential`` / ``parallel``, one rule named ``all_workers``
    runs every worker in one step of that kind. ``line_length`` is the generated project's
    ruff line length. ``on_failure`` only shows in the module docstring: the runtime
    (``PlanRun``) enforces it.
    """
    compiled = _rules(rules, strategy, workers)
    helpers: set[str] = set()
    for rule in compiled:
        helpers |= helpers_used(rule.condition)
    stop = (
        "the plan stops after the step in which a required agent fails"
        if on_failure == "stop"
        else "the plan goes on when an agent fails; the job fails at the end"
    )
    out = [
        '"""Orchestration rules compiled from agents.yaml.',
        "",
        "Generated by the template: edit agents.yaml and run `make regen` instead of this file.",
        f"On failure: {on_failure} ({stop}).",
        '"""',
        "",
    ]
    if helpers:
        out.append(f"from ..runtime.conditions import {', '.join(sorted(helpers))}")
    out += [
        "from ..runtime.steps import PlanRun",
        "",
        "",
        "async def run_plan(run: PlanRun) -> None:",
    ]
    docstring = "Run the rules in order; each condition is evaluated when its rule is reached."
    out.append(f'{INDENT}"""{docstring}"""')
    for index, rule in enumerate(compiled):
        if index:
            out.append("")
        out += _comment_lines(f"Rule {rule.name}:", _comment_text(rule.condition), 4, line_length)
        tree = condition_tree(rule.condition)
        if tree == ("atom", "True"):
            for step in rule.steps:
                out += _step_lines(rule.name, step, 4, line_length)
            continue
        out += _if_lines(tree, 4, line_length)
        for step in rule.steps:
            out += _step_lines(rule.name, step, 8, line_length)
        if rule.otherwise:
            out.append(f"{INDENT}else:")
            for step in rule.otherwise:
                out += _step_lines(rule.name, step, 8, line_length)
    # A string literal can be longer than a line: ruff format leaves it so, and so do we.
    out = [
        f"{line}  # noqa: E501"
        if len(line) > line_length and not line.lstrip().startswith("#")
        else line
        for line in out
    ]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# Mermaid


@dataclass
class _Chart:
    lines: list[str] = field(default_factory=list)
    count: int = 0

    def node(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"


def _steps_chart(
    chart: _Chart, rule: str, steps: list[tuple[bool, list[str]]], entry: str, label: str
) -> str:
    """Draw steps after ``entry`` (edge label ``label``); return the last node."""
    previous, edge = entry, f"-->|{label}|" if label else "-->"
    for parallel, agents in steps:
        if parallel and len(agents) > 1:
            fork, join = chart.node("fork"), chart.node("join")
            group = chart.node("par")
            chart.lines.append(f"    {previous} {edge} {fork}(())")
            chart.lines.append(f'    subgraph {group}["{_label(rule)}: parallel"]')
            chart.lines.append("        direction LR")
            nodes = []
            for agent in agents:
                node = chart.node("a")
                nodes.append(node)
                chart.lines.append(f'        {node}["{_label(agent)}"]')
            chart.lines.append("    end")
            for node in nodes:
                chart.lines.append(f"    {fork} --> {node}")
                chart.lines.append(f"    {node} --> {join}")
            chart.lines.append(f"    {join}(())")
            previous, edge = join, "-->"
        else:
            for agent in agents:
                node = chart.node("a")
                chart.lines.append(f'    {previous} {edge} {node}["{_label(agent)}"]')
                previous, edge = node, "-->"
    return previous


def mermaid_diagram(
    rules: Sequence[Any], *, strategy: str, workers: list[str], orchestrator: str
) -> str:
    """A Mermaid ``flowchart TD`` of the rules (or of the planner and its workers)."""
    chart = _Chart(["flowchart TD"])
    chart.lines.append(f'    start(["job: {_label(orchestrator)}"])')
    if strategy == "planner":
        planner = chart.node("o")
        chart.lines.append(f'    start --> {planner}["{_label(orchestrator)} (planner)"]')
        for worker in workers:
            node = chart.node("w")
            chart.lines.append(
                f'    {planner} -.->|"invoke_{_label(worker)}"| {node}["{_label(worker)}"]'
            )
        chart.lines.append(f"    {planner} --> done([done])")
        return "\n".join(chart.lines) + "\n"
    previous = "start"
    for rule in _rules(rules, strategy, workers):
        if condition_tree(rule.condition) == ("atom", "True"):
            previous = _steps_chart(chart, rule.name, rule.steps, previous, "")
            continue
        decision = chart.node("r")
        chart.lines.append(
            f'    {previous} --> {decision}{{"{_label(rule.name)}: {_label(rule.condition)}"}}'
        )
        merge = chart.node("m")
        yes = _steps_chart(chart, rule.name, rule.steps, decision, "yes")
        chart.lines.append(f"    {yes} --> {merge}(())")
        if rule.otherwise:
            other = _steps_chart(chart, rule.name, rule.otherwise, decision, "else")
            chart.lines.append(f"    {other} --> {merge}")
        else:
            chart.lines.append(f"    {decision} -->|skip| {merge}")
        previous = merge
    chart.lines.append(f"    {previous} --> done([done])")
    return "\n".join(chart.lines) + "\n"
