"""Send a job to the orchestrator's SQS queue (deployed runs; local runs execute in-process)."""

from __future__ import annotations

import json
import os
from functools import cache

import boto3

from .settings import get_settings


@cache
def _sqs():
    return boto3.client("sqs", region_name=get_settings().aws_region)


def enqueue(job_id: str, *, delay_seconds: int = 0) -> None:
    """Queue ``job_id`` on the queue named by JOB_QUEUE_URL, delivered after ``delay_seconds``
    (at most 900); the message is {"job_id": ...}."""
    delay = {"DelaySeconds": delay_seconds} if delay_seconds else {}  # else the queue's
    _sqs().send_message(
        QueueUrl=os.environ["JOB_QUEUE_URL"], MessageBody=json.dumps({"job_id": job_id}), **delay
    )
