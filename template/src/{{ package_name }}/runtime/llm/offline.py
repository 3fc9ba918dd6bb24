"""The offline model: deterministic, schema-valid answers without a provider or a key.

Built on the Agents SDK's ``ScriptedModel``. Each agent answers with its scripted output
(``use_outputs``: a JSON object, or a text given as the model's answer as it is) or with a
sample built from its output schema (the schema's first example where it gives one), so a
local run or a test goes through the same validation and storage as a real answer. A
scripted ``{"$error": "message"}`` makes the agent fail, whether or not it asks the model;
``"$fail_attempts": N`` fails only the first N attempts (to exercise retries).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

from agents.testing import ModelCall, ModelStep, ScriptedModel, assistant_message, function_call

from ... import config

_scripted: dict[str, dict[str, Any] | str] = {}
_attempts: Counter[str] = Counter()


class ScriptedFailure(RuntimeError):
    """The failure an agent was scripted to report."""


def use_outputs(outputs: dict[str, dict[str, Any] | str]) -> None:
    """Script agents' outputs by name (as given to `run --outputs`)."""
    _scripted.clear()
    _scripted.update(outputs)
    _attempts.clear()


def fail_if_scripted(agent: str) -> None:
    """Raise the failure ``agent`` is scripted to report on this attempt, if any."""
    scripted = _scripted.get(agent)
    if isinstance(scripted, dict) and "$error" in scripted:
        _attempts[agent] += 1
        if _attempts[agent] <= scripted.get("$fail_attempts", float("inf")):
            raise ScriptedFailure(scripted["$error"])


def sample(schema: dict[str, Any], defs: dict[str, Any], name: str) -> Any:
    """A value that satisfies a (pydantic-generated) JSON schema."""
    if schema.get("examples"):
        return schema["examples"][0]
    if "$ref" in schema:
        return sample(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, name)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return sample(options[0], defs, name)
    kind = schema.get("type", "object")
    if kind == "object":
        properties = schema.get("properties", {})
        return {key: sample(value, defs, key) for key, value in properties.items()}
    if kind == "array":
        return []
    if kind == "string":
        return config.OFFLINE_SAMPLES["string"].format(field=name)
    return config.OFFLINE_SAMPLES[kind]


def _plain_answer(agent: str) -> str:
    return config.OFFLINE_SAMPLES["answer"].format(agent=agent)


def _answer(agent: str, call: ModelCall) -> ModelStep:
    scripted = _scripted.get(agent)
    if isinstance(scripted, dict) and "$error" in scripted:
        scripted = None  # its failures were raised before the agent ran (fail_if_scripted)
    if scripted is None:
        if call.output_schema is None or call.output_schema.is_plain_text():
            return ModelStep(output=[assistant_message(_plain_answer(agent))])
        schema = call.output_schema.json_schema()
        scripted = sample(schema, schema.get("$defs", {}), agent) or {
            "summary": _plain_answer(agent)
        }
    text = scripted if isinstance(scripted, str) else json.dumps(scripted)
    return ModelStep(output=[assistant_message(text)])


def offline_model(agent: str, latency: float = 0.0) -> ScriptedModel:
    """A model that answers once for ``agent`` after ``latency`` seconds."""

    async def respond(call: ModelCall) -> ModelStep:
        if latency:
            await asyncio.sleep(latency)
        return _answer(agent, call)

    return ScriptedModel([ModelStep.respond(respond)])


def offline_planner() -> ScriptedModel:
    """A planner that calls every tool it is given, in one turn, then reports it is done."""

    def call_tools(call: ModelCall) -> ModelStep:
        calls = [
            function_call(tool.name, {}, call_id=f"call_{index}")
            for index, tool in enumerate(call.tools)
        ]
        return ModelStep(output=calls)

    def finish(call: ModelCall) -> ModelStep:
        return ModelStep(output=[assistant_message("Every worker ran.")])

    return ScriptedModel([ModelStep.respond(call_tools), ModelStep.respond(finish)])
