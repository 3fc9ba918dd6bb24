"""Example job inputs: one per path the inputs can take through the rules."""

from __future__ import annotations

import ast
import itertools
import math
from typing import Any

from .spec import Agent, InputField, Rule, input_value_problem

MAX_COMBINATIONS = 512
# The error of a job in which no rule selected any agent (orchestrator/run.py).
NOTHING_SELECTED = "no rule matched the input"
MAX_NESTED_COMBINATIONS = 32
SAMPLE_VALUES: dict[str, Any] = {
    "str": "example",
    "int": 1,
    "float": 1.0,
    "bool": True,
    "list": [],
    "dict": {},
    "object": {},
}


class _Unknown(Exception):
    """The condition reads agent results, which the input alone cannot decide."""


_MISSING = object()


def _literal(node: ast.AST) -> Any:
    if isinstance(node, ast.Name):
        return {"true": True, "false": False, "null": None}.get(node.id, _MISSING)
    try:
        return ast.literal_eval(node)
    except ValueError:
        return _MISSING


def _value(node: ast.AST, roots: dict[str, Any]) -> Any:
    path: list[Any] = []
    while isinstance(node, ast.Attribute | ast.Subscript):
        if isinstance(node, ast.Attribute):
            path.append(node.attr)
        else:
            path.append(_literal(node.slice))
        node = node.value
    if isinstance(node, ast.Name) and node.id in ("input", "results", "prev_step") and path:
        if node.id not in roots:
            raise _Unknown
        value: Any = roots[node.id]
        for key in reversed(path):
            try:
                value = value[key]
            except (KeyError, IndexError, TypeError):
                return _MISSING
        return value
    return _literal(node)


_COMPARE = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


