"""Run one agent for one job: load the job, run the agent, store its result.

An agent's folder may have a ``pipeline.py`` whose ``async def run(job, ask)`` makes the
result: it computes figures in code and calls ``ask(task)`` for what only the model can
write (the agent of ``agent.py`` runs on ``task`` and its final output comes back). Without
one, the result is the model's answer to ``prompts.task(job.input, job.results)``
(contract.py).
"""

from __future__ import annotations

import time
from functools import cache
from typing import Any, NamedTuple

from agents import Agent, RunConfig, Runner, agent_span, trace

from ... import config
from ...agents import agent_folder
from ...inputs import check_input
from ..llm import offline
from ..llm.clients import model_for, model_settings
from ..llm.cost import Spend, as_usd
from ..records import PLANNER_USAGE, AgentResult, JobContext, storable_error
from ..settings import Settings
from ..store import JobNotFound, JobStore, LeaseLost
from ..telemetry.tracing import enable_agent_tracing
from .contract import AgentFolder
from .output import UnstorableOutput, storable_output


class Worker(NamedTuple):
    """A worker's agent, built once per process, and the folder it comes from."""

    agent: Agent
    folder: AgentFolder


@cache
def load_worker(name: str) -> Worker:
    folder = agent_folder(name)
    return Worker(folder.build_agent(), folder)


def read_context(store: JobStore, job_id: str, name: str, claim: int | None) -> JobContext:
    """What worker ``name`` can read of ``job_id``, from the store, while ``claim`` holds it."""
    job = store.get_job(job_id)
    if job is None:
        raise JobNotFound(job_id)
    if claim is not None and (job.status != "running" or job.attempt != claim):
        raise LeaseLost(f"job {job_id}: claim {claim} lost before {name} ran")
    earlier = {
        agent: result.output or {}
        for agent, result in store.get_results(job_id).items()
        if result.ok and agent not in (name, PLANNER_USAGE)
    }
    # The input as agents.yaml declares inputs now (defaults of inputs added since filled in),
    # as the orchestrator checked it before calling this worker.
    return JobContext(job_id=job.id, input=check_input(job.input), results=earlier)


def spent_before(store: JobStore, job_id: str, name: str, attempt: int) -> Spend:
    """What the earlier attempts of ``name`` spent, as its stored result of the last one shows
    (each result counts the model calls of every attempt so far, failed ones included)."""
    earlier = store.get_results(job_id).get(name) if attempt > 1 else None
    if earlier is None or earlier.attempts >= attempt:
        return Spend()
    return Spend(earlier.cost_usd, earlier.tokens)


async def run_agent(
    name: str,
    job_id: str,
    store: JobStore,
    settings: Settings,
    *,
    attempt: int = 1,
    claim: int | None = None,
    context: JobContext | None = None,
) -> AgentResult:
    """Run worker ``name`` once for ``job_id`` and upsert its result (ok or error).

    ``context`` is the job as the caller holds it (an in-process run has it); without it,
    the job and the earlier results are read from the store (in a worker's Lambda). With
    ``claim`` (the orchestrator run's), the result is recorded only while that claim holds
    the job; otherwise LeaseLost is raised.
    """
    context = context or read_context(store, job_id, name, claim)
    worker = load_worker(name)
    limits = config.WORKERS[name]
    traced = enable_agent_tracing(settings)
    spend = spent_before(store, job_id, name, attempt)

    async def ask(task: str) -> Any:
        run = await Runner.run(
            worker.agent,
            task,
            context=context,
            max_turns=limits.max_turns,
            run_config=RunConfig(
                model=model_for(name, limits.model, settings, spend),
                model_settings=model_settings(settings),
                tracing_disabled=not traced,
                workflow_name=f"{config.PROJECT_SLUG}:{name}",
                group_id=job_id,
            ),
        )
        return run.final_output

    started = time.perf_counter()
    output, error = None, None
    try:
        if settings.offline:
            offline.fail_if_scripted(name)
        if worker.folder.pipeline:
            # One agent span for the whole pipeline, its model calls nested in it (or none).
            with (
                trace(f"{config.PROJECT_SLUG}:{name}", group_id=job_id, disabled=not traced),
                agent_span(name=name),
            ):
                made = await worker.folder.pipeline(context, ask)
        else:
            made = await ask(worker.folder.task(context.input, context.results))
        output = storable_output(name, made)
    except UnstorableOutput as refusal:
        error = storable_error(str(refusal))
    except Exception as failure:  # every failure of the agent becomes its recorded error
        error = storable_error(f"{type(failure).__name__}: {failure}")
    result = AgentResult(
        job_id=job_id,
        agent=name,
        status="ok" if error is None else "error",
        output=output,
        error=error,
        duration_ms=round((time.perf_counter() - started) * 1000),
        attempts=attempt,
        tokens=spend.tokens,
        cost_usd=as_usd(spend.cost),
    )
    if not store.put_result(result, claim=claim):
        raise LeaseLost(f"job {job_id}: claim {claim} lost before {name}'s result was recorded")
    return result
