"""Recorded model exchanges: a live run saves them, and MODEL_MODE=replay answers from them.

Recording keeps, per agent, each request as the Agents SDK makes it (the instructions and the
input items) and the model's answer (its output items and token usage): never an HTTP header,
an API key or a client setting. A file holds one agent's exchanges of its latest recorded run,
``tests/recordings/<agent>.json`` (``RECORDINGS_DIR`` elsewhere). Replay answers a request
with the answer recorded for the same request, so a changed prompt or input is reported
rather than answered with something else.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from agents import Model, Usage
from agents.items import ModelResponse, TResponseOutputItem
from pydantic import BaseModel, TypeAdapter

from ..settings import InvalidSetting

PROJECT_ROOT = Path(__file__).resolve().parents[4]  # src/<package>/runtime/llm/recording.py
OUTPUT_ITEM = TypeAdapter(TResponseOutputItem)

# Exchanges by agent while recording is on (None: off).
_recorded: dict[str, list[dict[str, Any]]] | None = None


class NotRecorded(LookupError):
    """A request the agent's recording has no answer for."""


def recordings_dir() -> Path:
    return Path(os.environ.get("RECORDINGS_DIR") or PROJECT_ROOT / "tests" / "recordings")


def _json(value: Any) -> Any:
    """An input item the SDK passes as a pydantic model, as JSON."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"{type(value).__name__} is not JSON")


def _without_nulls(value: Any) -> Any:
    """``value`` without the null fields of its objects, at any depth."""
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def _request(system_instructions: str | None, items: Any) -> dict[str, Any]:
    """A request as recorded and compared on replay: JSON without null fields. An item of an
    earlier round (a tool call) comes back from a replayed answer with its optional fields
    set to null where the live answer left them out; they mean the same."""
    request = {"instructions": system_instructions, "input": items}
    return _without_nulls(json.loads(json.dumps(request, default=_json)))


def start_recording() -> None:
    """Keep the exchanges from now on. The recordings folder is made now: a run's exchanges
    are not to be lost at its end for want of a folder to save them in."""
    global _recorded
    directory = recordings_dir()
    problem = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        problem = "is a file, not a folder"
    except OSError as error:
        problem = f"cannot be made ({error.strerror or error})"
    if problem is None and not os.access(directory, os.W_OK):
        problem = "is not writable"
    if problem:
        raise InvalidSetting(f"RECORDINGS_DIR: {str(directory)!r} {problem}")
    _recorded = {}


def save_recordings() -> list[Path]:
    """Write each recorded agent's exchanges (replacing its earlier recording); the files."""
    global _recorded
    recorded, _recorded = _recorded or {}, None
    directory = recordings_dir()
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for agent, exchanges in recorded.items():
        path = directory / f"{agent}.json"
        path.write_text(json.dumps({"agent": agent, "exchanges": exchanges}, indent=2) + "\n")
        files.append(path)
    return files


class Recorder(Model):
    """``model``, recording each exchange of ``agent``."""

    def __init__(self, model: Model, exchanges: list[dict[str, Any]]):
        self.model, self.exchanges = model, exchanges

    async def get_response(self, system_instructions, input, *args: Any, **kwargs: Any):
        # The Agents SDK passes both by these names.
        response = await self.model.get_response(system_instructions, input, *args, **kwargs)
        usage = response.usage
        self.exchanges.append(
            {
                "request": _request(system_instructions, input),
                "response": {
                    "output": [item.model_dump(mode="json") for item in response.output],
                    "usage": {
                        "input_tokens": usage.input_tokens,
                        "output_tokens": usage.output_tokens,
                        "total_tokens": usage.total_tokens,
                    },
                },
            }
        )
        return response

    def stream_response(self, *args: Any, **kwargs: Any):
        return self.model.stream_response(*args, **kwargs)


def recorded(agent: str, model: Model) -> Model:
    """``model``, recorded while recording is on."""
    if _recorded is None:
        return model
    return Recorder(model, _recorded.setdefault(agent, []))


class Replay(Model):
    """Answers ``agent``'s requests with the answers its recording holds."""

    def __init__(self, agent: str):
        self.agent = agent
        path = recordings_dir() / f"{agent}.json"
        try:
            self.exchanges = json.loads(path.read_text())["exchanges"]
        except FileNotFoundError:
            raise NotRecorded(f"{agent}: no recording at {path} (record a live run)") from None

    async def get_response(self, system_instructions, input, *args: Any, **kwargs: Any):
        # The Agents SDK passes both by these names.
        request = _request(system_instructions, input)
        for exchange in self.exchanges:
            if _without_nulls(exchange["request"]) == request:
                answer = exchange["response"]
                return ModelResponse(
                    output=[OUTPUT_ITEM.validate_python(item) for item in answer["output"]],
                    usage=Usage(requests=1, **answer["usage"]),
                    response_id=None,
                )
        raise NotRecorded(
            f"{self.agent}: its recording has no answer to this request (the prompt or the"
            " input changed since it was recorded): record a live run again"
        )

    def stream_response(self, *args: Any, **kwargs: Any):
        raise NotImplementedError("replay answers whole responses only")
