"""End to end on moto's server: apply the DynamoDB stack, run jobs through its queue, destroy.

One apply for the module (each SQS queue takes about 25 s on moto). Lambda code cannot run on
moto, so the artifacts are stand-in zips and tests/moto_jobs.py runs the deployed handlers in
the generated project's environment. The project is the finance preset with a reporter that
declares storage and an external API.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import boto3
import pytest
import yaml

from .conftest import ROOT, UV, render, run
from .terraform_tools import (
    free_port,
    stand_in_artifacts,
    start_moto,
    terraform_environment,
    terraform_init,
)

pytestmark = pytest.mark.xdist_group("terraform")
MAX_RECEIVE_COUNT = 2
EXTERNAL_API = "market-data"
EXTERNAL_API_URL = "https://market-data.example.test/v1"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class Stack:
    def __init__(self, project: Path, endpoint: str, env: dict[str, str]):
        self.project = project
        self.endpoint = endpoint
        self.env = env
        self.destroyed = False

    def terraform(self, *args: str, timeout: int = 600):
        variables = [
            f"-var=aws_endpoint={self.endpoint}",
            f"-var=max_receive_count={MAX_RECEIVE_COUNT}",
            f'-var=external_api_urls={{"{EXTERNAL_API}" = "{EXTERNAL_API_URL}"}}',
        ]
        command = ["terraform", *args, "-input=false", "-no-color", *variables]
        return run(command, cwd=self.project / "terraform", env=self.env, timeout=timeout)

    def outputs(self) -> dict:
        done = run(["terraform", "output", "-json"], cwd=self.project / "terraform", env=self.env)
        return {name: output["value"] for name, output in json.loads(done.stdout).items()}

    def client(self, service: str):
        return boto3.client(service, endpoint_url=self.endpoint, **{
            "aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            "region_name": CREDENTIALS["AWS_REGION"],
        })  # fmt: skip

    def destroy(self) -> None:
        """Destroy the stage as docs/deploy.md says for a protected one: lift the store's
        deletion protection alone, then destroy."""
        if not self.destroyed:
            self.terraform("apply", "-auto-approve", "-var=deletion_protection=false")
            self.terraform("destroy", "-auto-approve")
            self.destroyed = True


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    env = {**terraform_environment(), **CREDENTIALS}
    spec = yaml.safe_load((ROOT / "presets" / "finance.yaml").read_text())
    spec["agents"]["reporter"]["dependencies"] = {
        "storage": "read-write",
        "external_apis": [EXTERNAL_API],
    }
    project = render(tmp_path_factory.mktemp("e2e") / "app", database="dynamodb", api=False, **spec)
    syncing = subprocess.Popen(f"{UV} sync --quiet", cwd=project, shell=True)
    stand_in_artifacts(project)
    port = free_port()
    server = start_moto(port)
    deployed = Stack(project, f"http://127.0.0.1:{port}", env)
    try:
        terraform_init(project / "terraform", env, backend=True)
        deployed.terraform("apply", "-auto-approve")
        assert syncing.wait(timeout=300) == 0, "uv sync of the generated project failed"
        yield deployed
        deployed.destroy()
    finally:
        syncing.kill()
        server.kill()
        server.wait()


def statements_of(stack: Stack, role: str) -> list[dict]:
    document = stack.client("iam").get_role_policy(RoleName=role, PolicyName="permissions")
    policy = document["PolicyDocument"]
    policy = json.loads(policy) if isinstance(policy, str) else policy
    return policy["Statement"]


def actions_of(statements: list[dict]) -> set[str]:
    return {action for s in statements for action in _as_list(s["Action"])}


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def test_each_role_holds_only_what_its_agent_declares(stack):
    outputs = stack.outputs()
    tfvars = json.loads((stack.project / "terraform" / "agents.auto.tfvars.json").read_text())
    orchestrator = tfvars["orchestrator"]["name"]
    functions = outputs["function_names"]
    worker_arns = {
        name: stack.client("lambda").get_function(FunctionName=function)["Configuration"][
            "FunctionArn"
        ]
        for name, function in functions.items()
        if name != orchestrator
    }

    for name, worker in tfvars["workers"].items():
        statements = statements_of(stack, outputs["role_names"][name])
        actions = actions_of(statements)
        assert "lambda:InvokeFunction" not in actions, name
        if worker["storage"] == "none":
            assert not any(action.startswith("s3:") for action in actions), name
        resources = {r for s in statements for r in _as_list(s["Resource"])}
        assert "*" not in resources - {
            r for s in statements if s["Sid"] == "WriteTraces" for r in _as_list(s["Resource"])
        }, name

    invoking = [
        s for s in statements_of(stack, outputs["role_names"][orchestrator])
        if "lambda:InvokeFunction" in _as_list(s["Action"])
    ]  # fmt: skip
    assert [sorted(_as_list(s["Resource"])) for s in invoking] == [
        sorted(worker_arns[name] for name in tfvars["orchestrator"]["invokes"])
    ]


def test_each_function_has_the_layers_its_manifest_lists(stack):
    manifest = json.loads((stack.project / "build" / "lambda" / "manifest.json").read_text())
    layers = {
        layer["LayerName"]: layer["LatestMatchingVersion"]["LayerVersionArn"]
        for layer in stack.client("lambda").list_layers()["Layers"]
    }
    function_names = stack.outputs()["function_names"]

    assert len(layers) == len(manifest["layers"])
    assert set(manifest["functions"]) == set(function_names)  # this stack has no API
    for name, function in manifest["functions"].items():
        deployed = stack.client("lambda").get_function(FunctionName=function_names[name])
        attached = [layer["Arn"] for layer in deployed["Configuration"]["Layers"]]
        expected = [
            arn for layer in function["layers"] for layer_name, arn in layers.items()
            if layer_name.endswith(f"-{layer}")
        ]  # fmt: skip
        assert attached == expected, name


def test_the_dead_letter_consumer_reads_its_queue_and_updates_jobs_only(stack):
    outputs = stack.outputs()
    consumer = outputs["dead_letter_consumer"]
    sqs = stack.client("sqs")
    dead_letter_arn = sqs.get_queue_attributes(
        QueueUrl=outputs["dead_letter_queue_url"], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    table_arn = stack.client("dynamodb").describe_table(
        TableName=outputs["client_environment"]["JOBS_TABLE"]
    )["Table"]["TableArn"]

    statements = {s["Sid"]: s for s in statements_of(stack, consumer["role_name"])}
    assert set(statements) == {"WriteLogs", "WriteTraces", "UpdateJobs", "ConsumeDeadLetters"}
    assert set(_as_list(statements["UpdateJobs"]["Action"])) == {
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
    }
    assert _as_list(statements["UpdateJobs"]["Resource"]) == [table_arn]
    assert not any("SendMessage" in a for a in _as_list(statements["ConsumeDeadLetters"]["Action"]))
    assert _as_list(statements["ConsumeDeadLetters"]["Resource"]) == [dead_letter_arn]
    function_arn = stack.client("lambda").get_function(FunctionName=consumer["function_name"])[
        "Configuration"
    ]["FunctionArn"]
    mappings = [
        mapping
        for mapping in stack.client("lambda").list_event_source_mappings()["EventSourceMappings"]
        if mapping["FunctionArn"] == function_arn
    ]
    assert [m["EventSourceArn"] for m in mappings] == [dead_letter_arn]
    assert mappings[0]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_job_runs_through_the_queue_and_a_poison_message_ends_in_the_dead_letter_queue(stack):
    outputs = stack.outputs()
    tfvars = json.loads((stack.project / "terraform" / "agents.auto.tfvars.json").read_text())
    example = next((stack.project / "examples").glob("*.json"))
    python = str(stack.project / ".venv" / "bin" / "python")
    package = next((stack.project / "src").iterdir()).name
    # What `make submit` / `make status` run: the CLI with the stage's client environment.
    client_env = {
        **stack.env,
        **outputs["client_environment"],
        "AWS_ENDPOINT_URL": stack.endpoint,
    }
    submitted = run([python, "-m", package, "submit", "--input", str(example)], cwd=stack.project,
                    env=client_env)  # fmt: skip
    job_id = submitted.stdout.strip().splitlines()[-1]
    done = run(
        [
            python,
            str(Path(__file__).with_name("moto_jobs.py")),
            outputs["function_names"][tfvars["orchestrator"]["name"]],
            outputs["dead_letter_consumer"]["function_name"],
            outputs["dead_letter_queue_url"],
            job_id,
        ],
        cwd=stack.project,
        env={**stack.env, "AWS_ENDPOINT_URL": stack.endpoint, "MODEL_MODE": "offline"},
    )
    summary = json.loads(done.stdout.strip().splitlines()[-1])

    assert summary["job_failures"] == []
    assert summary["job"]["status"] == "completed", summary["job"]
    ran = {agent for step in summary["job"]["steps"] for agent in step["agents"]}
    assert ran and all(summary["job"]["results"][agent]["status"] == "ok" for agent in ran)
    assert summary["table_sort_keys"] == sorted(["JOB", *(f"RESULT#{agent}" for agent in ran)])
    # AWS delivers it max_receive_count times; moto moves it one delivery early.
    assert 1 <= summary["poison_deliveries"] <= MAX_RECEIVE_COUNT
    assert summary["dead_letters"] == ["not a job"]
    assert summary["consumer_failures"] == []
    stranded = summary["stranded_job"]
    assert (stranded["status"], stranded["steps"]) == ("failed", [])
    assert "dead-letter queue" in stranded["error"]
    shown = run([python, "-m", package, "status", job_id, "--json"], cwd=stack.project,
                env=client_env)  # fmt: skip
    assert json.loads(shown.stdout) == summary["job"]


TOOL = """
import json
from {package}.runtime.settings import external_api
from {package}.runtime.storage import bucket

