"""Command line: run a job here, and look at jobs (`python -m <package> --help`)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, NoReturn

from . import config, gate
from .gate import InvalidInput
from .inputs import check_input
from .orchestrator.run import execute_job
from .runtime.invoke.local import in_process
from .runtime.jobs import MAX_PAGE, create_job, job_view
from .runtime.llm import offline
from .runtime.settings import InvalidSetting, Settings, get_settings
from .runtime.store import JobStore
from .runtime.store.open import open_store
from .runtime.telemetry.logs import configure_logging

EXIT_COMPLETED, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
# Stopped by a signal, as shells report it: Ctrl-C (SIGINT), or the output's reader gone (SIGPIPE).
EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 130, 141
# What the human-readable output shows of each agent's output.
SHOWN_CHARACTERS = 600


class UsageError(Exception):
    """A bad command line or input file: printed as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """Refuses a bad command line in one line, with the exit code of a bad input."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"error: {message} (see {self.prog} --help)\n")


def _read_json(path: Path, what: str, root: str) -> Any:
    """The JSON of a file, through the input gate; its problems name ``root``'s fields."""
    try:
        with path.open("rb") as file:
            data = file.read(gate.MAX_TEXT_BYTES + 1)
    except OSError as error:
        raise UsageError(f"{what} {path}: {error.strerror}") from None
    try:
        return gate.parse_json(data, root)
    except InvalidInput as error:
        raise UsageError(f"{what} {path}: {error}") from None


def _checked(check: Callable[[str], bool], problem: str) -> Callable[[str], str]:
    """An argparse type: the argument, when ``check`` accepts it."""

    def argument(text: str) -> str:
        if not check(text):
            raise argparse.ArgumentTypeError(problem)
        return text

    return argument


def _whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``."""

    def argument(text: str) -> int:
        try:
            number: int | None = int(text)
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high}")
        return number

    return argument


USER = _checked(gate.is_user_id, "a user id is 1 to 256 characters, no control character")
JOB = _checked(gate.is_job_id, "not a job id (letters, digits, '.', '_', ':' and '-')")


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
        if len(detail) > SHOWN_CHARACTERS:
            rest = len(detail) - SHOWN_CHARACTERS
            detail = f"{detail[:SHOWN_CHARACTERS]}... ({rest} more characters: --json shows all)"
        filed = f" (as {result['key']})" if result["key"] != name else ""
        print(f"  {name}{filed}: {result['status']} in {result['duration_ms']} ms: {detail}")


def _exit_code(status: str) -> int:
    return EXIT_COMPLETED if status == "completed" else EXIT_FAILED


def _use_outputs(path: Path | None) -> None:
    if path:
        outputs = _read_json(path, "outputs file", "outputs")
        if not isinstance(outputs, dict) or not all(isinstance(v, dict) for v in outputs.values()):
            raise UsageError(f"outputs file {path}: must map agent names to JSON objects")
        offline.use_outputs(outputs)


@contextmanager
def _recording(record: bool) -> Iterator[None]:
    """Record the model exchanges of what runs inside, when ``record``; list the files."""
    if not record:
        yield
        return
    from .runtime.llm import recording  # the model stack loads only to record

    recording.start_recording()
    try:
        yield
    finally:
        for path in recording.save_recordings():
            print(f"recorded {path}", file=sys.stderr)


class Interrupted(Exception):
    """Ctrl-C stopped a local run of job ``job_id``: what it recorded stays for `resume`."""

    def __init__(self, job_id: str):
        super().__init__(
            f"interrupted: job {job_id} keeps what it recorded;"
            f" continue it with `python -m {__package__} resume {job_id}`"
        )


def _execute_here(store: JobStore, job_id: str, settings: Settings, **options: Any) -> None:
    """Run job ``job_id`` to its end in this process; Ctrl-C raises Interrupted."""
    try:
        asyncio.run(execute_job(store, job_id, in_process(store, settings), **options))
    except KeyboardInterrupt:
        raise Interrupted(job_id) from None


def run(args: argparse.Namespace) -> int:
    job_input = _read_json(args.input, "input file", "input")
    _use_outputs(args.outputs)
    settings = get_settings()
    if args.record and settings.model_mode != "live":
        raise UsageError(f"--record needs a live model (MODEL_MODE is {settings.model_mode})")
    store = open_store(settings)
    with _recording(args.record):  # a refused RECORDINGS_DIR leaves no job behind
        job = create_job(store, job_input, user_id=args.user)
        _execute_here(store, job.id, settings)
    view = job_view(store, store.get_job(job.id))
    _print_job(view, args.json)
    return _exit_code(view["status"])


def resume(args: argparse.Namespace) -> int:
    """Continue a job whose run died, here; what that run recorded is reused."""
    _use_outputs(args.outputs)
    settings = get_settings()
    store = open_store(settings)
    job = store.get_job(args.job)
    if job is None:
        raise UsageError(f"job {args.job}: not found")
    if job.status in ("completed", "failed"):
        raise UsageError(f"job {args.job}: already {job.status}, nothing to resume")
    _execute_here(store, job.id, settings, take_over=True)
    view = job_view(store, store.get_job(job.id))
    _print_job(view, args.json)
    return _exit_code(view["status"])


def agent(args: argparse.Namespace) -> int:
    """Run one agent alone on a job input and earlier results; print its result."""
    # The model stack loads only for this command.
    from .runtime.worker.alone import UnknownAgent, check_agent, check_results, run_alone

    if args.record and not args.live:
        raise UsageError("--record needs --live: it saves the exchanges with the live model")
    try:
        check_agent(args.name)
    except UnknownAgent as error:
        raise UsageError(str(error)) from None
    job_input = check_input(_read_json(args.input, "input file", "input"))
    results: dict[str, Any] = {}
    if args.results:
        try:
            results = check_results(args.name, _read_json(args.results, "results file", "results"))
        except ValueError as error:
            raise UsageError(f"results file {args.results}: {error}") from None
    mode = "live" if args.live else "replay" if args.replay else "offline"
    settings = replace(get_settings(), model_mode=mode)
    with _recording(args.record):
        result = asyncio.run(run_alone(args.name, job_input, results, settings))
    if args.json:
        shown = asdict(result)
        del shown["job_id"], shown["created_at"]
        print(json.dumps(shown, indent=2))
    else:
        cost = "unpriced" if result.cost_usd is None else f"${result.cost_usd:.8f}"
        print(
            f"{result.agent}: {result.status} in {result.duration_ms} ms,"
            f" {result.tokens} tokens, {cost}"
        )
        print(json.dumps(result.output, indent=2) if result.ok else f"error: {result.error}")
    return EXIT_COMPLETED if result.ok else EXIT_FAILED


def _report_file(path: Path) -> Path:
    """``path``, where a report can be written (its folder is made); refused before any work."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise UsageError(f"report {path}: a file is in the way of its folder") from None
    except OSError as error:
        raise UsageError(f"report {path}: {error.strerror or error}") from None
    if path.is_dir():
        raise UsageError(f"report {path}: is a folder, not a file")
    if not os.access(path if path.exists() else path.parent, os.W_OK):
        raise UsageError(f"report {path}: not writable")
    return path


