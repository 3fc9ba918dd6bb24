"""Cold import time of the generated Lambda handlers (a figure, not a test).

Renders the finance preset twice, with its sequential rules and with ``strategy: planner``,
installs each project with bytecode compiled (``uv sync --compile-bytecode``, then
``compileall`` for the project's own source), and imports the orchestrator's handler and a
worker's handler, each in fresh interpreters, several times. Prints the median import time
and whether the import loaded the LLM stack (the Agents SDK, LiteLLM, openai). With compiled
rules the orchestrator must not load it: the script fails if it does. Run with
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
PROBE = """
import importlib, json, sys, time
started = time.perf_counter()
importlib.import_module(sys.argv[1])
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "loaded": [m for m in sys.argv[2:] if m in sys.modules]}))
"""


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


def measure(python: Path, module: str, runs: int) -> tuple[float, list[str]]:
    times, loaded = [], []
    for _ in range(runs):
        done = subprocess.run(
            [python, "-c", PROBE, module, *LLM_STACK],
            capture_output=True,
            text=True,
            check=True,
            env={"PATH": "/usr/bin:/bin", "AWS_REGION": "us-east-1"},
        )
        probe = json.loads(done.stdout)
        times.append(probe["seconds"])
        loaded = probe["loaded"]
    return statistics.median(times), loaded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    problems = []
    print(f"{'strategy':<11}{'handler':<34}{'median import':>15}  LLM stack loaded")
    with tempfile.TemporaryDirectory(prefix="cold-import-") as scratch:
        for strategy in ("sequential", "planner"):
            project = render(Path(scratch) / strategy, strategy)
            python = install(project)
            package = next((project / "src").iterdir()).name
            agents = project / "src" / package / "agents"
            worker = min(path.parent.name for path in agents.glob("*/handler.py"))
            for module in (f"{package}.orchestrator.handler", f"{package}.agents.{worker}.handler"):
                seconds, loaded = measure(python, module, args.runs)
                shown = ", ".join(loaded) or "none"
                print(f"{strategy:<11}{module:<34}{seconds * 1000:>12.0f} ms  {shown}")
                if strategy != "planner" and module.endswith("orchestrator.handler") and loaded:
                    problems.append(f"the {strategy} orchestrator imports {shown}")
    for problem in problems:
        print(f"FAIL: {problem}")
    if not problems:
        print("ok: without a planner the orchestrator does not import the LLM stack")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
