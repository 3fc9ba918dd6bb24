"""What the runtime needs of an agent folder (``agents/<name>/``), written down once.

- ``agent.py``: ``build_agent()`` returns the worker's Agent, named after the worker;
- ``prompts.py``: ``INSTRUCTIONS`` (the agent's system prompt) and, without a pipeline,
  ``task(job_input, results)``, the message that starts the agent's run for a job;
- ``pipeline.py`` (optional): ``async def run(job, ask)`` makes the result in code and calls
  ``ask(task)`` for what only the model can write.

``agents/__init__.py`` maps each worker's name to its folder; tests/test_agent_contract.py
checks every folder against this.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from ..records import Ask, JobContext

if TYPE_CHECKING:
    from agents import Agent

Task = Callable[[dict[str, Any], dict[str, dict[str, Any]]], str]
Pipeline = Callable[[JobContext, Ask], Awaitable[Any]]


class AgentFolder(NamedTuple):
    """A worker's folder: how to build its agent, and how its result is made (its pipeline,
    or the model's answer to its task)."""

    build_agent: Callable[[], Agent]
    task: Task | None = None
    pipeline: Pipeline | None = None
