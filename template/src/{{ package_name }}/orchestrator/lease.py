"""A run's claim on its job: renewed while the run works, checked before each agent call.

A claim is the job's ``attempt`` when the run claimed it. It holds the job while the job is
``running`` with that attempt; it is lost when another run claims the job after this run's
lease expired (the run was paused or its container frozen), or when the job was ended
elsewhere. Every write of a run is conditioned on its claim, so a run that lost the job
changes nothing; ``Lease`` also makes it stop calling agents.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from .. import config
from ..runtime.records import Job
from ..runtime.store import JobStore, LeaseLost

logger = logging.getLogger(__name__)

# A claim lasts one orchestrator invocation plus a margin; a dead orchestrator's lease expires.
LEASE = timedelta(seconds=config.ORCHESTRATOR_TIMEOUT + config.ORCHESTRATOR_MARGIN_SECONDS)
RENEW_EVERY_SECONDS = 60


class Lease:
    """This run's claim on ``job``.

    ``lost`` stays set once the claim is lost: the planner's tools report an exception to
    the model instead of raising it, so the run checks the flag once the plan returns.
    """

    def __init__(self, store: JobStore, job: Job, now: Callable[[], datetime]):
        self.store = store
        self.job_id = job.id
        self.claim = job.attempt
        self.now = now
        self.lost = False

    def confirm(self, written: bool = True) -> None:
        """Raise LeaseLost if the claim is lost, or if ``written`` (the answer of a write
        conditioned on the claim) says it was refused."""
        if not written:
            self.lost = True
        if self.lost:
            raise LeaseLost(f"job {self.job_id}: claim {self.claim} was taken over")

    def check(self) -> None:
        """Renew the lease; LeaseLost if the claim no longer holds the job."""
        self.confirm(
            self.store.renew_lease(self.job_id, attempt=self.claim, lease_until=self.now() + LEASE)
        )

    def release(self) -> None:
        """Let another run claim the job at once (the run hands it over)."""
        self.confirm(
            self.store.renew_lease(self.job_id, attempt=self.claim, lease_until=self.now())
        )

    async def keep(self) -> None:
        """Renew the lease every RENEW_EVERY_SECONDS, until cancelled or lost."""
        while not self.lost:
            await asyncio.sleep(RENEW_EVERY_SECONDS)
            try:
                self.check()
            except LeaseLost:
                logger.warning("lease lost to another claim")
