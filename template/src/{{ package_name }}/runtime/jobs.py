"""Create jobs, and show them in the JSON shape shared by the CLI and the API."""

from __future__ import annotations

import uuid
from typing import Any

from ..inputs import check_input
from .records import Job
from .store import JobStore


def create_job(store: JobStore, raw_input: Any, *, user_id: str) -> Job:
    """Check the input against agents.yaml and store a pending job (raises InvalidInput)."""
    job = Job(id=str(uuid.uuid4()), user_id=user_id, input=check_input(raw_input))
    store.create_job(job)
    return job


def job_view(store: JobStore, job: Job) -> dict[str, Any]:
    """The job's status, the steps that ran and every agent's result."""
    return {
        "job_id": job.id,
        "status": job.status,
        "error": job.error,
        "steps": job.steps,
        "results": {
            name: {
                "status": result.status,
                "output": result.output,
                "error": result.error,
                "attempts": result.attempts,
                "duration_ms": result.duration_ms,
            }
            for name, result in store.get_results(job.id).items()
        },
    }
