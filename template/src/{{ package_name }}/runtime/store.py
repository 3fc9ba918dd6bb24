"""The job store interface; each provider implements it in its own module."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from .records import AgentResult, Job, JobStatus


class JobNotFound(LookupError):
    """No job with this id (or not one of this user's)."""


class JobStore(Protocol):
    """Persistence for jobs and agent results.

    Results are upserted per (job, agent): concurrent writers of different agents never
    overwrite each other, and writing the same agent twice keeps the last write.
    """

    def create_job(self, job: Job) -> None: ...

    def get_job(self, job_id: str) -> Job | None: ...

    def list_jobs(
        self,
        user_id: str,
        *,
        status: JobStatus | None = None,
        limit: int = 20,
        before: tuple[datetime, str] | None = None,
    ) -> list[Job]:
        """The user's jobs, newest first, strictly older than ``before`` (created_at, id)."""
        ...

    def claim_job(self, job_id: str, *, lease_until: datetime, now: datetime) -> Job | None:
        """Mark the job running if it is pending or its lease expired; None if not claimed."""
        ...

    def renew_lease(self, job_id: str, *, attempt: int, lease_until: datetime) -> bool:
        """Extend the lease of the claim ``attempt``; False if another claim took over."""
        ...

    def save_steps(self, job_id: str, *, attempt: int, steps: list[dict]) -> None: ...

    def finish_job(
        self, job_id: str, *, attempt: int, status: JobStatus, error: str | None
    ) -> None: ...

    def put_result(self, result: AgentResult) -> None:
        """Insert or replace the result of (result.job_id, result.agent)."""
        ...

    def get_results(self, job_id: str) -> dict[str, AgentResult]:
        """The job's results by agent, oldest first."""
        ...

    def migrate(self) -> str:
        """Bring the store's schema up to date (idempotent); a line saying what it did."""
        ...
