"""Run one job to its end: claim it, run the plan, finish it completed or failed.

A run may also stop early without finishing the job: when the time left in this
invocation cannot fit the next agent call's worst case, it releases its claim and returns
the job still running, for a fresh invocation to continue (``Handover``); and when another
run took the job over (this one was paused past its lease), it stops calling agents and
leaves the job to that run (``LeaseLost``). Steps are saved as agents finish, and outcomes
are reused, so whoever continues the job, after a handover or a crash, keeps them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from .. import config
from ..gate import InvalidInput
from ..inputs import check_input
from ..runtime.invoke import Invoke
from ..runtime.invoke.retries import invoke_with_retries
from ..runtime.records import (
    MAX_ERROR_CHARS,
    PLANNER_USAGE,
    AgentResult,
    Job,
    JobContext,
    storable_error,
    utcnow,
)
from ..runtime.steps import AgentOutcome, PlanRun, StopPlan
from ..runtime.store import JobNotFound, JobStore, LeaseLost
from ..runtime.telemetry.logs import log_context
from ..runtime.telemetry.metrics import record_agent_metrics
from ..runtime.telemetry.tracing import job_trace
from .budget import BudgetExceeded, CostBudget, checks_before_agents
from .lease import LEASE, Lease
from .planner_usage import PlannerUsage
from .strategy import NOTHING_SELECTED, run_plan

logger = logging.getLogger(__name__)


# The error of a job whose stored input agents.yaml's inputs no longer accept (they changed,
# and the project was regenerated, while the job waited): it fails before any agent call.
STALE_INPUT = "the job's input no longer matches the inputs of agents.yaml"


class Handover(Exception):
    """The next agent call might not fit the time left in this invocation."""


class TimeBudget:
    """Raises Handover before a call whose worst case does not fit the time left.

    ``exhausted`` stays set: the planner's tools report an exception to the model instead
    of raising it, so the run checks the flag once the plan returns.
    """

    def __init__(self, seconds_left: Callable[[], float]):
        self.seconds_left = seconds_left
        self.exhausted = False

    def __call__(self, agents: list[str]) -> None:
        worst = max(config.WORKERS[agent].worst_seconds for agent in agents)  # run concurrently
        needed = worst + config.ORCHESTRATOR_MARGIN_SECONDS
        if self.seconds_left() < needed:
            self.exhausted = True
            raise Handover(f"{', '.join(agents)} may need {needed} s")


def _failure_message(store: JobStore, job_id: str, failed: list[str]) -> str:
    """Names every failed agent, each with its error cut to a share of MAX_ERROR_CHARS."""
    results = store.get_results(job_id)
    share = max(MAX_ERROR_CHARS // len(failed), 80)
    details = [
        f"{name} ({storable_error(results[name].error or '', share)})" if name in results else name
        for name in failed
    ]
    return "agents failed: " + "; ".join(details)


class Recorded(NamedTuple):
    """What interrupted runs of a job recorded."""

    # Final outcomes, replayed: successes, and failures whose attempts were used up.
    outcomes: dict[str, AgentOutcome]
    # The agents among those that no saved step lists (their run died before saving).
    unlisted: set[str]
    # Failures with attempts left: how many attempts were made (the next ones continue).
    attempts: dict[str, int]
    # What a planner's own model calls used in those runs (None: no call recorded).
    planner: AgentResult | None


def _recorded(store: JobStore, job: Job) -> Recorded:
    outcomes, attempts, planner = {}, {}, None
    for name, result in store.get_results(job.id).items():
        if name == PLANNER_USAGE:
            planner = result
            continue
        worker = config.WORKERS.get(name)
        if result.ok or (worker and result.attempts > worker.retries):
            outcomes[name] = AgentOutcome(ok=result.ok, output=result.output, error=result.error)
        else:
            attempts[name] = result.attempts
    listed = {agent for step in job.steps for agent in step["agents"]}
    return Recorded(outcomes, outcomes.keys() - listed, attempts, planner)


async def execute_job(
    store: JobStore,
    job_id: str,
    invoke: Invoke,
    *,
    backoff_base: float = 1.0,
    now: Callable[[], datetime] = utcnow,
    seconds_left: Callable[[], float] | None = None,
    take_over: bool = False,
) -> Job | None:
    """Run ``job_id`` if it can be claimed; None when it is finished, another run holds it,
    or another run took it over while this one ran.

    What earlier, interrupted runs recorded is replayed: an agent that succeeded is not run
    again, nor one whose attempts were used up; one with attempts left continues them.
    ``take_over`` claims the job even while another run's lease holds it (``resume`` after a
    local run died, the dead-letter consumer); that run stops at its next call or write.
    With ``seconds_left`` (the invocation's remaining time), the run hands the job over
    before a call that might not fit: the job is returned still ``running``, its lease
    released, and the caller queues it again. A job whose input the inputs of agents.yaml no
    longer accept (changed while it waited) fails before any agent call, its error naming the
    fields. Raises JobNotFound for an unknown id.
    """
    job = store.claim_job(job_id, lease_until=now() + LEASE, now=now(), take_over=take_over)
    if job is None:
        if store.get_job(job_id) is None:
            raise JobNotFound(job_id)
        return None
    with job_trace(job_id), log_context(job_id=job_id):
        logger.info("job claimed", extra={"fields": {"attempt": job.attempt}})
        try:
            return await _run_claimed(
                store, job, Lease(store, job, now), invoke, backoff_base, seconds_left
            )
        except LeaseLost as lost:
            logger.warning(
                "job taken over by another run: stopping", extra={"fields": {"reason": str(lost)}}
            )
            return None


async def _run_claimed(
    store: JobStore,
    job: Job,
    lease: Lease,
    invoke: Invoke,
    backoff_base: float,
    seconds_left: Callable[[], float] | None,
) -> Job | None:
    try:
        job_input = check_input(job.input)  # as agents.yaml declares inputs now
    except InvalidInput as error:
        logger.info("job input no longer valid", extra={"fields": {"reason": str(error)}})
        message = storable_error(f"{STALE_INPUT}: {error}")
        lease.confirm(store.finish_job(job.id, attempt=lease.claim, status="failed", error=message))
        return store.get_job(job.id)
    recorded = _recorded(store, job)

    async def attempt(agent: str, context: JobContext, number: int, claim: int) -> AgentResult:
        lease.check()  # no agent call once another run holds the job
        return await invoke(agent, context, number, claim)

    async def execute(agent: str) -> AgentOutcome:
        earlier = {name: output for name, output in run.outputs.items() if name != agent}
        context = JobContext(job_id=job.id, input=job_input, results=earlier)
        with log_context(agent=agent):
            result = await invoke_with_retries(
                attempt,
                agent,
                context,
                claim=lease.claim,
                backoff_base=backoff_base,
                attempts_made=recorded.attempts.pop(agent, 0),
            )
            logger.info(
                "agent finished",
                extra={"fields": {"status": result.status, "attempts": result.attempts}},
            )
            record_agent_metrics(result)
        return AgentOutcome(ok=result.ok, output=result.output, error=result.error)

    def save_steps(steps: list[dict]) -> None:
        lease.confirm(store.save_steps(job.id, attempt=lease.claim, steps=[*job.steps, *steps]))

    budget = TimeBudget(seconds_left) if seconds_left else None
    planner = PlannerUsage(store, lease, recorded.planner)  # the plan's own model calls
    cost_budget = CostBudget(store, job.id, config.BUDGET_USD) if config.BUDGET_USD else None
    run = PlanRun(
        job_input,
        execute=execute,
        earlier=recorded.outcomes,
        unlisted=recorded.unlisted,
        optional=config.OPTIONAL_WORKERS,
        stop_on_failure=config.STOP_ON_FAILURE,
        before_agents=checks_before_agents(budget, cost_budget),
        on_steps=save_steps,
        spend=planner,
    )
    keeper = asyncio.create_task(lease.keep())
    try:
        await run_plan(run)
    except StopPlan:
        logger.info("plan stopped after a failed agent")
    except Handover as handover:
        logger.info("time running short", extra={"fields": {"reason": str(handover)}})
    except BudgetExceeded as exceeded:
        logger.info("cost budget spent", extra={"fields": {"reason": str(exceeded)}})
    finally:
        keeper.cancel()
        planner.close()
    lease.confirm()  # a planner's tools report a lost claim to the model, not to us
    if budget and budget.exhausted:
        logger.info("handing the job over to a fresh invocation")
        lease.release()
        return store.get_job(job.id)
    if cost_budget and cost_budget.exceeded:
        status, error = "failed", cost_budget.exceeded
    elif run.failed:
        status, error = "failed", _failure_message(store, job.id, run.failed)
    elif not run.selected:
        status, error = "failed", NOTHING_SELECTED
    else:
        status, error = "completed", None
    lease.confirm(store.finish_job(job.id, attempt=lease.claim, status=status, error=error))
    logger.info("job finished", extra={"fields": {"status": status, "failed": run.failed}})
    return store.get_job(job.id)
