"""How the orchestrator calls a worker: one call is one attempt of one agent for one job.

Deployed, the orchestrator calls each worker's Lambda function (``lambda_functions.py``);
locally and in tests, workers run in this process (``local.py``); ``workers.py`` picks one,
``retries.py`` repeats attempts with backoff. Either way one call is one attempt, and
a call that dies without a result (a timeout, a crashed function) is recorded as that
agent's error. Every call carries the claim of the run that makes it: a result is recorded
only while that claim holds the job, and a refused write raises LeaseLost.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ..records import AgentResult, JobContext, storable_error
from ..store import JobStore, LeaseLost

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
    """Store the error of an attempt that ended without the worker recording a result.

    It keeps the tokens of the attempts before it; its cost is unknown (None): the attempt
    may have called the model before it ended. When the worker did record this attempt's
    result before it died (a Lambda timing out after the write), that result stands and is
    returned: it is neither lost nor paid for again by a retry.
    """
    earlier = store.get_results(job_id).get(agent)
    if earlier and earlier.attempts >= attempt:
        return earlier
    result = AgentResult(
        job_id=job_id,
        agent=agent,
        status="error",
        error=storable_error(error),
        duration_ms=duration_ms,
        attempts=attempt,
        tokens=earlier.tokens if earlier and earlier.attempts < attempt else 0,
        cost_usd=None,
    )
    if not store.put_result(result, claim=claim):
        raise LeaseLost(f"job {job_id}: claim {claim} lost before {agent}'s error was recorded")
    return result