def evaluate(args: argparse.Namespace) -> int:
    """Run the eval cases of evals/<agent>.yaml; a table, a JSON report, exit 1 below threshold."""
    from . import evals  # the model stack and pydantic-evals load only for this command

    files = sorted(args.dir.glob("*.yaml"))
    unknown = [path.name for path in files if path.stem not in config.WORKERS]
    if unknown:
        names = ", ".join(unknown)
        raise UsageError(f"{args.dir}: {names}: not named after a worker of agents.yaml")
    if not files:
        raise UsageError(f"{args.dir}: no eval files (<agent>.yaml)")
    settings = get_settings()
    report = _report_file(args.report)
    try:
        cases = {
            path.stem: evals.load_cases(path.stem, path, Path.cwd(), settings) for path in files
        }
    except evals.InvalidEvals as error:
        raise UsageError(str(error)) from None
    scores = [evals.evaluate(agent, agent_cases, settings) for agent, agent_cases in cases.items()]
    print(f"evals on the {settings.model_mode} model (report: {report})")
    print(evals.table(scores))
    below = [score for score in scores if score.below_threshold]
    for score in below:
        rate, threshold = f"{score.pass_rate:.0%}", f"{score.threshold:.0%}"
        print(f"{score.agent}: pass rate {rate} is below its eval_threshold {threshold}")
    try:  # after the table: the scores are shown even when the disk refuses the report
        report.write_text(json.dumps(evals.report(scores, settings.model_mode), indent=2) + "\n")
    except OSError as error:
        raise UsageError(f"report {report}: {error.strerror or error}") from None
    return EXIT_FAILED if below else EXIT_COMPLETED


def submit(args: argparse.Namespace) -> int:
    from .runtime.queue import enqueue, queue_url  # deployed stages only: boto3, JOB_QUEUE_URL

    job_input = _read_json(args.input, "input file", "input")
    check_input(job_input)  # the input's problems first, then the queue's
    queue_url()  # set, before a job is created that would never be queued
    job = create_job(open_store(get_settings()), job_input, user_id=args.user)
    enqueue(job.id)
    print(job.id)
    return 0


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


def migrate(args: argparse.Namespace) -> int:
    print(open_store(get_settings()).migrate())
    return 0


def serve(args: argparse.Namespace) -> int:
    from .api import local  # the web stack loads only for this command

    try:
        listener = local.listen(args.host, args.port)
    except OSError as error:
        raise UsageError(f"cannot serve on {args.host}:{args.port}: {error.strerror}") from None
    local.serve(listener, args.host)
    return 0


