"""Jobs through a stack that Terraform applied to moto's server; handlers run in this process.

Run by tests/test_e2e_moto.py with the generated project's Python (it imports the project):

    python moto_jobs.py <orchestrator function> <dead-letter consumer function> \
        <dead-letter queue url> <job id>

moto creates the functions but cannot run them, so this script plays Lambda: it takes the
environment Terraform gave the orchestrator function, receives the job queue's messages and
passes them to the orchestrator's handler as an SQS event, deleting what the handler did not
report as failed (like Lambda's event source mapping). The orchestrator invokes its workers by
function name; each call runs the handler that moto has on record for that function. Prints a
JSON summary.

Last, the message of a job that no delivery could run is put on the dead-letter queue (as
SQS does after max_receive_count failed deliveries) and handed to the dead-letter consumer,
which must mark the job failed.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import sys
from typing import Any

import boto3


class Context:
    """The part of Lambda's context object the handlers read: a fresh invocation's time."""

    aws_request_id = "e2e"
    memory_limit_in_mb = 1024

    def __init__(self, configuration: dict[str, Any]):
        self.function_name = configuration["FunctionName"]
        self.invoked_function_arn = configuration["FunctionArn"]
        self.timeout_ms = configuration["Timeout"] * 1000

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_ms


def configuration_of(function_name: str) -> dict[str, Any]:
    return boto3.client("lambda").get_function_configuration(FunctionName=function_name)


def handler_of(function_name: str):
    """The deployed function's handler, imported here, called with its context."""
    configuration = configuration_of(function_name)
    module, _, attribute = configuration["Handler"].rpartition(".")
    handler = getattr(importlib.import_module(module), attribute)
    return lambda event: handler(event, Context(configuration))


class InProcessLambda:
    """A Lambda client whose invoke runs the function's handler here."""

    def invoke(self, FunctionName: str, Payload: str, **_: Any) -> dict[str, Any]:  # noqa: N803
        result = handler_of(FunctionName)(json.loads(Payload))
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(result).encode())}


def deliver_once(sqs: Any, queue_url: str, queue_arn: str, handler) -> list[str] | None:
    """Receive one message and hand it to the handler; the ids it reported as failed."""
    messages = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=1, AttributeNames=["All"]
    ).get("Messages", [])
    if not messages:
        return None
    records = [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m.get("Attributes", {}),
            "messageAttributes": {},
            "md5OfBody": m["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": queue_arn,
            "awsRegion": os.environ["AWS_REGION"],
        }
        for m in messages
    ]
    response = handler({"Records": records})
    failed = [failure["itemIdentifier"] for failure in response["batchItemFailures"]]
    for message in messages:
        if message["MessageId"] in failed:  # visible again at once instead of after the timeout
            sqs.change_message_visibility(
                QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
        else:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return failed


def main() -> None:
    orchestrator_function, dead_letter_function, dead_letter_url, job_id = sys.argv[1:5]
    deployed = configuration_of(orchestrator_function)
    os.environ.update(deployed["Environment"]["Variables"])
    package = deployed["Handler"].split(".")[0]
    lambda_invoke = importlib.import_module(f"{package}.runtime.invoke.lambda_functions")
    lambda_invoke._client = lambda *_: InProcessLambda()
    handler = handler_of(orchestrator_function)
    store_module = importlib.import_module(f"{package}.runtime.store.open")
    settings = importlib.import_module(f"{package}.runtime.settings").get_settings()
    store = store_module.open_store(settings)
    jobs = importlib.import_module(f"{package}.runtime.jobs")
    sqs = boto3.client("sqs")
    queue_url = os.environ["JOB_QUEUE_URL"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]

    job = store.get_job(job_id)  # created and queued by `python -m <package> submit`
    job_failures = []  # a job handed over for lack of time comes back on the queue
    while (failed := deliver_once(sqs, queue_url, queue_arn, handler)) is not None:
        job_failures += failed
    view = jobs.job_view(store, store.get_job(job.id))
    table_items = boto3.client("dynamodb").query(
        TableName=os.environ["JOBS_TABLE"],
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"JOB#{job.id}"}},
    )["Items"]

    sqs.send_message(QueueUrl=queue_url, MessageBody="not a job")
    poison_deliveries = 0
    while deliver_once(sqs, queue_url, queue_arn, handler) is not None:
        poison_deliveries += 1
    dead_letters = sqs.receive_message(QueueUrl=dead_letter_url, WaitTimeSeconds=1).get(
        "Messages", []
    )

    # The poison message is now invisible on the dead-letter queue; a job's message joins it.
    stranded = jobs.create_job(store, job.input, user_id=job.user_id)
    sqs.send_message(QueueUrl=dead_letter_url, MessageBody=json.dumps({"job_id": stranded.id}))
    dead_letter_arn = sqs.get_queue_attributes(
        QueueUrl=dead_letter_url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    consumer = handler_of(dead_letter_function)
    consumer_failures: list[str] = []
    while (failed := deliver_once(sqs, dead_letter_url, dead_letter_arn, consumer)) is not None:
        consumer_failures += failed
    print(
        json.dumps(
            {
                "job": view,
                "job_failures": job_failures,
                "table_sort_keys": sorted(item["sk"]["S"] for item in table_items),
                "poison_deliveries": poison_deliveries,
                "dead_letters": [message["Body"] for message in dead_letters],
                "stranded_job": jobs.job_view(store, store.get_job(stranded.id)),
                "consumer_failures": consumer_failures,
            }
        )
    )


if __name__ == "__main__":
    main()
