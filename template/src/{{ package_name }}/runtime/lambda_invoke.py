"""Invoke workers through the Lambda API: one synchronous call per attempt.

The SDK never retries a call (``total_max_attempts=1``): a slow worker is not started twice
behind the orchestrator's back, and retries stay with ``invoke_with_retries``. The read
timeout outlasts the worker's own timeout, so Lambda reports a timed-out worker as a
function error instead of the connection giving up first. The worker gets the orchestrator's
claim and records its result only while that claim holds the job; a worker that found the
claim lost fails with ``LeaseLost``, which the orchestrator raises in turn.
"""

from __future__ import annotations

import asyncio
import json
import time
from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .. import config
from .invoke import Invoke, record_failure
from .records import AgentResult, JobContext
from .store import JobStore, LeaseLost
from .tracing import trace_context

# How long past the worker's timeout the orchestrator waits for Lambda's answer.
READ_TIMEOUT_MARGIN_SECONDS = 30


@cache
def _client(region: str, read_timeout: int) -> Any:
    return boto3.client(
        "lambda",
        region_name=region,
        config=Config(
            read_timeout=read_timeout,
            connect_timeout=10,
            retries={"total_max_attempts": 1},
            max_pool_connections=max(10, len(config.WORKERS)),
        ),
    )


def lambda_invoker(store: JobStore, functions: dict[str, str], *, region: str) -> Invoke:
    """Call ``functions[agent]`` (the worker's Lambda function name) for each attempt."""

    async def invoke(agent: str, context: JobContext, attempt: int, claim: int) -> AgentResult:
        job_id = context.job_id  # the worker reads the job and earlier results from the store
        client = _client(region, config.WORKERS[agent].timeout + READ_TIMEOUT_MARGIN_SECONDS)
        started = time.perf_counter()
        try:
            response = await asyncio.to_thread(
                client.invoke,
                FunctionName=functions[agent],
                InvocationType="RequestResponse",
                Payload=json.dumps(
                    {"job_id": job_id, "attempt": attempt, "claim": claim, "trace": trace_context()}
                ),
            )
            payload = json.loads(response["Payload"].read())
        except (BotoCoreError, ClientError) as error:
            failure = f"invoking {functions[agent]} failed: {error}"
        else:
            if "FunctionError" not in response:
                return AgentResult(job_id=job_id, agent=agent, **payload)
            if payload.get("errorType") == LeaseLost.__name__:
                raise LeaseLost(payload.get("errorMessage", f"job {job_id}: claim {claim} lost"))
            # A timeout, a crash or an out-of-memory kill: the worker stored nothing.
            failure = f"{functions[agent]} failed: {payload.get('errorMessage', payload)}"
        elapsed = round((time.perf_counter() - started) * 1000)
        return record_failure(store, agent, job_id, attempt, failure, elapsed, claim=claim)

    return invoke