def parser() -> argparse.ArgumentParser:
    main_parser = Parser(prog=f"python -m {__package__}", description=__doc__)
    commands = main_parser.add_subparsers(dest="command", required=True)

    run_parser = commands.add_parser("run", help="create a job and run it to the end, here")
    run_parser.add_argument("--input", type=Path, required=True, help="job input (JSON file)")
    run_parser.add_argument("--outputs", type=Path, help="offline outputs by agent (JSON file)")
    run_parser.add_argument("--json", action="store_true", help="print the job as JSON")
    run_parser.add_argument(
        "--record", action="store_true", help="save the live model's exchanges per agent"
    )
    run_parser.add_argument("--user", type=USER, default="local", help="user id that owns the job")
    run_parser.set_defaults(handler=run)

    resume_parser = commands.add_parser(
        "resume", help="continue here a job whose run died, reusing what it recorded"
    )
    resume_parser.add_argument("job", type=JOB, help="job id")
    resume_parser.add_argument("--outputs", type=Path, help="offline outputs by agent (JSON file)")
    resume_parser.add_argument("--json", action="store_true", help="print the job as JSON")
    resume_parser.set_defaults(handler=resume)

    agent_parser = commands.add_parser(
        "agent", help="run one agent alone on a job input (offline model unless --live)"
    )
    agent_parser.add_argument("name", help="the agent's name in agents.yaml")
    agent_parser.add_argument("--input", type=Path, required=True, help="job input (JSON file)")
    agent_parser.add_argument(
        "--results", type=Path, help="earlier agents' outputs by agent name (JSON file)"
    )
    model = agent_parser.add_mutually_exclusive_group()
    model.add_argument("--live", action="store_true", help="run on the configured model")
    model.add_argument(
        "--replay", action="store_true", help="answer from its recording (offline never does)"
    )
    agent_parser.add_argument(
        "--record", action="store_true", help="with --live: save the model's exchanges"
    )
    agent_parser.add_argument("--json", action="store_true", help="print the result as JSON")
    agent_parser.set_defaults(handler=agent)

    eval_parser = commands.add_parser(
        "eval",
        help="run the eval cases of evals/*.yaml on the MODEL_MODE model",
        description="Run the eval cases of evals/*.yaml on the model MODEL_MODE selects:"
        " offline (the offline model's samples; it never replays a recording), replay (the"
        " recordings of tests/recordings: MODEL_MODE=replay pins recorded model behaviour,"
        " without credentials) or live (the configured model; rubrics are judged).",
    )
    eval_parser.add_argument("--dir", type=Path, default=Path("evals"), help="eval files (evals)")
    eval_parser.add_argument(
        "--report", type=Path, default=Path("evals/report.json"), help="JSON report to write"
    )
    eval_parser.set_defaults(handler=evaluate)

    submit_parser = commands.add_parser(
        "submit", help="create a job in the deployed store and queue it; prints its id"
    )
    submit_parser.add_argument("--input", type=Path, required=True, help="job input (JSON file)")
    submit_parser.add_argument(
        "--user", type=USER, default="local", help="user id that owns the job"
    )
    submit_parser.set_defaults(handler=submit)

    status_parser = commands.add_parser("status", help="show one job")
    status_parser.add_argument("job", type=JOB, help="job id")
    status_parser.add_argument("--json", action="store_true")
    status_parser.set_defaults(handler=status)

    jobs_parser = commands.add_parser("jobs", help="list a user's jobs, newest first")
    jobs_parser.add_argument("--user", type=USER, default="local")
    jobs_parser.add_argument(
        "--limit", type=_whole_number(1, MAX_PAGE), default=20, help=f"1 to {MAX_PAGE} (20)"
    )
    jobs_parser.add_argument("--json", action="store_true")
    jobs_parser.set_defaults(handler=jobs)

    migrate_parser = commands.add_parser(
        "migrate", help="bring the store's schema up to date (the store JOB_STORE names)"
    )
    migrate_parser.set_defaults(handler=migrate)

    if config.API:  # a project generated with the HTTP API
        serve_parser = commands.add_parser(
            "serve", help="serve the HTTP API here, running jobs here"
        )
        serve_parser.add_argument("--port", type=_whole_number(1, 65535), default=8000)
        serve_parser.add_argument(
            "--host",
            type=_checked(bool, "a host name or an IP address"),
            default="127.0.0.1",
            help="the address to serve on (127.0.0.1; 0.0.0.0 for every one)",
        )
        serve_parser.set_defaults(handler=serve)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    configure_logging("WARNING")
    try:
        code = args.handler(args)
        sys.stdout.flush()  # a reader gone shows here rather than at exit
        return code
    except (InvalidInput, UsageError, InvalidSetting) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (Interrupted, KeyboardInterrupt) as interrupted:
        # The cancelled model calls leave coroutines never awaited: not worth a warning.
        warnings.filterwarnings("ignore", "coroutine .* was never awaited", RuntimeWarning)
        print(str(interrupted) or "interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of the output left (`| head`): the rest goes nowhere, and no traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
