"""Invoke a worker for a job, with its timeout, retries and exponential backoff."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from tenacity import AsyncRetrying, retry_if_result, stop_after_attempt, wait_exponential_jitter

from .. import config
from .records import AgentResult
from .settings import Settings
from .store import JobStore
from .worker import run_agent

# One attempt of one worker: (agent, job_id, attempt number) -> its stored result.
Invoke = Callable[[str, str, int], Awaitable[AgentResult]]


def in_process(store: JobStore, settings: Settings) -> Invoke:
    """Run workers in this process (local runs and tests), each under its own timeout."""

    async def invoke(agent: str, job_id: str, attempt: int) -> AgentResult:
        timeout = config.WORKERS[agent].timeout
        try:
            return await asyncio.wait_for(
                run_agent(agent, job_id, store, settings, attempt=attempt), timeout
            )
        except TimeoutError:
            result = AgentResult(
                job_id=job_id,
                agent=agent,
                status="error",
                error=f"timed out after {timeout} s",
                duration_ms=timeout * 1000,
                attempts=attempt,
            )
            store.put_result(result)
            return result

    return invoke


async def invoke_with_retries(
    invoke: Invoke, agent: str, job_id: str, *, backoff_base: float = 1.0
) -> AgentResult:
    """Attempt ``agent`` up to ``retries + 1`` times, backing off with jitter between attempts."""
    attempts = 0

    async def attempt() -> AgentResult:
        nonlocal attempts
        attempts += 1
        return await invoke(agent, job_id, attempts)

    retrying = AsyncRetrying(
        stop=stop_after_attempt(config.WORKERS[agent].retries + 1),
        wait=wait_exponential_jitter(multiplier=backoff_base, max=30 * backoff_base),
        retry=retry_if_result(lambda result: not result.ok),
        retry_error_callback=lambda state: state.outcome.result(),
    )
    return await retrying(attempt)
