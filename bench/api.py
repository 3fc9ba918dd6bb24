"""The generated HTTP API under load, with orchestrator crashes alongside (a figure, not a test).

Renders the default project, starts its local server (`python -m <package> serve`: SQLite store,
offline model, jobs run in-process in the background) on 127.0.0.1 with a test identity provider,
then 20 concurrent clients, each its own user, submit 500 jobs in all and poll each one until it
ends. Meanwhile, on the same database, 20 more jobs are each run by the project's orchestrator
until it is killed at one boundary of the job (spread over all of them: before and after each
agent call, result write, steps write and the finish; tests/support/crash_points.py), then
delivered again once the lease has expired. Prints the p50/p99 latency of submit and poll and
the crash figures, and checks that every job completed, that each user's listing holds exactly
that user's jobs (none lost), and that every agent ran once: each API job's results are first
attempts, listed once in its steps; each crashed job's results were written once, and no agent
ran again after its result was written.

    uv run python bench/api.py [--jobs 500] [--clients 20] [--crashes 20]

The load itself runs inside the generated project's environment (it needs httpx and PyJWT): this
script re-runs itself there with --drive.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def render_and_drive(jobs: int, clients: int, crashes: int) -> int:
    from copier import run_copy

    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "app"
        print(f"rendering the default project into {project} ...", flush=True)
        run_copy(str(ROOT), project, defaults=True, unsafe=True, quiet=True, vcs_ref="HEAD")
        uv = [shutil.which("uv")] if shutil.which("uv") else [sys.executable, "-m", "uv"]
        subprocess.run([*uv, "sync", "--quiet"], cwd=project, check=True)
        python = project / ".venv" / "bin" / "python"
        drive = [str(python), __file__, "--drive", str(project), "--jobs", str(jobs)]
        return subprocess.run(
            [*drive, "--clients", str(clients), "--crashes", str(crashes)]
        ).returncode


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CrashPoints:
    """Jobs killed at a boundary and delivered again, in the project's own runtime."""

    def __init__(self, project: Path, package: str, database: Path, example: dict):
        os.environ.update(MODEL_MODE="offline", SQLITE_PATH=str(database))
        sys.path.insert(0, str(project / "tests"))
        self.crash_points = importlib.import_module("support.crash_points")
        self.config = importlib.import_module(f"{package}.config")
        self.run = importlib.import_module(f"{package}.orchestrator.run")
        self.invoke = importlib.import_module(f"{package}.runtime.invoke.local")
        self.jobs = importlib.import_module(f"{package}.runtime.jobs")
        self.records = importlib.import_module(f"{package}.runtime.records")
        settings = importlib.import_module(f"{package}.runtime.settings").get_settings()
        self.store = importlib.import_module(f"{package}.runtime.store.open").open_store(settings)
        self.settings = settings
        self.example = example
        self.redelivery_seconds: list[float] = []
        self.problems: list[str] = []
        self.completed = 0
        self.cut_short = 0

    def deliver(self, job_id: str, boundaries, ledger, *, later: bool) -> None:
        points = self.crash_points
        store = points.CrashingStore(self.store, boundaries, ledger, self.config.WORKERS)
        invoke = points.crashing_invoker(
            self.invoke.in_process(store, self.settings), boundaries, ledger
        )
        utcnow = self.records.utcnow
        now = (lambda: utcnow() + self.run.LEASE) if later else utcnow
        asyncio.run(self.run.execute_job(store, job_id, invoke, now=now))

    def boundaries_of_a_job(self) -> tuple[int, dict]:
        job = self.jobs.create_job(self.store, self.example, user_id="crash-bench")
        boundaries, ledger = self.crash_points.Boundaries(), self.crash_points.Ledger()
        self.deliver(job.id, boundaries, ledger, later=False)
        return len(boundaries.passed), ledger.writes

    def crash_and_redeliver(self, crash_at: int, writes: dict) -> None:
        points = self.crash_points
        job = self.jobs.create_job(self.store, self.example, user_id="crash-bench")
        ledger = points.Ledger()
        try:
            self.deliver(job.id, points.Boundaries(crash_at), ledger, later=False)
            self.problems.append(f"boundary {crash_at}: no crash")
        except points.Crash:
            pass
        cut = {agent for agent, calls in ledger.calls.items() if calls > ledger.writes[agent]}
        self.cut_short += len(cut)
        started = time.perf_counter()
        self.deliver(job.id, points.Boundaries(), ledger, later=True)
        self.redelivery_seconds.append(time.perf_counter() - started)
        status = self.store.get_job(job.id).status
        self.completed += status == "completed"
        if status != "completed" or ledger.writes != writes or ledger.reruns:
            self.problems.append(
                f"boundary {crash_at}: {status}, results written {dict(ledger.writes)},"
                f" ran again after their result: {ledger.reruns}"
            )


