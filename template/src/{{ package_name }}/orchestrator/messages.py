"""The job queue's messages: ``{"job_id": "<id>"}``, read by the orchestrator and by the
dead-letter consumer."""

from __future__ import annotations

import json

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord


class BadMessage(ValueError):
    """A record whose body is not {"job_id": "<id>"}."""


def job_id_of(record: SQSRecord) -> str:
    try:
        job_id = json.loads(record.body)["job_id"]
    except (json.JSONDecodeError, TypeError, KeyError) as error:
        raise BadMessage(f"message {record.message_id} is not a job: {error!r}") from None
    if not isinstance(job_id, str) or not job_id:
        raise BadMessage(f"message {record.message_id} has no job id")
    return job_id
