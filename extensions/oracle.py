"""The oracle: what a job's rules should do, decided apart from the compiler and the runtime.

It interprets a parsed condition (``conditions.parse_condition``) directly, without the compiled
``plan.py`` or the runtime's helpers, so a test that compares the two catches a fault in either.
Only test material reads it: the generated scenario tests' expected runs (``derive.scenarios``),
the example inputs' grouping by the rules they fire (``examples.py``), and the template's
property tests (tests/test_plan_properties.py).
"""

from __future__ import annotations

import ast
import operator
from typing import Any

from .conditions import LITERAL_NAMES, ROOTS, parse_condition
from .spec import Rule

# The error of a job in which no rule selected any agent (orchestrator/run.py).
NOTHING_SELECTED = "no rule matched the input"

_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda item, container: item in container,
    ast.NotIn: lambda item, container: item not in container,
}


class _Unknown(Exception):
    """The condition reads a root (agent results) that was not given."""


class _Missing:
    """A path that does not exist in the job."""


MISSING = _Missing()


def _walk(value: Any, keys: list[Any]) -> Any:
    for key in keys:
        if isinstance(key, str):
            if not isinstance(value, dict) or key not in value:
                return MISSING
        elif not isinstance(value, list) or not -len(value) <= key < len(value):
            return MISSING
        value = value[key]
    return value


def _value(node: ast.AST, roots: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return LITERAL_NAMES[node.id]
    if isinstance(node, ast.UnaryOp):
        return -_value(node.operand, roots)
    if isinstance(node, ast.List | ast.Tuple):
        return [_value(item, roots) for item in node.elts]
    keys: list[Any] = []
    while isinstance(node, ast.Attribute | ast.Subscript):
        keys.append(node.attr if isinstance(node, ast.Attribute) else _value(node.slice, roots))
        node = node.value
    keys.reverse()
    assert isinstance(node, ast.Name) and node.id in ROOTS, "a checked condition"
    if node.id not in roots:
        raise _Unknown
    return _walk(roots[node.id], keys)


def _holds(node: ast.AST, roots: dict[str, Any]) -> bool:
    if isinstance(node, ast.BoolOp):
        values = (_holds(value, roots) for value in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _holds(node.operand, roots)
    if isinstance(node, ast.Compare):
        sides = [_value(side, roots) for side in (node.left, *node.comparators)]
        for index, op in enumerate(node.ops):
            left, right = sides[index], sides[index + 1]
            if left is MISSING or right is MISSING:
                return False
            try:
                if not _COMPARE[type(op)](left, right):
                    return False
            except TypeError:
                return False
        return True
    value = _value(node, roots)
    return value is not MISSING and bool(value)


def condition_holds(condition: str, roots: dict[str, Any]) -> bool | None:
    """Whether a checked condition holds for ``roots`` (``input``, ``results``, ``prev_step``);
    None when it reads a root that ``roots`` does not give."""
    parsed = parse_condition(condition)
    if parsed.always:
        return True
    try:
        return _holds(parsed.tree, roots)
    except _Unknown:
        return None


def expected_run(
    rules: list[Rule],
    job_input: dict[str, Any],
    outputs: dict[str, dict[str, Any]],
    *,
    failing: frozenset[str] = frozenset(),
    optional: frozenset[str] = frozenset(),
    stop_on_failure: bool = True,
) -> dict[str, Any]:
    """The steps and status a job should end with: the generated scenario tests' expectation.

    A job in which no rule selects any agent fails with ``NOTHING_SELECTED`` as its error.
    """
    done: dict[str, dict[str, Any]] = {}
    steps: list[dict[str, Any]] = []
    failed: list[str] = []
    previous: list[str] = []
    selected = False
    for rule in rules:
        roots = {
            "input": job_input,
            "results": done,
            "prev_step": {name: done[name] for name in previous if name in done},
        }
        branch = rule.steps if condition_holds(rule.condition, roots) else rule.otherwise
        selected = selected or any(step.agents for step in branch)
        for step in branch:
            ran = [name for name in step.agents if name not in done]
            previous = list(step.agents)
            stopped = False
            for name in ran:
                if stopped:
                    break
                if name in failing:
                    if name not in optional:
                        failed.append(name)
                        stopped = stop_on_failure and not step.parallel
                else:
                    done[name] = outputs[name]
            if stopped:
                ran = ran[: ran.index(failed[-1]) + 1]
            if ran:
                steps.append({"rule": rule.name, "parallel": step.parallel, "agents": ran})
            if failed and stop_on_failure:
                return {"steps": steps, "failed": failed, "status": "failed"}
    if not selected:
        return {"steps": [], "failed": [], "status": "failed", "error": NOTHING_SELECTED}
    return {"steps": steps, "failed": failed, "status": "failed" if failed else "completed"}