def ran_once(job: dict) -> bool:
    """Every agent of the job ran once: first attempts, each listed once in the steps."""
    listed = [agent for step in job["steps"] for agent in step["agents"]]
    return sorted(listed) == sorted(job["results"]) and all(
        result["attempts"] == 1 for result in job["results"].values()
    )


def drive(project: Path, jobs: int, clients: int, crashes: int) -> int:
    import httpx

    sys.path.insert(0, str(project / "tests"))
    from support.issuer import AUDIENCE, Issuer

    package = next((project / "src").iterdir()).name
    example = next((project / "examples").glob("*.json")).read_bytes()
    database = project / ".local" / "bench.db"
    issuer = Issuer()
    port = free_port()
    env = {
        **os.environ,
        "MODEL_MODE": "offline",
        "SQLITE_PATH": str(database),
        "JWT_ISSUER": issuer.url,
        "JWT_AUDIENCE": AUDIENCE,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", package, "serve", "--port", str(port)],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/health").raise_for_status()
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.1)

        submit_seconds: list[float] = []
        poll_seconds: list[float] = []
        outcomes: dict[str, list[tuple[str, str]]] = {}
        per_client = [jobs // clients + (i < jobs % clients) for i in range(clients)]

        def client(number: int) -> None:
            user = f"user-{number}"
            headers = {
                "Authorization": f"Bearer {issuer.token(user, exp=int(time.time()) + 3600)}",
                "Content-Type": "application/json",
            }
            mine: list[str] = []
            with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
                for _ in range(per_client[number]):
                    started = time.perf_counter()
                    response = http.post("/jobs", content=example)
                    submit_seconds.append(time.perf_counter() - started)
                    response.raise_for_status()
                    mine.append(response.json()["job_id"])
                finished = []
                for job_id in mine:
                    while True:
                        started = time.perf_counter()
                        job = http.get(f"/jobs/{job_id}").json()
                        poll_seconds.append(time.perf_counter() - started)
                        if job["status"] in ("completed", "failed"):
                            finished.append((job_id, job["status"], ran_once(job)))
                            break
                        time.sleep(0.05)
                listed, cursor = [], None
                while True:
                    params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
                    page = http.get("/jobs", params=params).json()
                    listed += [job["job_id"] for job in page["jobs"]]
                    cursor = page["next_cursor"]
                    if cursor is None:
                        break
            assert sorted(listed) == sorted(mine), f"{user}: listing differs from submissions"
            outcomes[user] = finished

        crashing = CrashPoints(project, package, database, json.loads(example))
        boundaries, writes = crashing.boundaries_of_a_job()
        points = [1 + (number * boundaries) // crashes for number in range(crashes)]

        def crash_all() -> None:
            for point in points:
                crashing.crash_and_redeliver(point, writes)

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        threads.append(threading.Thread(target=crash_all))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()
        issuer.close()

    statuses = [status for finished in outcomes.values() for _, status, _ in finished]
    once = sum(ran for finished in outcomes.values() for _, _, ran in finished)
    completed = statuses.count("completed")
    ms = 1000
    print(f"{jobs} submissions from {clients} concurrent clients on {base} ({package})")
    print(f"  all done in {elapsed:.1f} s: {jobs / elapsed:.0f} jobs/s end to end")
    failed, lost = statuses.count("failed"), jobs - len(statuses)
    print(f"  completed {completed}, failed {failed}, lost {lost}; every agent ran once in {once}")
    print(
        f"  submit  p50 {percentile(submit_seconds, 0.5) * ms:6.1f} ms"
        f"  p99 {percentile(submit_seconds, 0.99) * ms:6.1f} ms  ({len(submit_seconds)} requests)"
    )
    print(
        f"  poll    p50 {percentile(poll_seconds, 0.5) * ms:6.1f} ms"
        f"  p99 {percentile(poll_seconds, 0.99) * ms:6.1f} ms  ({len(poll_seconds)} requests)"
    )
    redeliveries = crashing.redelivery_seconds
    print(
        f"{crashes} crash-and-redeliver points, alongside, at boundaries"
        f" {', '.join(map(str, points))} of the job's {boundaries}"
    )
    print(
        f"  completed {crashing.completed}; every result written once and no agent run again"
        f" after it: {crashes - len(crashing.problems)} of {crashes};"
        f" calls cut short by the crash, run again: {crashing.cut_short}"
    )
    print(
        f"  redelivery p50 {percentile(redeliveries, 0.5) * ms:6.1f} ms"
        f"  p99 {percentile(redeliveries, 0.99) * ms:6.1f} ms"
    )
    for problem in crashing.problems:
        print(f"  problem: {problem}")
    healthy = completed == jobs == once and not crashing.problems
    return 0 if healthy and crashing.completed == crashes else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--crashes", type=int, default=20)
    parser.add_argument("--drive", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        return drive(args.drive, args.jobs, args.clients, args.crashes)
    return render_and_drive(args.jobs, args.clients, args.crashes)


if __name__ == "__main__":
    raise SystemExit(main())
