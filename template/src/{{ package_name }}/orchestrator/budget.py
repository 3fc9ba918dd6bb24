"""The job's cost budget (orchestration.budget_usd): no agent is called once it is spent.

Checked before each step from the costs the job recorded: its agents', and what a planner
orchestrator's own model calls spent (saved as each call returns). A cost that is unknown (a
model not in the price table) cannot be held to a budget: it stops the job too. The sum is
exact (decimal, as the costs are stored): spending exactly the budget spends it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from ..runtime.llm.cost import as_usd, total
from ..runtime.store import JobStore


class BudgetExceeded(Exception):
    """The job spent its budget: no more agent calls."""


class CostBudget:
    """Raises BudgetExceeded before a call once the job's recorded results (its agents', and
    its planner's) cost ``limit`` USD or more.

    ``exceeded`` keeps the reason: the planner's tools report an exception to the model
    instead of raising it, so the run checks it once the plan returns.
    """

    def __init__(self, store: JobStore, job_id: str, limit: float):
        self.store, self.job_id, self.limit = store, job_id, limit
        self.exceeded: str | None = None

    def __call__(self, agents: list[str]) -> None:
        spent = total(result.cost_usd for result in self.store.get_results(self.job_id).values())
        if spent is None:
            self.exceeded = "budget exceeded: the cost of a model call is unknown (unpriced model)"
        elif spent >= Decimal(str(self.limit)):
            self.exceeded = f"budget exceeded: spent ${as_usd(spent)} of ${self.limit}"
        if self.exceeded:
            raise BudgetExceeded(f"{self.exceeded}, before {', '.join(agents)}")


def checks_before_agents(
    *checks: Callable[[list[str]], None] | None,
) -> Callable[[list[str]], None] | None:
    """One check that runs every given one, in order (None when none is given)."""
    given = [check for check in checks if check]
    if not given:
        return None

    def check_all(agents: list[str]) -> None:
        for check in given:
            check(agents)

    return check_all
