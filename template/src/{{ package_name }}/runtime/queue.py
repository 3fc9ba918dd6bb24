"""Send a job to the orchestrator's SQS queue (deployed runs; local runs execute in-process)."""

from __future__ import annotations

import json
from functools import cache

import boto3

from .settings import deployed_settings, get_settings


@cache
def _sqs():
    return boto3.client("sqs", region_name=get_settings().aws_region)


def queue_url() -> str:
    """JOB_QUEUE_URL, the orchestrator's queue; InvalidSetting when unset."""
    return deployed_settings("queueing a job", "JOB_QUEUE_URL")["JOB_QUEUE_URL"]


def enqueue(job_id: str, *, delay_seconds: int = 0) -> None:
    """Queue ``job_id`` on the orchestrator's queue, delivered after ``delay_seconds`` (at most
    900); the message is {"job_id": ...}."""
    delay = {"DelaySeconds": delay_seconds} if delay_seconds else {}  # else the queue's
    _sqs().send_message(QueueUrl=queue_url(), MessageBody=json.dumps({"job_id": job_id}), **delay)