def _truth(node: ast.AST, roots: dict[str, Any]) -> bool:
    if isinstance(node, ast.BoolOp):
        values = (_truth(value, roots) for value in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _truth(node.operand, roots)
    if isinstance(node, ast.Compare):
        left = _value(node.left, roots)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _value(right_node, roots)
            if left is _MISSING or right is _MISSING:
                return False
            try:
                if not _COMPARE[type(op)](left, right):
                    return False
            except TypeError:
                return False
            left = right
        return True
    value = _value(node, roots)
    return value is not _MISSING and bool(value)


def condition_holds(condition: str, roots: dict[str, Any]) -> bool | None:
    """Whether a condition holds; None when it reads a root (``results``...) not given."""
    if condition.strip() == "always":
        return True
    try:
        return _truth(ast.parse(condition.strip(), mode="eval").body, roots)
    except _Unknown:
        return None


def _literals(rules: list[Rule]) -> list[Any]:
    found = []
    for rule in rules:
        if rule.condition.strip() == "always":
            continue
        for node in ast.walk(ast.parse(rule.condition.strip(), mode="eval")):
            value = _literal(node) if isinstance(node, ast.Constant | ast.Name) else _MISSING
            if value is not _MISSING and value is not None:
                found.append(value)
    return found


def _candidates(field: InputField, literals: list[Any]) -> list[Any]:
    if field.enum is not None:
        return list(field.enum)
    if field.type == "bool":
        return [True, False]
    values = [base_value(field)]
    if field.type == "object" and field.fields:
        # Nested fields vary too (a bounded product), so rules on nested paths get examples.
        names = list(field.fields)
        options = [_candidates(field.fields[name], literals) for name in names]
        combinations = itertools.islice(itertools.product(*options), MAX_NESTED_COMBINATIONS)
        values += [dict(zip(names, combination, strict=True)) for combination in combinations]
    elif field.type == "list" and field.items is not None:
        values += [[item] for item in _candidates(field.items, literals)[:MAX_NESTED_COMBINATIONS]]
    for value in literals:
        if field.type in ("int", "float") and isinstance(value, int | float):
            if not isinstance(value, bool):
                values += [value - 1, value, value + 1]
        elif field.type == "str" and isinstance(value, str):
            values.append(value)
    unique = []
    for value in values:
        if value not in unique and input_value_problem(field, value, "value") is None:
            unique.append(value)
    return unique


def base_value(field: InputField) -> Any:
    for value in (field.example, field.default):
        if value is not None:
            return value
    if field.enum:
        return field.enum[0]
    if field.type in ("int", "float"):
        value = SAMPLE_VALUES[field.type]
        if field.minimum is not None and value < field.minimum:
            value = math.ceil(field.minimum) if field.type == "int" else field.minimum
        if field.maximum is not None and value > field.maximum:
            value = math.floor(field.maximum) if field.type == "int" else field.maximum
        return value
    if field.type == "object" and field.fields:
        return {name: base_value(nested) for name, nested in field.fields.items()}
    return SAMPLE_VALUES[field.type]


def example_inputs(inputs: dict[str, InputField], rules: list[Rule]) -> list[dict[str, Any]]:
    """One example per distinct combination of input-decided rule outcomes.

    Returns ``[{"name": ..., "input": {...}, "rules": [fired rule names]}]``.
    """
    base = {name: base_value(field) for name, field in inputs.items()}
    conditional = [rule for rule in rules if rule.condition.strip() != "always"]
    literals = _literals(rules)
    names = list(inputs)
    choices = [_candidates(inputs[name], literals) for name in names]
    seen: dict[tuple[bool | None, ...], dict[str, Any]] = {}
    for values in itertools.islice(itertools.product(*choices), MAX_COMBINATIONS):
        job_input = {**base, **dict(zip(names, values, strict=True))}
        outcome = tuple(
            condition_holds(rule.condition, {"input": job_input}) for rule in conditional
        )
        seen.setdefault(outcome, job_input)
    examples = []
    for outcome, job_input in seen.items():
        fired = [rule.name for rule, held in zip(conditional, outcome, strict=True) if held]
        if fired:
            name = "_and_".join(fired)
        elif conditional:
            name = "without_" + "_".join(rule.name for rule in conditional)
        else:
            name = "default"
        if len(name) > 60:
            name = f"path_{len(examples) + 1}"
        examples.append({"name": name, "input": job_input, "rules": fired})
    if not examples:
        examples.append({"name": "default", "input": base, "rules": []})
    # The richest path first: it is the default input of `make run` and of the tests.
    return sorted(examples, key=lambda example: -len(example["rules"]))


def offline_output(name: str, agent: Agent) -> dict[str, Any]:
    """What the generated offline model answers for ``agent`` (see runtime/llm/offline.py)."""
    fields = agent.outputs.output_fields
    if not agent.capabilities.structured_output:
        return {"text": f"offline answer from {name}"}
    if not fields:
        return {"summary": f"offline answer from {name}"}
    samples = {"str": None, "int": 1, "float": 0.9, "bool": True, "list": [], "dict": {}}
    return {
        field: f"offline {field}" if type_name == "str" else samples[type_name]
        for field, type_name in fields.items()
    }


def expected_run(
    rules: list[Rule],
    job_input: dict[str, Any],
    outputs: dict[str, dict[str, Any]],
    *,
    failing: frozenset[str] = frozenset(),
    optional: frozenset[str] = frozenset(),
    stop_on_failure: bool = True,
) -> dict[str, Any]:
    """The steps and status a job should end with: the oracle of the generated scenario tests.

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


def nested_leaf(inputs: dict[str, InputField], job_input: dict[str, Any]) -> dict[str, Any] | None:
    """The deepest scalar below a nested input of ``job_input``, and a value of the wrong type.

    The generated tests put that value there and expect the error to name the path
    (``input.accounts[0].positions[0].quantity``). None when no input is nested.
    """
    found: list[tuple[list[str | int], str]] = []

    def walk(field: InputField, value: Any, pointer: list[str | int]) -> None:
        if field.type == "list" and field.items is not None and isinstance(value, list):
            for index, item in enumerate(value):
                walk(field.items, item, [*pointer, index])
        elif field.type == "object" and field.fields and isinstance(value, dict):
            for name, nested in field.fields.items():
                if value.get(name) is not None:
                    walk(nested, value[name], [*pointer, name])
        elif field.type in ("str", "int", "float", "bool") and len(pointer) > 1:
            found.append((pointer, field.type))

    for name, field in inputs.items():
        walk(field, job_input.get(name), [name])
    if not found:
        return None
    pointer, type_name = max(found, key=lambda leaf: len(leaf[0]))
    path = "input" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in pointer)
    return {"pointer": pointer, "path": path, "wrong": 1 if type_name == "str" else "text"}
