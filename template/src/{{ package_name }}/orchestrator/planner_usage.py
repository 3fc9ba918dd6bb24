"""What a planner orchestrator's own model calls use, saved as each call returns.

The job's ``PLANNER_USAGE`` result holds the running total of all the job's runs: what
earlier runs saved, plus this run's calls so far. Each call rewrites that total while the
run's claim holds the job, so a run killed after a call has counted it, and a redelivery
that plans again adds its own calls to it: writing a total again (after a failed write)
counts nothing twice. Only a call whose answer came back in the instant before the process
died, before its total was written, goes uncounted.
"""

from __future__ import annotations

from decimal import Decimal

from ..runtime.llm.cost import Spend, as_usd, total
from ..runtime.records import PLANNER_USAGE, AgentResult
from ..runtime.store import JobStore
from ..runtime.telemetry.metrics import record_planner_metrics
from .lease import Lease


class PlannerUsage(Spend):
    """This run's planner calls (``tokens``, ``cost``), on top of ``earlier`` (the usage
    that the job's earlier runs saved, None if they saved none)."""

    def __init__(self, store: JobStore, lease: Lease, earlier: AgentResult | None):
        super().__init__()
        self.store, self.lease, self.earlier = store, lease, earlier
        self.unsaved = False  # the last write failed: the total is written again at the end

    def add(self, cost: Decimal | None, tokens: int) -> None:
        super().add(cost, tokens)
        try:
            self.save()
        except Exception:
            self.unsaved = True
            raise

    def save(self) -> None:
        """Write the running total (nothing while this run's calls used nothing); LeaseLost
        when the run's claim no longer holds the job."""
        if not self.tokens and self.cost == 0:
            return
        earlier = self.earlier
        usage = AgentResult(
            job_id=self.lease.job_id,
            agent=PLANNER_USAGE,
            status="ok",
            attempts=earlier.attempts + 1 if earlier else 1,  # the runs that planned
            tokens=self.tokens + (earlier.tokens if earlier else 0),
            cost_usd=as_usd(total([self.cost, earlier.cost_usd if earlier else 0])),
        )
        self.lease.confirm(self.store.put_result(usage, claim=self.lease.claim))
        self.unsaved = False

    def close(self) -> None:
        """At the end of the run: write the total again if its last write failed, and emit
        this run's share as metrics."""
        if self.tokens or self.cost != 0:
            record_planner_metrics(self.tokens, as_usd(self.cost))
        if self.unsaved:
            self.save()
