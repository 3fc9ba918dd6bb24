"""What Lambda passes the queue consumers: SQS events, a context, and their batch answers."""

from __future__ import annotations

import json


class LambdaContext:
    """The part of Lambda's context the handler reads; each reading costs ``spend`` seconds."""

    def __init__(self, seconds: float = 900, spend: float = 0):
        self.seconds = seconds
        self.spend = spend

    def get_remaining_time_in_millis(self) -> int:
        left, self.seconds = self.seconds, self.seconds - self.spend
        return int(left * 1000)


def sqs_event(*bodies: str) -> dict:
    return {
        "Records": [
            {
                "messageId": f"message-{number}",
                "receiptHandle": f"handle-{number}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:jobs",
                "awsRegion": "us-east-1",
            }
            for number, body in enumerate(bodies)
        ]
    }


def job_message(job_id: str) -> str:
    return json.dumps({"job_id": job_id})


def failures(response: dict) -> list[str]:
    """The message ids the handler reported as failed (SQS delivers them again)."""
    return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]
