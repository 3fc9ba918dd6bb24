"""Lambda entry point shared by the workers: run one agent for one job."""

from __future__ import annotations

import asyncio
from typing import Any

from .observability import configure_logging, log_context
from .settings import get_settings
from .stores import open_store

configure_logging()


def worker_handler(agent: str):
    """A Lambda handler for ``agent``: event {"job_id": ..., "attempt": n} -> its result."""

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        from .worker import run_agent

        settings = get_settings()
        with log_context(job_id=str(event.get("job_id")), agent=agent):
            result = asyncio.run(
                run_agent(
                    agent,
                    event["job_id"],
                    open_store(settings),
                    settings,
                    attempt=int(event.get("attempt", 1)),
                )
            )
        return {"status": result.status, "output": result.output, "error": result.error}

    return handler
