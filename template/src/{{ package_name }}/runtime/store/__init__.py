"""The job store interface; each provider implements it in its own module."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from ..records import AgentResult, Job, JobStatus


class JobNotFound(LookupError):
    """No job with this id (or not one of this user's)."""


class LeaseLost(Exception):
    """This run's claim no longer holds the job: another run took it over, or it finished."""


class JobStore(Protocol):
    """Persistence for jobs and agent results.

    Results are upserted per (job, agent): concurrent writers of different agents never
    overwrite each other, and writing the same agent twice keeps the last write.

    A run holds a job through its claim, the job's ``attempt`` when the run claimed it: the
    job is ``running`` and its ``attempt`` is still that number. Every write a run makes is
    conditioned on its claim and says whether it happened, so a run that lost the job (it
    was paused past its lease, and another run claimed the job) changes nothing.

    Stores check no values: what they are given is what every store holds exactly. Job
    inputs pass the input gate (gate.py), agents' outputs the same rules within
    MAX_OUTPUT_BYTES (worker/output.py), and error messages ``records.storable_error``.
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

    def claim_job(
        self, job_id: str, *, lease_until: datetime, now: datetime, take_over: bool = False
    ) -> Job | None:
        """Mark the job running under a new claim (``attempt`` + 1) if it is pending or its
        lease expired, or, with ``take_over``, whenever it has not finished; None if not."""
        ...

    def renew_lease(self, job_id: str, *, attempt: int, lease_until: datetime) -> bool:
        """Extend the lease of the claim ``attempt``; False if it no longer holds the job."""
        ...

    def save_steps(self, job_id: str, *, attempt: int, steps: list[dict]) -> bool:
        """Replace the job's steps while claim ``attempt`` holds it; False if it does not."""
        ...

    def finish_job(
        self, job_id: str, *, attempt: int, status: JobStatus, error: str | None
    ) -> bool:
        """End the job (completed or failed) while claim ``attempt`` holds it; False if not."""
        ...

    def put_result(self, result: AgentResult, *, claim: int | None = None) -> bool:
        """Insert or replace the result of (result.job_id, result.agent), while ``claim``
        holds the job; False (nothing written) if it does not. Without a claim (an agent run
        on its own, outside a job run) the write is unconditional."""
        ...

    def get_results(self, job_id: str) -> dict[str, AgentResult]:
        """The job's results by agent, oldest first."""
        ...

    def migrate(self) -> str:
        """Bring the store's schema up to date (idempotent); a line saying what it did."""
        ...
