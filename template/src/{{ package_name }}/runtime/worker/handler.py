"""Lambda entry point shared by the workers: run one agent for one job."""

from __future__ import annotations

import asyncio
from typing import Any

from ..llm.clients import load_model_client
from ..settings import get_settings
from ..store.open import open_store
from ..telemetry.logs import configure_logging, log_context
from ..telemetry.tracing import continue_trace
from .run import load_worker, run_agent  # the Agents SDK loads in init

configure_logging()
load_model_client(get_settings())  # and the model client: in Lambda's init phase, not a call


def worker_handler(agent: str):
    """A Lambda handler for ``agent``: event {"job_id": ..., "attempt": n, "claim": c,
    "trace": {...}} -> its result, traced as part of the job's trace (``trace`` is the
    orchestrator's trace context).

    The result is also upserted in the store, while the orchestrator's ``claim`` holds the
    job (without a claim, always); the orchestrator reads the returned copy. When the claim
    no longer holds the job, the agent does not run, or its result is not recorded: the
    handler fails with LeaseLost.
    The agent is built with the handler's module: during Lambda's init phase.
    """
    load_worker(agent)

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        settings = get_settings()
        with (
            continue_trace(event.get("trace", {}), event["job_id"]),
            log_context(job_id=str(event.get("job_id")), agent=agent),
        ):
            result = asyncio.run(
                run_agent(
                    agent,
                    event["job_id"],
                    open_store(settings),
                    settings,
                    attempt=int(event.get("attempt", 1)),
                    claim=event.get("claim"),
                )
            )
        return {
            "status": result.status,
            "output": result.output,
            "error": result.error,
            "duration_ms": result.duration_ms,
            "attempts": result.attempts,
            "tokens": result.tokens,
            "cost_usd": result.cost_usd,
        }

    return handler
