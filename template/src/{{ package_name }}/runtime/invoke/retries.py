"""Attempts of one agent, repeated with exponential backoff and jitter until one succeeds."""

from __future__ import annotations

from tenacity import AsyncRetrying, retry_if_result, stop_after_attempt, wait_exponential_jitter

from ... import config
from ..records import AgentResult, JobContext
from . import Invoke


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
        wait=wait_exponential_jitter(
            multiplier=backoff_base,
            max=config.BACKOFF_MAX_SECONDS * backoff_base,
            jitter=config.BACKOFF_JITTER_SECONDS * backoff_base,
        ),
        retry=retry_if_result(lambda result: not result.ok),
        retry_error_callback=lambda state: state.outcome.result(),
    )
    return await retrying(attempt)
