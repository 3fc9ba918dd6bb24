"""Example job inputs: one per path the inputs can take through the rules."""

from __future__ import annotations

import ast
import itertools
import math
from typing import Any

from .conditions import LITERAL_NAMES, parse_condition
from .oracle import condition_holds
from .spec import Agent, InputField, Rule, input_value_problem

MAX_COMBINATIONS = 512
MAX_NESTED_COMBINATIONS = 32
# Input values an example starts from, by type.
SAMPLE_VALUES: dict[str, Any] = {
    "str": "example",
    "int": 1,
    "float": 1.0,
    "bool": True,
    "list": [],
    "dict": {},
    "object": {},
}
# What the offline model (runtime/offline.py) answers, generated into the project's config:
# a plain-text answer, a string field, and each other JSON scalar type.
OFFLINE_SAMPLES: dict[str, Any] = {
    "answer": "offline answer from {agent}",
    "string": "offline {field}",
    "integer": 1,
    "number": 0.9,
    "boolean": True,
    "null": None,
}
# The JSON type of each output field type (lists and dicts are sampled empty).
_JSON_TYPES = {"int": "integer", "float": "number", "bool": "boolean"}


def _literals(rules: list[Rule]) -> list[Any]:
    """The literals the rules compare with: values an example input should try."""
    found = []
    for rule in rules:
        condition = parse_condition(rule.condition)
        if condition.always:
            continue
        for node in ast.walk(condition.tree):
            if isinstance(node, ast.Constant) and node.value is not None:
                found.append(node.value)
            elif isinstance(node, ast.Name) and LITERAL_NAMES.get(node.id) is not None:
                found.append(LITERAL_NAMES[node.id])
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
    conditional = [rule for rule in rules if not parse_condition(rule.condition).always]
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
    answer = OFFLINE_SAMPLES["answer"].format(agent=name)
    if not agent.capabilities.structured_output:
        return {"text": answer}
    if not fields:
        return {"summary": answer}
    return {field: _offline_value(field, type_name) for field, type_name in fields.items()}


def _offline_value(field: str, type_name: str) -> Any:
    if type_name == "str":
        return OFFLINE_SAMPLES["string"].format(field=field)
    if type_name in _JSON_TYPES:
        return OFFLINE_SAMPLES[_JSON_TYPES[type_name]]
    return [] if type_name == "list" else {}


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
