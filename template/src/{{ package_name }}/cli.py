"""Command line: run a job here, and look at jobs (`python -m <package> --help`)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from .inputs import InvalidInput
from .orchestrator.run import execute_job
from .runtime import offline
from .runtime.invoke import in_process
from .runtime.jobs import create_job, job_view
from .runtime.observability import configure_logging
from .runtime.settings import get_settings
from .runtime.stores import open_store

EXIT_COMPLETED, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class UsageError(Exception):
    """A bad command line or input file: printed as one line, exit code 2."""


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text())
    except OSError as error:
        raise UsageError(f"{what} {path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise UsageError(f"{what} {path}: not JSON ({error})") from None


def _print_job(view: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(view, indent=2))
        return
    print(f"job {view['job_id']}: {view['status']}")
    if view["error"]:
        print(f"  error: {view['error']}")
    for number, step in enumerate(view["steps"], start=1):
        kind = "parallel" if step["parallel"] else "sequential"
        print(f"  step {number} ({step['rule']}, {kind}): {', '.join(step['agents'])}")
    for name, result in view["results"].items():
        detail = json.dumps(result["output"]) if result["status"] == "ok" else result["error"]
        print(f"  {name}: {result['status']} in {result['duration_ms']} ms: {detail}")


def _exit_code(status: str) -> int:
    return EXIT_COMPLETED if status == "completed" else EXIT_FAILED


def run(args: argparse.Namespace) -> int:
    job_input = _read_json(args.input, "input file")
    if args.outputs:
        outputs = _read_json(args.outputs, "outputs file")
        if not isinstance(outputs, dict) or not all(isinstance(v, dict) for v in outputs.values()):
            raise UsageError(f"outputs file {args.outputs}: must map agent names to JSON objects")
        offline.use_outputs(outputs)
    settings = get_settings()
    store = open_store(settings)
    job = create_job(store, job_input, user_id=args.user)
    asyncio.run(execute_job(store, job.id, in_process(store, settings)))
    view = job_view(store, store.get_job(job.id))
    _print_job(view, args.json)
    return _exit_code(view["status"])


def status(args: argparse.Namespace) -> int:
    store = open_store(get_settings())
    job = store.get_job(args.job)
    if job is None:
        raise UsageError(f"job {args.job}: not found")
    view = job_view(store, job)
    _print_job(view, args.json)
    return _exit_code(view["status"]) if view["status"] in ("completed", "failed") else 0


def jobs(args: argparse.Namespace) -> int:
    store = open_store(get_settings())
    views = [job_view(store, job) for job in store.list_jobs(args.user, limit=args.limit)]
    if args.json:
        print(json.dumps(views, indent=2))
    for view in [] if args.json else views:
        print(f"{view['job_id']}  {view['status']}")
    return 0


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(prog=f"python -m {__package__}", description=__doc__)
    commands = main_parser.add_subparsers(dest="command", required=True)

    run_parser = commands.add_parser("run", help="create a job and run it to the end, here")
    run_parser.add_argument("--input", type=Path, required=True, help="job input (JSON file)")
    run_parser.add_argument("--outputs", type=Path, help="offline outputs by agent (JSON file)")
    run_parser.add_argument("--json", action="store_true", help="print the job as JSON")
    run_parser.add_argument("--user", default="local", help="user id that owns the job")
    run_parser.set_defaults(handler=run)

    status_parser = commands.add_parser("status", help="show one job")
    status_parser.add_argument("job", help="job id")
    status_parser.add_argument("--json", action="store_true")
    status_parser.set_defaults(handler=status)

    jobs_parser = commands.add_parser("jobs", help="list a user's jobs, newest first")
    jobs_parser.add_argument("--user", default="local")
    jobs_parser.add_argument("--limit", type=int, default=20)
    jobs_parser.add_argument("--json", action="store_true")
    jobs_parser.set_defaults(handler=jobs)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    configure_logging("WARNING")
    try:
        return args.handler(args)
    except InvalidInput as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
