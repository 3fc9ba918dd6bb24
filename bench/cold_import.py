"""Cold import time of the generated Lambda handlers, next to their dependency stacks alone.

Renders the finance preset twice, with its sequential rules and with ``strategy: planner``,
installs each project with bytecode compiled (``uv sync --compile-bytecode``, then
``compileall`` for the project's own source), and imports, each in a fresh interpreter with
the environment a deployed function has (live model on Bedrock, the Aurora store), every
handler and the stack it stands on, in turns, several times:

    rules orchestrator     vs  import boto3
    API                    vs  import boto3, fastapi, mangum
    worker, planner        vs  their model stack: boto3, the Agents SDK, LiteLLM's model class

It prints the medians and their ratio (what the handler costs over its stack), and which of
the LLM stack (the Agents SDK, LiteLLM, openai) each import loaded. The script fails when the
rules orchestrator or the API loads any of it, or when a model-calling handler does not load
its model client as it is imported (its first invocation would then pay for it). Run with
``uv run python bench/cold_import.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from copier import run_copy

ROOT = Path(__file__).resolve().parent.parent
LLM_STACK = ("agents", "litellm", "openai")
MODEL_STACK = "boto3, agents, agents.extensions.models.litellm_model"
PROBE = """
import importlib, json, sys, time
started = time.perf_counter()
for module in sys.argv[1].split(", "):
    importlib.import_module(module)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "loaded": [m for m in sys.argv[2:] if m in sys.modules]}))
"""
# What a deployed function's environment holds, with stand-in values: nothing is called.
DEPLOYED = {
    "PATH": "/usr/bin:/bin",
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "JOB_STORE": "aurora-serverless-v2",
    "DB_CLUSTER_ARN": "arn:aws:rds:us-east-1:123456789012:cluster:bench",
    "DB_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:bench",
    "DB_NAME": "jobs",
    "JOB_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/bench",
    "LITELLM_OFFLINE_MODE": "true",  # as runtime/llm.py sets them
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
}


def render(destination: Path, strategy: str) -> Path:
    preset = yaml.safe_load((ROOT / "presets" / "finance.yaml").read_text())
    orchestration = {**preset["orchestration"], "strategy": strategy}
    if strategy == "planner":  # the planner decides at run time, without rules
        orchestration.pop("selection_rules")
    run_copy(
        str(ROOT),
        destination,
        data={"orchestration": orchestration},
        defaults=True,
        unsafe=True,
        quiet=True,
        vcs_ref="HEAD",
    )
    return destination


def install(project: Path) -> Path:
    uv = shutil.which("uv") or sys.exit("uv is not on PATH")
    subprocess.run([uv, "sync", "--quiet", "--compile-bytecode"], cwd=project, check=True)
    python = project / ".venv" / "bin" / "python"
    subprocess.run([python, "-m", "compileall", "-q", "src"], cwd=project, check=True)
    return python


def probe(python: Path, modules: str) -> dict:
    done = subprocess.run(
        [python, "-c", PROBE, modules, *LLM_STACK],
        capture_output=True,
        text=True,
        check=True,
        env=DEPLOYED,
    )
    return json.loads(done.stdout)


def measure(python: Path, handler: str, stack: str, runs: int) -> tuple[float, float, list[str]]:
    """Median import seconds of ``handler`` and of ``stack``, taken in turns, and what the
    handler loaded of the LLM stack."""
    handler_times, stack_times, loaded = [], [], []
    for _ in range(runs):
        found = probe(python, handler)
        handler_times.append(found["seconds"])
        loaded = found["loaded"]
        stack_times.append(probe(python, stack)["seconds"])
    return statistics.median(handler_times), statistics.median(stack_times), loaded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    problems = []
    print(f"{'handler':<42}{'import':>9}{'stack':>9}{'ratio':>7}  stack; LLM stack loaded")
    with tempfile.TemporaryDirectory(prefix="cold-import-") as scratch:
        for strategy in ("sequential", "planner"):
            project = render(Path(scratch) / strategy, strategy)
            python = install(project)
            package = next((project / "src").iterdir()).name
            agents = project / "src" / package / "agents"
            worker = min(path.parent.name for path in agents.glob("*/handler.py"))
            orchestrator = "rules orchestrator" if strategy != "planner" else "planner"
            handlers = [(orchestrator, f"{package}.orchestrator.handler")]
            if strategy != "planner":
                handlers += [
                    ("worker", f"{package}.agents.{worker}.handler"),
                    ("API", f"{package}.api.handler"),
                ]
            for role, module in handlers:
                stack = {
                    "rules orchestrator": "boto3",
                    "API": "boto3, fastapi, mangum",
                }.get(role, MODEL_STACK)
                seconds, stack_seconds, loaded = measure(python, module, stack, args.runs)
                shown = ", ".join(loaded) or "none"
                print(
                    f"{role + ' ' + module.removeprefix(package):<42}"
                    f"{seconds * 1000:>6.0f} ms{stack_seconds * 1000:>6.0f} ms"
                    f"{seconds / stack_seconds:>7.2f}  {stack}; {shown}"
                )
                if role in ("rules orchestrator", "API") and loaded:
                    problems.append(f"the {role} imports {shown}")
                if role in ("worker", "planner") and "litellm" not in loaded:
                    problems.append(f"the {role} does not load LiteLLM as it is imported")
    for problem in problems:
        print(f"FAIL: {problem}")
    if not problems:
        print(
            "ok: the rules orchestrator and the API load none of the LLM stack; the worker "
            "and the planner load their model client during init"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
