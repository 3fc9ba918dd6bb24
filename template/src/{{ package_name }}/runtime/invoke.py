"""Invoke a worker for a job, with its timeout, retries and exponential backoff.

Deployed, the orchestrator calls each worker's Lambda function (``lambda_invoke.py``);
locally and in tests, workers run in this process. Either way one call is one attempt, and
a call that dies without a result (a timeout, a crashed function) is recorded as that
agent's error. Every call carries the claim of the run that makes it: a result is recorded
only while that claim holds the job, and a refused write raises LeaseLost.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable

from tenacity import AsyncRetrying, retry_if_result, stop_after_attempt, wait_exponential_jitter

from .. import config
from .records import AgentResult, JobContext
from .settings import Settings
from .store import JobStore, LeaseLost

# One attempt of one worker for a run: (agent, the job as the run holds it, attempt number,
# the run's claim) -> its stored result.
Invoke = Callable[[str, JobContext, int, int], Awaitable[AgentResult]]


def record_failure(
    store: JobStore,
    agent: str,
    job_id: str,
    attempt: int,
    error: str,
    duration_ms: int,
    *,
    claim: int,
) -> AgentResult:
    """Store the error of an attempt that ended without the worker recording a result."""
    result = AgentResult(
        job_id=job_id,
        agent=agent,
        status="error",
        error=error,
        duration_ms=duration_ms,
        attempts=attempt,
    )
    if not store.put_result(result, claim=claim):
        raise LeaseLost(f"job {job_id}: claim {claim} lost before {agent}'s error was recorded")
    return result


def in_process(store: JobStore, settings: Settings) -> Invoke:
    """Run workers in this process (local runs and tests), each under its own timeout."""
    from .worker import run_agent  # the Agents SDK loads only where agents run

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


def worker_invoker(store: JobStore, settings: Settings) -> Invoke:
    """The workers' Lambda functions named by WORKER_FUNCTIONS, else this process."""
    if functions := os.environ.get("WORKER_FUNCTIONS"):
        from .lambda_invoke import lambda_invoker

        return lambda_invoker(store, json.loads(functions), region=settings.aws_region)
    return in_process(store, settings)


async def invoke_with_retries(
    invoke: Invoke,
    agent: str,
    context: JobContext,
    *,
    claim: int,
    backoff_base: float = 1.0,
    attempts_made: int = 0,
) -> AgentResult:
    """Attempt ``agent`` up to ``retries + 1`` times, backing off with jitter between attempts.

    ``attempts_made``: attempts an interrupted run already made; they count.
    """
    attempts = attempts_made

    async def attempt() -> AgentResult:
        nonlocal attempts
        attempts += 1
        return await invoke(agent, context, attempts, claim)

    retrying = AsyncRetrying(
        stop=stop_after_attempt(config.WORKERS[agent].retries + 1 - attempts_made),
        wait=wait_exponential_jitter(multiplier=backoff_base, max=30 * backoff_base),
        retry=retry_if_result(lambda result: not result.ok),
        retry_error_callback=lambda state: state.outcome.result(),
    )
    return await retrying(attempt)
