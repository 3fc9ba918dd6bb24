"""Orchestration overhead and generation time (figures, not a test).

1. A 10-agent spec (2 sequential, 6 parallel, 2 sequential) whose offline agents each take a
   set latency, run in-process on the SQLite store: job time against the critical path (sum
   of each step's longest agent), and the overhead per agent call, (job - critical path) / 10,
   in the median and the fastest of 9 runs; next to it the process's CPU time per agent call,
   which a busy machine inflates less than wall time. Then a parallel step of N agents against
   one agent's latency.
2. `copier copy` time for 5, 10 and 40 agents.

Run: uv run python bench/orchestration.py
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from copier import run_copy

ROOT = Path(__file__).resolve().parent.parent
UV = shutil.which("uv") or f"{sys.executable} -m uv"
LATENCY = 0.2


def spec(workers: int, *, layout: list[tuple[str, int]] | None = None) -> dict:
    names = [f"agent_{i:02d}" for i in range(workers)]
    layout = layout or [("parallel", workers)]
    steps, start = [], 0
    for kind, count in layout:
        steps.append({kind: names[start : start + count]})
        start += count
    return {
        "inputs": {"topic": {"type": "str", "default": "bench"}},
        "agents": {name: {"description": f"Bench agent {name}"} for name in names},
        "orchestration": {
            "strategy": "dynamic",
            "selection_rules": [{"name": "all", "condition": "always", "agents": steps}],
        },
    }


def render(destination: Path, data: dict) -> float:
    started = time.perf_counter()
    run_copy(
        str(ROOT), destination, data=data, defaults=True, unsafe=True, quiet=True, vcs_ref="HEAD"
    )
    return time.perf_counter() - started


TIMING_SCRIPT = """
import asyncio, json, statistics, sys, time
from agents_app.orchestrator.run import execute_job
from agents_app.runtime.invoke import in_process
from agents_app.runtime.jobs import create_job
from agents_app.runtime.settings import get_settings
from agents_app.runtime.sqlite_store import SqliteStore

store = SqliteStore(sys.argv[1])
settings = get_settings()
wall, cpu = [], []
for run in range(int(sys.argv[2]) + 1):
    job = create_job(store, {}, user_id="bench")
    started, cpu_started = time.perf_counter(), time.process_time()
    asyncio.run(execute_job(store, job.id, in_process(store, settings)))
    if run:  # the first run imports the Agents SDK and builds the agents
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    assert store.get_job(job.id).status == "completed"
print(json.dumps({
    "wall": statistics.median(wall), "best": min(wall), "cpu": statistics.median(cpu)
}))
"""


def job_seconds(project: Path, runs: int = 9) -> dict[str, float]:
    """Median wall and CPU seconds of a job, after one run that loads everything."""
    environment = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    environment |= {"MODEL_MODE": "offline", "OFFLINE_LATENCY_SECONDS": str(LATENCY)}
    subprocess.run(
        f"{UV} sync --quiet --compile-bytecode", shell=True, cwd=project, check=True,
        env=environment,
    )  # fmt: skip
    done = subprocess.run(
        [
            str(project / ".venv/bin/python"),
            "-c",
            TIMING_SCRIPT,
            str(project / "bench.db"),
            str(runs),
        ],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    return json.loads(done.stdout)


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        project = scratch / "ten"
        layout = [("sequential", 2), ("parallel", 6), ("sequential", 2)]
        render(project, {"preset": "blank", **spec(10, layout=layout)})
        critical_path = (2 + 1 + 2) * LATENCY
        job = job_seconds(project)
        measured, overhead = job["wall"], job["wall"] - critical_path
        print(
            f"10 agents, latency {LATENCY:.2f} s each: critical path {critical_path:.2f} s, "
            f"job {measured:.3f} s, overhead {overhead:+.3f} s "
            f"({(measured / critical_path - 1) * 100:+.1f} %)"
        )
        print(
            f"  overhead per agent call: {overhead / 10 * 1000:.1f} ms, "
            f"in the fastest run {(job['best'] - critical_path) / 10 * 1000:.1f} ms "
            f"(CPU time per agent call: {job['cpu'] / 10 * 1000:.1f} ms)"
        )

        wide = scratch / "wide"
        render(wide, {"preset": "blank", **spec(8)})
        measured = job_seconds(wide)["wall"]
        print(
            f"one parallel step of 8 agents: {measured:.3f} s "
            f"(one agent {LATENCY:.2f} s, the sum would be {8 * LATENCY:.2f} s)"
        )

        print("copier copy (median of 3):")
        for count in (5, 10, 40):
            times = [render(scratch / f"copy-{count}-{i}", spec(count)) for i in range(3)]
            print(f"  {count:3d} agents: {statistics.median(times):.2f} s")


if __name__ == "__main__":
    main()
