"""The job queue's messages: ``{"job_id": "<id>"}``, read by the orchestrator and by the
dead-letter consumer."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from ..gate import InvalidInput, is_job_id, parse_json


class BadMessage(ValueError):
    """A record whose body is not {"job_id": "<id>"}."""


def job_id_of(record: SQSRecord) -> str:
    """The job id of the record's body, read through the input gate."""
    try:
        body = parse_json(record.body.encode("utf-8", "surrogatepass"), root="body")
    except InvalidInput as error:
        raise BadMessage(f"message {record.message_id} is not a job: {error}") from None
    job_id = body.get("job_id") if isinstance(body, dict) else None
    if not is_job_id(job_id):
        raise BadMessage(f"message {record.message_id} has no job id")
    return job_id
