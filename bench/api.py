"""The generated HTTP API under load (a figure, not a test).

Renders the default project, starts its local server (`python -m <package> serve`: SQLite store,
offline model, jobs run in-process in the background) on 127.0.0.1 with a test identity provider,
then 20 concurrent clients, each its own user, submit 500 jobs in all and poll each one until it
ends. Prints the p50/p99 latency of submit and poll, and checks that every job completed and that
each user's listing holds exactly that user's jobs (none lost).

    uv run python bench/api.py [--jobs 500] [--clients 20]

The load itself runs inside the generated project's environment (it needs httpx and PyJWT): this
script re-runs itself there with --drive.
"""

from __future__ import annotations

import argparse
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


def render_and_drive(jobs: int, clients: int) -> int:
    from copier import run_copy

    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "app"
        print(f"rendering the default project into {project} ...", flush=True)
        run_copy(str(ROOT), project, defaults=True, unsafe=True, quiet=True, vcs_ref="HEAD")
        uv = [shutil.which("uv")] if shutil.which("uv") else [sys.executable, "-m", "uv"]
        subprocess.run([*uv, "sync", "--quiet"], cwd=project, check=True)
        python = project / ".venv" / "bin" / "python"
        drive = [str(python), __file__, "--drive", str(project)]
        return subprocess.run([*drive, "--jobs", str(jobs), "--clients", str(clients)]).returncode


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def drive(project: Path, jobs: int, clients: int) -> int:
    import httpx

    sys.path.insert(0, str(project / "tests"))
    from issuer import AUDIENCE, Issuer

    package = next((project / "src").iterdir()).name
    example = next((project / "examples").glob("*.json")).read_bytes()
    issuer = Issuer()
    port = free_port()
    env = {
        **os.environ,
        "MODEL_MODE": "offline",
        "SQLITE_PATH": str(project / ".local" / "bench.db"),
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
                            finished.append((job_id, job["status"]))
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

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()
        issuer.close()

    statuses = [status for finished in outcomes.values() for _, status in finished]
    completed = statuses.count("completed")
    ms = 1000
    print(f"{jobs} submissions from {clients} concurrent clients on {base} ({package})")
    print(f"  all done in {elapsed:.1f} s: {jobs / elapsed:.0f} jobs/s end to end")
    failed, lost = statuses.count("failed"), jobs - len(statuses)
    print(f"  completed {completed}, failed {failed}, lost {lost}")
    print(
        f"  submit  p50 {percentile(submit_seconds, 0.5) * ms:6.1f} ms"
        f"  p99 {percentile(submit_seconds, 0.99) * ms:6.1f} ms  ({len(submit_seconds)} requests)"
    )
    print(
        f"  poll    p50 {percentile(poll_seconds, 0.5) * ms:6.1f} ms"
        f"  p99 {percentile(poll_seconds, 0.99) * ms:6.1f} ms  ({len(poll_seconds)} requests)"
    )
    return 0 if completed == jobs else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--drive", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        return drive(args.drive, args.jobs, args.clients)
    return render_and_drive(args.jobs, args.clients)


if __name__ == "__main__":
    raise SystemExit(main())
