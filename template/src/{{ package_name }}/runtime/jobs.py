"""Create jobs, and show them in the JSON shape shared by the CLI and the API."""

from __future__ import annotations

import uuid
from typing import Any

from .. import config, gate
from ..inputs import check_input
from .llm.cost import as_usd, total
from .records import PLANNER_USAGE, Job
from .store import JobStore

# The most jobs one listing shows: `jobs --limit` on the command line, `limit` in the API.
MAX_PAGE = 100


def create_job(store: JobStore, raw_input: Any, *, user_id: str) -> Job:
    """Pass the input through the gate, check it against agents.yaml and store a pending job.

    Raises InvalidInput naming the field at fault; nothing is stored then.
    """
    if not gate.is_user_id(user_id):
        raise gate.InvalidInput([("user_id", "must be 1 to 256 characters, no control character")])
    gate.check_json(raw_input)
    job_input = check_input(raw_input)
    gate.check_size(job_input)  # with the defaults of agents.yaml filled in
    job = Job(id=str(uuid.uuid4()), user_id=user_id, input=job_input)
    store.create_job(job)
    return job


def output_key(agent: str) -> str:
    """Where the job JSON files ``agent``'s output: its outputs.key in agents.yaml, or its name."""
    worker = config.WORKERS.get(agent)
    return worker.output_key if worker else agent


def job_view(store: JobStore, job: Job) -> dict[str, Any]:
    """The job's status, the steps that ran, every agent's result, the outputs by key, what a
    planner orchestrator's own model calls used (``planner``: None when they used nothing), and
    the tokens and cost (USD, None if unpriced) of all the job's model calls.

    ``results`` is keyed by agent name and each result names its output key; ``outputs`` maps
    each output key to the output of an agent that succeeded (agents.yaml's outputs.key, e.g.
    ``report_payload``, so a client reads ``outputs.report_payload``).
    """
    results = store.get_results(job.id)
    planner = results.pop(PLANNER_USAGE, None)
    spent = [*results.values(), *([planner] if planner else [])]
    return {
        "job_id": job.id,
        "status": job.status,
        "error": job.error,
        "steps": job.steps,
        "results": {
            name: {
                "key": output_key(name),
                "status": result.status,
                "output": result.output,
                "error": result.error,
                "attempts": result.attempts,
                "duration_ms": result.duration_ms,
                "tokens": result.tokens,
                "cost_usd": result.cost_usd,
            }
            for name, result in results.items()
        },
        "outputs": {
            output_key(name): result.output for name, result in results.items() if result.ok
        },
        "planner": {"tokens": planner.tokens, "cost_usd": planner.cost_usd} if planner else None,
        "tokens": sum(result.tokens for result in spent),
        "cost_usd": as_usd(total(result.cost_usd for result in spent)),
    }