api = external_api("{api}")
reports = bucket("reports")
reports.write("2026/summary.md", "# Summary")
print(json.dumps({{"url": api.base_url, "key": api.key, "names": reports.names()}}))
"""


def test_storage_and_external_apis_reach_only_the_agents_that_declare_them(stack):
    outputs = stack.outputs()
    functions = outputs["function_names"]
    environments = {
        name: stack.client("lambda").get_function_configuration(FunctionName=function)[
            "Environment"
        ]["Variables"]
        for name, function in functions.items()
    }
    secret_arn = outputs["secret_arns"][f"external-api/{EXTERNAL_API}"]
    reporter = environments["reporter"]
    assert reporter["DATA_BUCKET"] == outputs["data_bucket"]
    assert reporter["EXTERNAL_API_MARKET_DATA_URL"] == EXTERNAL_API_URL
    assert reporter["EXTERNAL_API_MARKET_DATA_KEY_SECRET"] == secret_arn
    for name, environment in environments.items():
        if name != "reporter":
            assert not {"DATA_BUCKET", "EXTERNAL_API_MARKET_DATA_KEY_SECRET"} & set(environment)
        resources = {
            resource
            for statement in statements_of(stack, outputs["role_names"][name])
            for resource in _as_list(statement["Resource"])
        }
        assert (secret_arn in resources) == (name == "reporter"), name

    # A tool of the reporter, with the reporter's environment: the key from Secrets Manager,
    # the object in the bucket.
    stack.client("secretsmanager").put_secret_value(SecretId=secret_arn, SecretString="k-123")
    package = next((stack.project / "src").iterdir()).name
    done = run(
        [str(stack.project / ".venv" / "bin" / "python"), "-c"]
        + [TOOL.format(package=package, api=EXTERNAL_API)],
        cwd=stack.project,
        env={**stack.env, **reporter, "AWS_ENDPOINT_URL": stack.endpoint},
    )
    assert json.loads(done.stdout) == {
        "url": EXTERNAL_API_URL,
        "key": "k-123",
        "names": ["2026/summary.md"],
    }
    s3 = stack.client("s3")
    stored = s3.get_object(Bucket=outputs["data_bucket"], Key="reports/2026/summary.md")
    assert stored["Body"].read() == b"# Summary"
    versions = s3.list_object_versions(Bucket=outputs["data_bucket"])
    for version in versions.get("Versions", []) + versions.get("DeleteMarkers", []):
        s3.delete_object(
            Bucket=outputs["data_bucket"], Key=version["Key"], VersionId=version["VersionId"]
        )


def test_destroy_leaves_nothing(stack):
    table = stack.outputs()["client_environment"]["JOBS_TABLE"]
    described = stack.client("dynamodb").describe_table(TableName=table)["Table"]
    assert described["DeletionProtectionEnabled"], "data_protection is on by default"

    stack.destroy()
    assert stack.client("lambda").list_functions()["Functions"] == []
    assert stack.client("lambda").list_layers()["Layers"] == []
    assert stack.client("sqs").list_queues().get("QueueUrls", []) == []
    assert stack.client("dynamodb").list_tables()["TableNames"] == []
    assert stack.client("s3").list_buckets()["Buckets"] == []
    assert stack.client("iam").list_roles()["Roles"] == []
    assert stack.client("logs").describe_log_groups()["logGroups"] == []
    assert stack.client("secretsmanager").list_secrets()["SecretList"] == []
