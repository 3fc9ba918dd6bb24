"""The migration that carries an agent's templates.py edits into prompts.py (migrations/).

tests/test_lifecycle.py runs it through `make update`; these tests drive its merge alone.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from migrations.prompts_module import head_text, merge, old_imports, renamed_paths

from .conftest import run

AGENT = "src/app/agents/writer"
BASE = 'INSTRUCTIONS = """\\\nYou write.\n"""\n\n\ndef task():\n    return "go"\n'
NEW = 'INSTRUCTIONS = """\\\nYou write reports.\n"""\n\n\ndef task():\n    return "go"\n'
IDENTITY = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "T"}
IDENTITY |= {"GIT_COMMITTER_EMAIL": "t@x"}


def project_after_update(tmp_path: Path, user: str) -> Path:
    """A project whose HEAD has the user's templates.py, updated by Copier: it is gone and
    the new prompts.py is written."""
    project = tmp_path / "project"
    (project / AGENT).mkdir(parents=True)
    (project / AGENT / "templates.py").write_text(user)
    run(["git", "init", "-q"], cwd=project)
    run(["git", "add", "-A"], cwd=project)
    run(["git", "commit", "-qm", "Generate"], cwd=project, env=IDENTITY)
    (project / AGENT / "templates.py").unlink()
    (project / AGENT / "prompts.py").write_text(NEW)
    return project


def test_an_edit_away_from_the_templates_changes_merges(tmp_path):
    user = BASE + "\n\nLIMIT = 5\n"
    project = project_after_update(tmp_path, user)
    assert renamed_paths(project) == [f"{AGENT}/templates.py"]

    line = merge(project, f"{AGENT}/templates.py", user, BASE, tmp_path)

    assert line == f"{AGENT}/prompts.py: your edits of templates.py are merged in"
    assert (project / AGENT / "prompts.py").read_text() == NEW + "\n\nLIMIT = 5\n"


def test_an_edit_on_the_same_lines_conflicts_and_keeps_both(tmp_path):
    user = BASE.replace("You write.", "You write poems.")
    project = project_after_update(tmp_path, user)

    line = merge(project, f"{AGENT}/templates.py", user, BASE, tmp_path)

    assert "conflict" in line and line.startswith(f"{AGENT}/prompts.py")
    text = (project / AGENT / "prompts.py").read_text()
    assert "<<<<<<< before updating" in text and ">>>>>>> after updating" in text
    assert "You write poems." in text and "You write reports." in text
    status = run(["git", "status", "--porcelain"], cwd=project).stdout
    assert f"UU {AGENT}/prompts.py" in status


def test_imports_of_the_old_module_are_named(tmp_path):
    project = project_after_update(tmp_path, BASE)
    (project / AGENT / "style.py").write_text("import json\nfrom .templates import task\n")
    (project / AGENT / "other.py").write_text("from jinja2 import templates\n")

    assert old_imports(project) == [f"{AGENT}/style.py:2: from .templates import task"]


@given(extra=st.binary(min_size=1, max_size=40).filter(lambda data: b"\0" not in data))
@settings(max_examples=25, deadline=None)
def test_an_edit_in_any_encoding_is_merged_byte_for_byte(tmp_path_factory, extra):
    """A templates.py that is not UTF-8 (a Latin-1 comment, say) is carried as its bytes."""
    tmp_path = tmp_path_factory.mktemp("bytes")
    added = b"\n\n# " + extra.replace(b"\n", b" ").replace(b"\r", b" ") + b"\n"
    user = (BASE.encode() + added).decode("utf-8", "surrogateescape")
    project = project_after_update(tmp_path, "")
    (project / AGENT / "templates.py").write_bytes(user.encode("utf-8", "surrogateescape"))
    run(["git", "commit", "-qam", "Edit"], cwd=project, env=IDENTITY)
    (project / AGENT / "templates.py").unlink()

    line = merge(
        project,
        f"{AGENT}/templates.py",
        head_text(project, f"{AGENT}/templates.py"),
        BASE,
        tmp_path,
    )

    assert line == f"{AGENT}/prompts.py: your edits of templates.py are merged in"
    assert (project / AGENT / "prompts.py").read_bytes() == NEW.encode() + added


def test_code_in_any_encoding_or_a_broken_link_does_not_stop_the_migration(tmp_path):
    project = project_after_update(tmp_path, BASE)
    (project / AGENT / "latin.py").write_bytes(b"# caf\xe9\nfrom .templates import task\n")
    (project / AGENT / "gone.py").symlink_to(tmp_path / "nowhere.py")

    assert old_imports(project) == [f"{AGENT}/latin.py:2: from .templates import task"]
