"""Lambda entry point of the dead-letter consumer: a job whose message reached the
dead-letter queue ends ``failed``, with the reason.

A job message moves to the dead-letter queue after ``max_receive_count`` deliveries that all
failed (the orchestrator raised each time; its logs for the job say why). No run will
continue that job, so this consumer takes it over (a run that still holds it stops at its
next agent call or write) and finishes it failed. A job that finished meanwhile is left as
it is; a message that names no job is logged and dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from ..runtime.records import Job, utcnow
from ..runtime.settings import get_settings
from ..runtime.store import JobStore
from ..runtime.store.open import open_store
from ..runtime.telemetry.logs import configure_logging, log_context
from .lease import LEASE
from .messages import BadMessage, job_id_of

configure_logging()
logger = logging.getLogger(__name__)

REASON = (
    "its message reached the dead-letter queue: the orchestrator failed on every delivery"
    " (its logs for this job say why)"
)


def fail_job(store: JobStore, job_id: str, now: Callable[[], datetime] = utcnow) -> Job | None:
    """Take the job over and finish it failed with REASON; None if it had already finished
    (or does not exist)."""
    job = store.claim_job(job_id, lease_until=now() + LEASE, now=now(), take_over=True)
    if job is None:
        return None
    store.finish_job(job_id, attempt=job.attempt, status="failed", error=REASON)
    return store.get_job(job_id)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    store = open_store(get_settings())

    def fail_record(record: SQSRecord) -> None:
        with log_context(message_id=record.message_id):
            try:
                job_id = job_id_of(record)
            except BadMessage as error:
                logger.warning("dead letter dropped", extra={"fields": {"reason": str(error)}})
                return
            with log_context(job_id=job_id):
                if fail_job(store, job_id) is None:
                    logger.info("dead letter of a finished or unknown job: nothing to do")
                else:
                    logger.error("job failed: its message reached the dead-letter queue")

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    return process_partial_response(
        event=event, record_handler=fail_record, processor=processor, context=context
    )
