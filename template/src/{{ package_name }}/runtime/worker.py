"""Run one agent for one job: load the job, run the agent, store its result."""

from __future__ import annotations

import importlib
import json
import time
from dataclasses import dataclass
from typing import Any

from agents import RunConfig, Runner
from pydantic import BaseModel

from .. import config
from .llm import model_for, model_settings
from .records import AgentResult
from .settings import Settings
from .store import JobNotFound, JobStore, LeaseLost
from .tracing import enable_agent_tracing


@dataclass(frozen=True)
class JobContext:
    """What an agent's tools can read: the job and the outputs of agents that ran before."""

    job_id: str
    input: dict[str, Any]
    results: dict[str, dict[str, Any]]


def as_json_object(output: Any) -> dict[str, Any]:
    """The agent's final output as the JSON object stored in its result."""
    if isinstance(output, BaseModel):
        return output.model_dump(mode="json")
    if isinstance(output, dict):
        return json.loads(json.dumps(output, default=str))
    return {"text": str(output)}


async def run_agent(
    name: str,
    job_id: str,
    store: JobStore,
    settings: Settings,
    *,
    attempt: int = 1,
    claim: int | None = None,
) -> AgentResult:
    """Run worker ``name`` once for ``job_id`` and upsert its result (ok or error).

    With ``claim`` (the orchestrator run's), the agent runs and its result is recorded only
    while that claim holds the job; otherwise LeaseLost is raised.
    """
    job = store.get_job(job_id)
    if job is None:
        raise JobNotFound(job_id)
    if claim is not None and (job.status != "running" or job.attempt != claim):
        raise LeaseLost(f"job {job_id}: claim {claim} lost before {name} ran")
    earlier = {
        agent: result.output or {}
        for agent, result in store.get_results(job_id).items()
        if result.ok and agent != name
    }
    agent_module = importlib.import_module(f"..agents.{name}.agent", __package__)
    templates = importlib.import_module(f"..agents.{name}.templates", __package__)
    worker = config.WORKERS[name]
    started = time.perf_counter()
    try:
        run = await Runner.run(
            agent_module.build_agent(),
            templates.task(job.input, earlier),
            context=JobContext(job_id=job.id, input=job.input, results=earlier),
            max_turns=worker.max_turns,
            run_config=RunConfig(
                model=model_for(name, worker.model, settings),
                model_settings=model_settings(settings),
                tracing_disabled=not enable_agent_tracing(settings),
                workflow_name=f"{config.PROJECT_SLUG}:{name}",
                group_id=job_id,
            ),
        )
        result = AgentResult(
            job_id=job_id,
            agent=name,
            status="ok",
            output=as_json_object(run.final_output),
            duration_ms=round((time.perf_counter() - started) * 1000),
            attempts=attempt,
            tokens=run.context_wrapper.usage.total_tokens,
        )
    except Exception as error:  # every failure of the agent becomes its recorded error
        result = AgentResult(
            job_id=job_id,
            agent=name,
            status="error",
            error=f"{type(error).__name__}: {error}",
            duration_ms=round((time.perf_counter() - started) * 1000),
            attempts=attempt,
        )
    if not store.put_result(result, claim=claim):
        raise LeaseLost(f"job {job_id}: claim {claim} lost before {name}'s result was recorded")
    return result
