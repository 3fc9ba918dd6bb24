"""Run one agent for one job: load the job, run the agent, store its result."""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable
from functools import cache
from typing import Any

from agents import Agent, RunConfig, Runner
from pydantic import BaseModel

from .. import config
from .llm import load_model_client, model_for, model_settings
from .records import AgentResult, JobContext
from .settings import Settings, get_settings
from .store import JobNotFound, JobStore
from .tracing import enable_agent_tracing

load_model_client(get_settings())  # in a worker's Lambda: during its init phase


def as_json_object(output: Any) -> dict[str, Any]:
    """The agent's final output as the JSON object stored in its result."""
    if isinstance(output, BaseModel):
        return output.model_dump(mode="json")
    if isinstance(output, dict):
        return json.loads(json.dumps(output, default=str))
    return {"text": str(output)}


@cache
def load_worker(name: str) -> tuple[Agent, Callable[..., str]]:
    """Worker ``name``'s agent, built once per process, and its task template."""
    agent_module = importlib.import_module(f"..agents.{name}.agent", __package__)
    templates = importlib.import_module(f"..agents.{name}.templates", __package__)
    return agent_module.build_agent(), templates.task


def read_context(store: JobStore, job_id: str, name: str) -> JobContext:
    """What worker ``name`` can read of ``job_id``, from the store."""
    job = store.get_job(job_id)
    if job is None:
        raise JobNotFound(job_id)
    earlier = {
        agent: result.output or {}
        for agent, result in store.get_results(job_id).items()
        if result.ok and agent != name
    }
    return JobContext(job_id=job.id, input=job.input, results=earlier)


async def run_agent(
    name: str,
    job_id: str,
    store: JobStore,
    settings: Settings,
    *,
    attempt: int = 1,
    context: JobContext | None = None,
) -> AgentResult:
    """Run worker ``name`` once for ``job_id`` and upsert its result (ok or error).

    ``context`` is the job as the caller holds it (an in-process run has it); without it,
    the job and the earlier results are read from the store (in a worker's Lambda).
    """
    context = context or read_context(store, job_id, name)
    agent, task = load_worker(name)
    worker = config.WORKERS[name]
    started = time.perf_counter()
    try:
        run = await Runner.run(
            agent,
            task(context.input, context.results),
            context=context,
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
    store.put_result(result)
    return result
