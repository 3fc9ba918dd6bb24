"""The folders of a generated project, one line each, for the top of its README.

The generated tests/test_layout.py checks the list against the project's folders, so that a
folder added without a line (or a line left for a folder removed) fails the project's tests.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import yaml

from .preset_code import PRESETS

# (folder, what it holds, the answer that must be true for it to exist, or None)
FOLDERS: list[tuple[str, str, str | None]] = [
    (
        "src/{package}/",
        "the package: `cli.py`, `config.py` (from agents.yaml), `gate.py` (the input gate)",
        None,
    ),
    (
        "src/{package}/agents/",
        "one folder per worker: `agent.py`, `prompts.py` (its instructions and task), `schemas.py`",
        None,
    ),
    ("src/{package}/orchestrator/", "takes jobs from the queue and runs the plan on them", None),
    (
        "src/{package}/runtime/",
        "what the functions share: settings, job records, the plan's steps",
        None,
    ),
    (
        "src/{package}/runtime/store/",
        "the job store: its interface, SQLite locally, the cloud store",
        None,
    ),
    (
        "src/{package}/runtime/invoke/",
        "how the orchestrator calls a worker, here or in Lambda, with retries",
        None,
    ),
    (
        "src/{package}/runtime/worker/",
        "one agent's run for a job, its Lambda handler, the agent-folder contract",
        None,
    ),
    (
        "src/{package}/runtime/llm/",
        "the configured provider's model client and the offline model",
        None,
    ),
    ("src/{package}/runtime/telemetry/", "JSON logs, metrics and traces", None),
    ("src/{package}/api/", "the HTTP API: submit, poll and list jobs", "api"),
    ("src/{package}/api/console/", "the web console served at `/`: HTML, CSS, JavaScript", "api"),
    ("src/{package}/api/console/vendor/", "libraries of the console, with their licenses", "api"),
    ("db/", "the PostgreSQL schema", "postgres"),
    ("db/migrations/", "numbered SQL migrations, applied by `make migrate`", "postgres"),
    ("docs/", "how to deploy, operate, observe and update the project", None),
    ("evals/", "one eval file per worker (`make eval`), yours to extend", None),
    ("examples/", "job inputs, one per example in agents.yaml", None),
    (
        "scripts/",
        "`package.py` builds the Lambda zips and layers; `regen.py` applies agents.yaml",
        None,
    ),
    ("terraform/", "the AWS stack", None),
    (
        "terraform/modules/",
        "one module per kind of resource (function, orchestrator, store, API)",
        None,
    ),
    ("tests/", "the tests that `make test` runs", None),
    ("tests/agents/", "one test file per worker, yours to extend", None),
    ("tests/support/", "what the tests run against: local servers, adapters, events", None),
]
LAYOUT_FILE = "layout.yaml"  # a preset's lines for the folders it adds


def _preset_folders(files: dict[str, list[dict[str, Any]]], presets: set[str]) -> dict[str, str]:
    """The folders that the presets' shared files add, with their presets' lines."""
    generic = {folder for folder, _, _ in FOLDERS}
    described: dict[str, str] = {}
    for preset in sorted(presets):
        path = PRESETS / preset / LAYOUT_FILE
        if path.is_file():
            described.update(yaml.safe_load(path.read_text()))
    folders: dict[str, str] = {}
    for kind, root in (("package", "src/{package}/"), ("project", "")):
        for file in files.get(kind, []):
            parent = PurePosixPath(root + file["path"]).parent
            while str(parent) not in (".", "src", "src/{package}"):
                key = f"{parent}/"
                if key in generic:
                    break
                if key not in described:
                    raise ValueError(f"{LAYOUT_FILE} of the preset does not describe {key}")
                folders[key] = described[key]
                parent = parent.parent
    return folders


def layout(
    answers: dict[str, Any], package: str, preset_files: dict, presets: set[str]
) -> list[dict[str, str]]:
    """The README's layout lines: folder and what it holds, in the order a reader needs."""
    answers = {**answers, "postgres": answers["database"] != "dynamodb"}
    lines = {
        folder: text
        for folder, text, condition in FOLDERS
        if condition is None or answers[condition]
    }
    lines |= _preset_folders(preset_files, presets)
    return [
        {"folder": folder.format(package=package), "text": text}
        for folder, text in sorted(lines.items(), key=lambda item: _order(item[0]))
    ]


def _order(folder: str) -> tuple[int, str]:
    return (0 if folder.startswith("src/") else 1, folder)
