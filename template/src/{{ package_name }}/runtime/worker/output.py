"""An agent's output as its result stores it: exactly as the agent made it, or refused.

Whatever an agent returns (the model's final output, or its pipeline's value) becomes one
JSON object, which must pass the rules of the input gate (gate.py) that every job store
needs to hold it exactly: no NUL (PostgreSQL's text and jsonb cannot hold it), no lone
surrogate (not UTF-8), finite numbers, integers within +-(2**53 - 1), string keys, nesting
at most ``gate.MAX_DEPTH`` deep; and at most ``MAX_OUTPUT_BYTES`` as compact JSON. That
size keeps a result within every store's limits: the Data API returns at most 64 KB per row
(PostgreSQL's text of the output takes up to 1.5 times the compact size), and DynamoDB's
items hold 400 KB (the output's JSON escaped takes up to 3 times).

An output that breaks a rule is neither escaped nor cut: the attempt fails with one error
naming the agent and the field, and retries as any failed attempt does.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from ... import gate

MAX_OUTPUT_BYTES = 32 * 1024


class UnstorableOutput(ValueError):
    """An agent's output that the job stores cannot hold exactly."""


def as_json_object(output: Any) -> dict[str, Any]:
    """The agent's final output as a JSON object: a model's fields, a dict (values that are
    not JSON written as text), or any other value as ``{"text": str(value)}``."""
    if isinstance(output, BaseModel):
        return output.model_dump(mode="json")
    if isinstance(output, dict):
        return json.loads(json.dumps(output, default=str))
    return {"text": str(output)}


def storable_output(agent: str, output: Any) -> dict[str, Any]:
    """``output`` as the JSON object stored in ``agent``'s result; UnstorableOutput if a
    store could not hold it exactly."""
    refused = f"{agent}'s output was not stored"
    try:
        value = as_json_object(output)
    except (RecursionError, ValueError) as error:  # nested too deep, or circular
        raise UnstorableOutput(f"{refused}: it is not JSON ({error})") from None
    try:
        gate.check_json(value, "output", MAX_OUTPUT_BYTES)
    except gate.InvalidInput as refusal:
        raise UnstorableOutput(f"{refused}: {refusal}") from None
    return value
