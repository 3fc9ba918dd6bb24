"""Migration to 0.2.0: each agent's templates.py is now prompts.py; the user's edits follow it.

Copier runs this after updating a project from an older version (copier.yml `_migrations`),
in the project, with Copier's own Python. By then Copier has deleted each templates.py (the old
version rendered it, the new one does not) and written the new prompts.py, and the user's
templates.py is still in git's HEAD (an update starts from a clean tree). For each agent
folder whose templates.py the user had edited, the three versions are merged as Copier merges
any file: `git merge-file` of the user's templates.py ("before updating"), the old version's
templates.py ("last update", rendered again here from the answers HEAD recorded) and the new
prompts.py ("after updating"). A conflict leaves inline markers and marks the file unmerged,
as Copier does. The user's text is never dropped: when the merge cannot run, their
templates.py is put back for them to move by hand.

Code of the user's that imports the old module is named, with the change to make.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ANSWERS_FILE = ".copier-answers.yml"
OLD, NEW = "templates.py", "prompts.py"
LABELS = ("before updating", "last update", "after updating")
# The user's files are carried byte for byte, whatever their encoding.
BYTES = "surrogateescape"
# An import of an agent's old module: `from .templates import X`, `from . import templates`,
# `from ..reporter.templates import X`, `from <package>.agents.<name>.templates import X`.
OLD_IMPORT = re.compile(
    r"^\s*(from\s+\.(\.\w+\.)?templates\s+import\b"
    r"|from\s+\.\s+import\s+(.*\W)?templates\b"
    r"|(from|import)\s+[\w.]*\bagents\.\w+\.templates\b)"
)


class MigrationError(Exception):
    """The old version could not be rendered again."""


def git(project: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", *args],
        cwd=project,
        input=stdin,
        capture_output=True,
        encoding="utf-8",
        errors=BYTES,
        check=False,
    )


def head_text(project: Path, path: str) -> str | None:
    done = git(project, "show", f"HEAD:{path}")
    return done.stdout if done.returncode == 0 else None


def renamed_paths(project: Path) -> list[str]:
    """The agents' templates.py of HEAD that the update replaced with a prompts.py."""
    listed = git(project, "ls-tree", "-r", "--name-only", "HEAD").stdout.splitlines()
    return [
        path
        for path in listed
        if re.fullmatch(rf"src/[^/]+/agents/[^/]+/{re.escape(OLD)}", path)
        and not (project / path).exists()
        and (project / path).with_name(NEW).is_file()
    ]


def render_old_version(project: Path, destination: Path) -> None:
    """The project as the old version rendered it, from the answers HEAD recorded."""
    from copier import run_copy

    recorded = yaml.safe_load(head_text(project, ANSWERS_FILE) or "") or {}
    source, commit = recorded.get("_src_path"), os.environ.get("VERSION_FROM")
    commit = commit or recorded.get("_commit")
    if not source or not commit:
        raise MigrationError(f"HEAD's {ANSWERS_FILE} names no template source and version")
    data = {key: value for key, value in recorded.items() if not key.startswith("_")}
    try:
        run_copy(
            str(source),
            destination,
            data=data,
            vcs_ref=str(commit),
            defaults=True,
            unsafe=True,
            quiet=True,
        )
    except Exception as error:  # any failure of the render: the caller keeps the user's text
        raise MigrationError(f"rendering template version {commit} failed: {error}") from error


def mark_unmerged(project: Path, path: str, versions: tuple[str, str, str]) -> None:
    """Record the three versions as git's merge stages, so `git status` shows the file UU."""
    entries = [f"0 {'0' * 40}\t{path}"]
    for stage, text in zip((2, 1, 3), versions, strict=True):
        sha = git(project, "hash-object", "-w", "--stdin", stdin=text).stdout.strip()
        entries.append(f"100644 {sha} {stage}\t{path}")
    git(project, "update-index", "--index-info", stdin="\n".join(entries) + "\n")


def merge(project: Path, path: str, user: str, base: str, scratch: Path) -> str:
    """Merge the user's edits of ``path`` (templates.py) into its prompts.py; one line of report."""
    new_path = str(Path(path).with_name(NEW))
    target = project / new_path
    new = target.read_text(errors=BYTES)
    base_file, new_file = scratch / "base", scratch / "new"
    base_file.write_text(base, errors=BYTES)
    new_file.write_text(new, errors=BYTES)
    target.write_text(user, errors=BYTES)
    labels = [option for label in LABELS for option in ("-L", label)]
    done = git(project, "merge-file", *labels, "--", new_path, str(base_file), str(new_file))
    if done.returncode < 0 or done.returncode > 127:
        target.write_text(new, errors=BYTES)
        (project / path).write_text(user, errors=BYTES)
        return (
            f"{path}: could not merge your edits into {NEW} ({done.stderr.strip()}); "
            f"your version is back in {OLD}: move your edits into {NEW} and delete it"
        )
    if done.returncode:
        mark_unmerged(project, new_path, (user, base, new))
        return (
            f"{new_path}: conflict: your edits of {OLD} and the template's changes touch the "
            "same lines; resolve the markers"
        )
    return f"{new_path}: your edits of {OLD} are merged in"


def old_imports(project: Path) -> list[str]:
    """Lines of the project's Python under src/ that still import an agent's templates.py."""
    found = []
    for file in sorted(project.glob("src/**/*.py")):
        try:
            text = file.read_text(errors="replace")
        except OSError:  # a broken link or a folder named *.py: no code of the user's to name
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if OLD_IMPORT.match(line):
                found.append(f"{file.relative_to(project)}:{number}: {line.strip()}")
    return found


def migrate(project: Path) -> list[str]:
    """Carry the user's templates.py edits into prompts.py; the report's lines."""
    report = []
    paths = renamed_paths(project)
    if paths:
        with tempfile.TemporaryDirectory(prefix="prompts-migration-") as folder:
            old_render, scratch = Path(folder, "old"), Path(folder)
            try:
                render_old_version(project, old_render)
            except MigrationError as error:
                old_render = None
                report.append(f"{error}")
            for path in paths:
                user = head_text(project, path) or ""
                base_file = old_render / path if old_render else None
                if base_file is not None and base_file.is_file():
                    base = base_file.read_text(errors=BYTES)
                    if user != base:
                        report.append(merge(project, path, user, base, scratch))
                elif base_file is None or user:
                    (project / path).write_text(user, errors=BYTES)
                    report.append(
                        f"{path}: kept as it was; the agent now reads {NEW}: move your edits "
                        "there and delete it"
                    )
    for line in old_imports(project):
        report.append(
            f"{line}\n  {OLD} is now {NEW}: import from the agent's prompts module instead "
            "(`from .prompts import ...`)"
        )
    return report


def main() -> int:
    try:
        report = migrate(Path.cwd())
    except Exception as error:  # noqa: BLE001 - the update is written: say how to finish it
        report = [
            f"the {OLD} -> {NEW} migration stopped ({type(error).__name__}: {error}); your "
            f"{OLD} files are in git's HEAD (`git show HEAD:src/<package>/agents/<name>/{OLD}`): "
            f"move your edits into {NEW}"
        ]
    for line in report:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
