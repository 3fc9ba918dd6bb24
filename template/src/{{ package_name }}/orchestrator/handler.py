"""Lambda entry point of the orchestrator: each SQS record names a job to run or resume.

A record fails, so SQS delivers it again and, after its retries, to the dead-letter queue,
when its body is not ``{"job_id": ...}`` naming a known job or when running the job raised;
the other records of the batch are processed either way (partial batch failure reporting).
A job that has finished is acknowledged without running an agent. A record for a job that
another run holds is acknowledged too, without running an agent, once a new message for the
job is queued to come back after ``RECHECK_SECONDS``: the record may be a copy of that run's
own message (SQS delivers at least once), deleted with it, and the new message resumes the
job if that run dies (it is acknowledged once the job finished, and queued again while a
live run still holds it). A job handed over for lack of time is queued again at once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from .. import config
from ..runtime.invoke.workers import worker_invoker
from ..runtime.queue import enqueue
from ..runtime.settings import get_settings
from ..runtime.store.open import open_store
from ..runtime.telemetry.logs import configure_logging, log_context
from .messages import BadMessage, job_id_of
from .run import execute_job

configure_logging()
logger = logging.getLogger(__name__)
if config.STRATEGY == "planner":
    # The planner calls a model: its client loads in Lambda's init phase, not in a first job.
    from ..runtime.llm.clients import load_model_client

    load_model_client(get_settings())


# How long a message for a job another run holds waits before it checks the job again: the
# longest delay SQS allows (a lease lasts the orchestrator's timeout plus a margin).
RECHECK_SECONDS = 900


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    settings = get_settings()
    store = open_store(settings)
    invoke = worker_invoker(store, settings)

    def seconds_left() -> float:
        return context.get_remaining_time_in_millis() / 1000

    def run_record(record: SQSRecord) -> None:
        with log_context(message_id=record.message_id):
            try:
                job_id = job_id_of(record)
                job = asyncio.run(execute_job(store, job_id, invoke, seconds_left=seconds_left))
            except BadMessage as error:
                logger.error(str(error))
                raise
            except Exception:
                logger.exception("record failed")
                raise
            if job is None:
                held = store.get_job(job_id)
                if held is not None and held.status == "running":
                    logger.info("job held by another run: checked again later")
                    enqueue(job_id, delay_seconds=RECHECK_SECONDS)
                else:
                    logger.info("job not run here: it has finished")
            elif job.status == "running":  # handed over: a fresh invocation continues it
                enqueue(job_id)

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    return process_partial_response(
        event=event, record_handler=run_record, processor=processor, context=context
    )
