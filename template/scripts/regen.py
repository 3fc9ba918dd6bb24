"""Regenerate this project from agents.yaml, or update it to the latest template version.

`make regen` and `make update` run this script in Copier's own environment (see the
Makefile). It runs `copier update` with agents.yaml's sections as the answers, then tells
you what needs your attention: conflicts to resolve, and files of yours left in the
folders of agents that agents.yaml no longer defines.

Copier merges into a clean git tree only. agents.yaml and uv.lock alone may have
uncommitted changes: they are set aside while Copier runs and put back afterwards, so the spec
change and the code it generates can be reviewed and committed together, and a uv.lock that
`make install` wrote after the first commit does not stand in the way.

agents.yaml decides the answers that its `project`, `infrastructure` and `llm` blocks hold
(the database, the model...): editing `infrastructure.database.provider` switches the store.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parent.parent
SPEC_FILE = "agents.yaml"
ANSWERS_FILE = ".copier-answers.yml"
# The sections of agents.yaml that are Copier answers (project, infrastructure and llm are
# the original plan's blocks; they are null in a spec that does not use them).
SPEC_KEYS = ("project", "infrastructure", "llm", "inputs", "agents", "orchestration")
# The answers those blocks hold: (answer, block, path in the block), as in the template's
# extensions/answers.py. agents.yaml's value, when present, is passed as the answer.
PLAN_ANSWERS = (
    ("project_name", "project", ("name",)),
    ("description", "project", ("description",)),
    ("aws_region", "project", ("region",)),
    ("database", "infrastructure", ("database", "provider")),
    ("llm_provider", "llm", ("provider",)),
    ("llm_model", "llm", ("model",)),
    ("llm_fallback_model", "llm", ("fallback_model",)),
)
LOCK_FILE = "uv.lock"
# The files of an agent's folder that are the user's to edit (docs/ownership.md).
AGENT_FILES_OF_YOURS = ("agent.py", "prompts.py", "schemas.py", "tools.py", "pipeline.py")
TRACEBACK = "Traceback (most recent call last):"
UNMERGED = {"DD", "AU", "UD", "UA", "DU", "AA", "UU"}
# The bounds the template puts on a spec (its extensions/bounds.py), checked here first so
# that an oversized, too deeply nested or alias-bombed agents.yaml is refused in seconds.
MAX_BYTES = 256 * 1024
MAX_DEPTH = 32
MAX_VALUES = 50_000


class RegenError(Exception):
    """A problem the user fixes before running the command again."""


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=PROJECT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RegenError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def changed_files() -> dict[str, str]:
    """Uncommitted paths (untracked ones included), with their two-letter git status."""
    try:
        git("rev-parse", "--is-inside-work-tree")
    except RegenError:
        raise RegenError(
            "this project is not a git repository; Copier merges through git:\n"
            "  git init && git add -A && git commit -m 'Generate the project'"
        ) from None
    entries = iter(git("status", "--porcelain=v1", "-z", "--untracked-files=all").split("\0"))
    changed = {}
    for entry in entries:
        if not entry:
            continue
        status, path = entry[:2], entry[3:]
        changed[path] = status
        if status[0] in "RC":
            next(entries)  # a rename's second entry is its old path
    return changed


def read_text(name: str) -> str:
    """A file of the project as text; RegenError when it is not UTF-8 or cannot be read."""
    try:
        return (PROJECT / name).read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise RegenError(
            f"{name} is not UTF-8 text (byte {error.start} is {error.object[error.start]:#04x}): "
            "save it as UTF-8"
        ) from None
    except OSError as error:
        raise RegenError(f"{name} cannot be read: {error.strerror or error}") from None


def require_clean(allowed: tuple[str, ...] = ()) -> dict[str, str]:
    """Fail unless every uncommitted change is in ``allowed``; return the changes."""
    changed = changed_files()
    conflicts = sorted(path for path, status in changed.items() if status in UNMERGED)
    if conflicts:
        listed = "\n".join(f"  {path}" for path in conflicts)
        raise RegenError(
            "resolve the conflicts of the last regen or update first (keep the right lines, "
            f"delete the <<<<<<< ======= >>>>>>> markers, `git add` the file):\n{listed}"
        )
    others = sorted(path for path in changed if path not in allowed)
    if others:
        listed = "\n".join(f"  {path}" for path in others[:20])
        more = f"\n  ... and {len(others) - 20} more" if len(others) > 20 else ""
        raise RegenError(
            "commit or stash these changes first (Copier merges into a clean git tree):\n"
            f"{listed}{more}"
        )
    return changed


class BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, stopped at MAX_DEPTH before Python's recursion limit."""

    depth = 0

    def compose_node(self, parent, index):
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise RegenError(f"{SPEC_FILE} is nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def flatten_mapping(self, node):
        super().flatten_mapping(node)
        if len(node.value) > MAX_VALUES:
            raise RegenError(f"{SPEC_FILE}: its merge keys (<<) expand too much")


def count_values(data: object) -> int:
    """Values in ``data`` with its aliases expanded, counted up to MAX_VALUES + 1."""
    count, stack = 0, [data]
    while stack and count <= MAX_VALUES:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def load_spec(text: str) -> object:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise RegenError(f"{SPEC_FILE} is larger than {MAX_BYTES} bytes")
    loader = BoundedLoader(text)
    try:
        data = loader.get_single_data()
    except RecursionError:  # merge keys (<<) chained too deep
        raise RegenError(f"{SPEC_FILE} nests its merge keys (<<) too deep") from None
    finally:
        loader.dispose()
    if count_values(data) > MAX_VALUES:
        raise RegenError(
            f"{SPEC_FILE} holds more than {MAX_VALUES} values once its aliases are expanded"
        )
    return data


def yaml_problem(error: yaml.YAMLError) -> str:
    """Where and what the YAML error is, on one line."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        return where + (error.problem or error.context or "invalid YAML")
    return " ".join(str(error).split())


def spec_answers(text: str) -> dict[str, object]:
    """The Copier answers that agents.yaml holds: every spec section, null when absent."""
    try:
        spec = load_spec(text)
    except yaml.YAMLError as error:
        raise RegenError(f"{SPEC_FILE} is not valid YAML: {yaml_problem(error)}") from None
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        raise RegenError(f"{SPEC_FILE} must be a mapping with agents and orchestration")
    unknown = sorted(set(spec) - set(SPEC_KEYS))
    if unknown:
        raise RegenError(
            f"{SPEC_FILE} has unknown sections {unknown}; it holds {', '.join(SPEC_KEYS)}"
        )
    answers = {key: spec.get(key) for key in SPEC_KEYS}
    for answer, block, path in PLAN_ANSWERS:
        value = spec.get(block)
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value not in (None, ""):
            answers[answer] = value
    return answers


def recorded_answers() -> dict[str, object]:
    """The answers of .copier-answers.yml, refused when a hand edit broke their shape.

    The spec sections are mappings; every other answer is a single value (a string, a
    number, true or false), as Copier's questions ask.
    """
    path = PROJECT / ANSWERS_FILE
    if not path.is_file():
        raise RegenError(f"{ANSWERS_FILE} is missing: this project was not made by Copier")
    restore = f"put back its last good version (`git log -p {ANSWERS_FILE}` shows them)"
    try:
        answers = yaml.safe_load(read_text(ANSWERS_FILE))
    except yaml.YAMLError as error:
        reason = yaml_problem(error)
        raise RegenError(f"{ANSWERS_FILE} is not valid YAML ({reason}): {restore}") from None
    if not isinstance(answers, dict):
        raise RegenError(f"{ANSWERS_FILE} must be a mapping of answers: {restore}")
    for name, value in answers.items():
        if str(name) not in SPEC_KEYS and isinstance(value, dict | list):
            raise RegenError(
                f"{ANSWERS_FILE}: answer {name!r} must be a single value, not "
                f"{type(value).__name__} {value!r}: {restore}; change an answer with "
                'ARGS="-d name=value"'
            )
    return answers


def check_template_source() -> None:
    """Copier finds the template at the recorded _src_path: a relative one cannot work here."""
    answers = recorded_answers()
    source = str(answers.get("_src_path", ""))
    remote = re.match(r"^[\w.+-]+:", source) or "@" in source.split("/")[0]
    if source and not remote and not source.startswith("~") and not Path(source).is_absolute():
        raise RegenError(
            f"{ANSWERS_FILE} records the template at the relative path {source!r}, which "
            "Copier would look for from this project: set _src_path to the template's absolute "
            "path or URL (e.g. gh:OWNER/copier-aws-agents), commit, and run the command again"
        )
    if source and not remote and not Path(source).expanduser().is_dir():
        raise RegenError(
            f"{ANSWERS_FILE} records the template at {source!r}, which is not a folder here: "
            "set _src_path to the template's path or URL, commit, and run the command again"
        )


@contextmanager
def set_aside(changed: dict[str, str]) -> Iterator[None]:
    """Show Copier agents.yaml and uv.lock as committed, then put the user's versions back."""
    kept: dict[str, bytes] = {}
    for name in (SPEC_FILE, LOCK_FILE):
        status = changed.get(name)
        if status is None:
            continue
        # A modified file, or a lock that `make install` wrote after the first commit.
        if not ("M" in status or (status == "??" and name == LOCK_FILE)):
            raise RegenError(f"commit {name} first (git status: {status})")
        path = PROJECT / name
        kept[name] = path.read_bytes()
        if status == "??":
            path.unlink()
        else:
            git("checkout", "HEAD", "--", name)
    try:
        yield
    finally:
        for name, content in kept.items():
            (PROJECT / name).write_bytes(content)


def recorded_agents() -> list[str]:
    agents = recorded_answers().get("agents")
    return list(agents) if isinstance(agents, dict) else []


def run_copier(answers: dict[str, object], update: bool, copier_args: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="regen-") as folder:
        data_file = Path(folder, "answers.yml")
        data_file.write_text(yaml.safe_dump(answers, sort_keys=False))
        command = ["copier", "update", "--trust", "--defaults", "--data-file", str(data_file)]
        if not update:
            command.append("--vcs-ref=:current:")
        command += copier_args
        print("$", " ".join(command).replace(str(data_file), SPEC_FILE), flush=True)
        copier = subprocess.Popen(
            [sys.executable, "-m", *command], cwd=PROJECT, stderr=subprocess.PIPE, text=True
        )
        crash: list[str] = []
        for line in copier.stderr:
            if crash or line.startswith(TRACEBACK):
                crash.append(line)
            else:
                sys.stderr.write(line)
        returncode = copier.wait()
    if crash:
        raise RegenError(crash_message(crash))
    return returncode


def crash_message(traceback: list[str]) -> str:
    """The one line that says why Copier stopped, out of its traceback.

    An answer of .copier-answers.yml that Copier cannot read (a choice the template does not
    offer, a list for a string...) stops it before it writes anything, with a traceback.
    """
    # The last line, without the "| " that quotes a failed command's output (git's, say).
    lines = (re.sub(r"^\s*(\|\s*)?", "", line.rstrip()) for line in reversed(traceback))
    last = next((line for line in lines if line), "")
    reason = re.sub(r"^[\w.]+(Error|Exception):\s*", "", last) or "no reason given"
    return (
        f"Copier stopped: {reason}\nnothing was changed. If you edited {ANSWERS_FILE} by hand, "
        f"put back its last good version (`git log -p {ANSWERS_FILE}` shows them) and change "
        'an answer with ARGS="-d name=value" instead'
    )


def regenerate(update: bool, copier_args: list[str]) -> int:
    check_template_source()
    changed = require_clean(allowed=(SPEC_FILE, LOCK_FILE))
    spec_path = PROJECT / SPEC_FILE
    if not spec_path.is_file():
        raise RegenError(f"{SPEC_FILE} is missing (git checkout {SPEC_FILE} restores it)")
    answers = spec_answers(read_text(SPEC_FILE))
    before = recorded_agents()

    with set_aside(changed):
        returncode = run_copier(answers, update, copier_args)
    if returncode != 0:
        return returncode
    if LOCK_FILE in changed:
        print(
            f"{LOCK_FILE} is not committed: `make test` brings it up to date with "
            "pyproject.toml; commit it with the rest (it pins what `make package` deploys)"
        )

    after = recorded_agents()
    report(
        added=[name for name in after if name not in before],
        removed=[name for name in before if name not in after],
    )
    return 0


def leftovers(name: str) -> list[Path]:
    """The files left in a removed agent's folder; an emptied folder is deleted.

    Bytecode caches do not count: they are deleted with the folder.
    """
    folder = next(PROJECT.glob(f"src/*/agents/{name}"), None)
    if folder is None:
        return []
    for cache in sorted(folder.rglob("__pycache__"), reverse=True):
        shutil.rmtree(cache)
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    if not files:
        shutil.rmtree(folder)
    return files


def deleted_files(name: str) -> list[str]:
    """The files of a removed agent that are yours to edit (docs/ownership.md) and were deleted."""
    listed = git(
        "diff",
        "--name-only",
        "--diff-filter=D",
        "HEAD",
        "--",
        f":(glob)src/*/agents/{name}/*",
        f"tests/agents/test_{name}.py",
        f"evals/{name}.yaml",
    )
    return [
        path
        for path in listed.splitlines()
        if not path.startswith("src/") or path.rsplit("/", 1)[-1] in AGENT_FILES_OF_YOURS
    ]


def stale_eval_cases() -> list[str]:
    """A line for each eval case whose ``after`` names no other worker of agents.yaml (one
    that was removed, or renamed): `make eval` and `make test` refuse such a case."""
    agents = recorded_answers().get("agents")
    workers = {
        str(name)
        for name, agent in (agents.items() if isinstance(agents, dict) else [])
        if not isinstance(agent, dict) or agent.get("type", "worker") == "worker"
    }
    stale = []
    for path in sorted((PROJECT / "evals").glob("*.yaml")):
        try:
            cases = yaml.safe_load(path.read_text(encoding="utf-8")).get("cases")
        except (OSError, ValueError, AttributeError, yaml.YAMLError):
            continue  # unreadable: `make eval` and `make test` name what is wrong with it
        for number, case in enumerate(cases if isinstance(cases, list) else []):
            after = case.get("after") if isinstance(case, dict) else None
            for earlier in after if isinstance(after, list) else []:
                if str(earlier) not in workers - {path.stem}:
                    name = case.get("name", number)
                    stale.append(
                        f"evals/{path.name}: case {name!r}: after: {earlier!r} is not another "
                        "worker of agents.yaml (remove it, or name the worker that replaced it)"
                    )
    return stale


def report(added: list[str], removed: list[str]) -> None:
    for name in added:
        folder = next(PROJECT.glob(f"src/*/agents/{name}"), None)
        where = f": its prompt is in {folder.relative_to(PROJECT)}/prompts.py" if folder else ""
        print(f"added agent {name}{where}")
    for name in removed:
        print(f"removed agent {name}")
        deleted = deleted_files(name)
        if deleted:
            listed = "\n".join(f"  {path}" for path in deleted)
            print(
                "  its files below are deleted, your edits included; git keeps them "
                f"(git show HEAD:<file>):\n{listed}"
            )
        files = leftovers(name)
        if files:
            listed = "\n".join(f"  {path.relative_to(PROJECT)}" for path in files)
            print(f"  these files of yours are still there (move or delete them):\n{listed}")
    for line in stale_eval_cases():
        print(line)
    conflicts = sorted(path for path, status in changed_files().items() if status in UNMERGED)
    if conflicts:
        listed = "\n".join(f"  {path}" for path in conflicts)
        print(
            "conflicts: the template and you changed the same lines. In each file keep the "
            "right lines between\n'<<<<<<< before updating' (yours) and '>>>>>>> after "
            f"updating' (the template's), then `git add` it:\n{listed}"
        )
    print("review with `git status` and `git diff`, run `make test`, then commit")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--update",
        action="store_true",
        help="move to the latest template version (default: stay at the current one)",
    )
    args, copier_args = parser.parse_known_args(argv)
    try:
        returncode = regenerate(args.update, copier_args)
    except RegenError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if returncode != 0 and SPEC_FILE in changed_files():
        print(f"{SPEC_FILE} keeps your changes: fix them and run the command again")
    return returncode


if __name__ == "__main__":
    sys.exit(main())
