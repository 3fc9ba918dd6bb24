"""Workers run in this process (local runs and tests), each under its own timeout.

A call that ends without the worker recording its result (a timeout, the store failing
around the run, the agent's code failing to load) is that attempt's error, as a worker
Lambda's failure is: it is retried like any failed attempt, and a run that lost its claim
still stops.
"""

from __future__ import annotations

import asyncio
import time

from ... import config
from ..records import AgentResult, JobContext
from ..settings import Settings
from ..store import JobStore, LeaseLost
from . import Invoke, record_failure


def in_process(store: JobStore, settings: Settings) -> Invoke:
    """Run workers in this process (local runs and tests), each under its own timeout."""
    from ..worker.run import run_agent  # the Agents SDK loads only where agents run

    async def invoke(agent: str, context: JobContext, attempt: int, claim: int) -> AgentResult:
        timeout = config.WORKERS[agent].timeout
        job_id = context.job_id
        started = time.perf_counter()
        try:
            return await asyncio.wait_for(
                run_agent(
                    agent, job_id, store, settings, attempt=attempt, claim=claim, context=context
                ),
                timeout,
            )
        except TimeoutError:
            error = f"timed out after {timeout} s"
            elapsed = round(timeout * 1000)
        except LeaseLost:
            raise
        except Exception as failure:  # as a worker's Lambda would fail: the store, say
            error = f"{type(failure).__name__}: {failure}"
            elapsed = round((time.perf_counter() - started) * 1000)
        return record_failure(store, agent, job_id, attempt, error, elapsed, claim=claim)

    return invoke
