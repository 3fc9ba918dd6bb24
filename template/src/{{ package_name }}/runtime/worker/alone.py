"""Run one agent alone: on a job input and the earlier results it would see, with no store.

The result is kept in an in-memory SQLite store for the length of the run, so the agent
runs exactly as in a job (same worker, model, limits and error handling).
"""

from __future__ import annotations

import uuid
from typing import Any

from ... import config
from ...gate import json_type
from ..records import AgentResult, JobContext
from ..settings import Settings
from ..store.sqlite import SqliteStore
from .run import run_agent


class UnknownAgent(ValueError):
    """A name that is not a worker of agents.yaml."""


def check_agent(name: str) -> str:
    """``name``, when it is a worker of agents.yaml."""
    if name not in config.WORKERS:
        known = ", ".join(config.WORKERS)
        raise UnknownAgent(f"agent {name!r}: not a worker of agents.yaml ({known})")
    return name


def check_results(name: str, results: Any) -> dict[str, dict[str, Any]]:
    """Earlier results as a worker reads them: other workers' names mapped to JSON objects."""
    if not isinstance(results, dict):
        raise ValueError(f"must map agent names to JSON objects, not {json_type(results)}")
    for agent, output in results.items():
        if agent not in config.WORKERS or agent == name:
            raise ValueError(f"{agent!r}: not another worker of agents.yaml")
        if not isinstance(output, dict):
            raise ValueError(f"{agent}: must be a JSON object, not {json_type(output)}")
    return results


async def run_alone(
    name: str, job_input: dict[str, Any], results: dict[str, dict[str, Any]], settings: Settings
) -> AgentResult:
    """Run worker ``name`` once on ``job_input`` (checked already) and ``results``."""
    context = JobContext(job_id=f"alone-{uuid.uuid4()}", input=job_input, results=results)
    return await run_agent(name, context.job_id, SqliteStore(":memory:"), settings, context=context)
