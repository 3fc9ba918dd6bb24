"""Orchestration overhead and generation time (figures, not a test).

1. A 10-agent spec (2 sequential, 6 parallel, 2 sequential) whose offline agents each take a
   set latency, run in-process on the SQLite store: job time against the critical path (sum
   of each step's longest agent), and the overhead per agent call, (job - critical path) / 10,
   in the median and the fastest of 9 runs; next to it the process's CPU time per agent call,
   which a busy machine inflates less than wall time. Measured twice: with the real workers
   (the Agents SDK's run loop on the offline model), and with bare workers that only wait the
   latency and store a result, which leaves the orchestration alone (claim, plan, retries,
   store writes, logs, metrics). The difference is the Agents SDK's own cost per call. Both
   again with no latency, where nothing waits and the CPU stays warm. First, what a wake-up
   from idle costs on this machine: the same small piece of work back to back and after each
   wait of the agents' latency, since every agent's wait ends in such a wake-up.
2. A parallel step of N agents against one agent's latency.
3. `copier copy` time for 5, 10 and 40 agents.

Run: uv run python bench/orchestration.py
"""

from __future__ import annotations

import asyncio
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
from agents_app.runtime.invoke.local import in_process
from agents_app.runtime.jobs import create_job
from agents_app.runtime.settings import get_settings
from agents_app.runtime.store.sqlite import SqliteStore

from agents_app.runtime.records import AgentResult

store = SqliteStore(sys.argv[1])
settings = get_settings()


def bare_workers():
    # Workers without the Agents SDK: wait the latency, store a result as a worker does.

    async def invoke(agent, context, attempt, claim):
        await asyncio.sleep(settings.latency_of(agent))
        result = AgentResult(context.job_id, agent, "ok", {"text": agent}, attempts=attempt)
        store.put_result(result, claim=claim)
        return result

    return invoke


wall, cpu = [], []
for run in range(int(sys.argv[2]) + 1):
    job = create_job(store, {}, user_id="bench")
    invoke = (
        in_process(store, settings)
        if sys.argv[3] == "agents"
        else bare_workers()
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    asyncio.run(execute_job(store, job.id, invoke))
    if run:  # the first run imports the Agents SDK and builds the agents
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    assert store.get_job(job.id).status == "completed"
print(json.dumps({
    "wall": statistics.median(wall), "best": min(wall), "cpu": statistics.median(cpu)
}))
"""


def job_seconds(
    project: Path, *, workers: str = "agents", latency: float = LATENCY, runs: int = 9
) -> dict[str, float]:
    """Median wall and CPU seconds of a job, after one run that loads everything.

    ``workers``: "agents" (the real workers) or "bare" (no Agents SDK).
    """
    environment = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    environment |= {"MODEL_MODE": "offline", "OFFLINE_LATENCY_SECONDS": str(latency)}
    if not (project / ".venv").exists():
        subprocess.run(
            f"{UV} sync --quiet --compile-bytecode", shell=True, cwd=project, check=True,
            env=environment,
        )  # fmt: skip
    done = subprocess.run(
        [
            str(project / ".venv/bin/python"),
            "-c",
            TIMING_SCRIPT,
            str(project / f"bench-{workers}-{latency}.db"),
            str(runs),
            workers,
        ],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    return json.loads(done.stdout)


def wake_cost(pause: float, rounds: int = 20) -> float:
    """CPU milliseconds of the same small piece of work, done after ``pause`` seconds idle."""

    async def rounds_of_work() -> float:
        started = time.thread_time()
        for _ in range(rounds):
            if pause:
                await asyncio.sleep(pause)
            json.dumps({str(number): number for number in range(300)})
        return (time.thread_time() - started) / rounds * 1000

    return asyncio.run(rounds_of_work())


def main() -> None:
    warm, woken = wake_cost(0), wake_cost(LATENCY)
    print(
        f"this machine: a small piece of work costs {warm:.2f} ms of CPU back to back, "
        f"{woken:.2f} ms after {LATENCY:.2f} s idle (each agent's wait ends in such a wake-up)"
    )
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        project = scratch / "ten"
        layout = [("sequential", 2), ("parallel", 6), ("sequential", 2)]
        render(project, {"preset": "blank", **spec(10, layout=layout)})
        critical_path = (2 + 1 + 2) * LATENCY
        print(f"10 agents, latency {LATENCY:.2f} s each: critical path {critical_path:.2f} s")
        per_call = {}
        for workers, label in (
            ("agents", "real workers (Agents SDK, offline model)"),
            ("bare", "orchestration alone (bare workers, no Agents SDK)"),
        ):
            job = job_seconds(project, workers=workers)
            overhead = job["wall"] - critical_path
            per_call[workers] = overhead / 10 * 1000
            print(
                f"  {label}: job {job['wall']:.3f} s, overhead {overhead:+.3f} s "
                f"({(job['wall'] / critical_path - 1) * 100:+.1f} %)\n"
                f"    per agent call: {per_call[workers]:.1f} ms, "
                f"in the fastest run {(job['best'] - critical_path) / 10 * 1000:.1f} ms "
                f"(CPU time per agent call: {job['cpu'] / 10 * 1000:.1f} ms)"
            )
        print(
            f"  the Agents SDK's run loop per call: {per_call['agents'] - per_call['bare']:.1f} ms"
        )
        print("10 agents, no latency (nothing waits; the CPU stays warm): per agent call")
        for workers in ("agents", "bare"):
            job = job_seconds(project, workers=workers, latency=0.0)
            print(f"  {workers:>6} workers: {job['wall'] / 10 * 1000:.1f} ms")

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
