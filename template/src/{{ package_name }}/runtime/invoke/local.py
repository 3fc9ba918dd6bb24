"""Workers run in this process (local runs and tests), each under its own timeout."""

from __future__ import annotations

import asyncio

from ... import config
from ..records import AgentResult, JobContext
from ..settings import Settings
from ..store import JobStore
from . import Invoke, record_failure


def in_process(store: JobStore, settings: Settings) -> Invoke:
    """Run workers in this process (local runs and tests), each under its own timeout."""
    from ..worker.run import run_agent  # the Agents SDK loads only where agents run

    async def invoke(agent: str, context: JobContext, attempt: int, claim: int) -> AgentResult:
        timeout = config.WORKERS[agent].timeout
        job_id = context.job_id
        try:
            return await asyncio.wait_for(
                run_agent(
                    agent, job_id, store, settings, attempt=attempt, claim=claim, context=context
                ),
                timeout,
            )
        except TimeoutError:
            error = f"timed out after {timeout} s"
            return record_failure(
                store, agent, job_id, attempt, error, round(timeout * 1000), claim=claim
            )

    return invoke
