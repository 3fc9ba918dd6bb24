"""The documentation stays true to the tree: the README's layout, the pins, and no references
to documents that are not in the repository."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

from extensions.pins import COPIER_TOOL, pins

ROOT = Path(__file__).resolve().parent.parent
# Where the template's docs point outside the repository (design notes, plans, this machine).
OUTSIDE_REFERENCES = re.compile(r"ARCHITECTURE(\.md| section)|framework-plan|shared/notes|/work/")
LAYOUT_LINE = re.compile(r"^(\S+/)\s{2,}\S")


def tracked_files() -> list[str]:
    listing = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    return [name for name in listing.stdout.splitlines() if (ROOT / name).is_file()]


def readme_layout(text: str) -> list[str]:
    """The folders listed in the README's first ``text`` block, one line each."""
    block = text.split("```text\n", 1)[1].split("```", 1)[0]
    lines = block.splitlines()
    folders = [match.group(1) for line in lines if (match := LAYOUT_LINE.match(line))]
    assert len(folders) == len(lines), f"a layout line is not `folder/  what it holds`: {lines}"
    return folders


def test_the_readme_lists_every_top_level_folder_once():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.index("```text") < readme.index("## "), "the layout comes first in the README"
    listed = readme_layout(readme)
    folders = sorted({name.split("/")[0] + "/" for name in tracked_files() if "/" in name})
    assert sorted(listed) == folders
    assert len(listed) == len(set(listed))


def test_a_layout_that_drifted_is_caught():
    layout = "```text\nbench/   figures\nghost/   gone\n```\n"
    assert readme_layout(layout) == ["bench/", "ghost/"]


def test_the_docs_quote_the_pinned_copier():
    quoted = re.compile(r"\b(" + "|".join(map(re.escape, COPIER_TOOL)) + r")==([\w.]+)")
    found = 0
    for name in tracked_files():
        if not name.endswith((".md", ".jinja")):
            continue
        for match in quoted.finditer((ROOT / name).read_text(encoding="utf-8")):
            found += 1
            assert match.group(0) == pins()[match.group(1)], f"{name}: {match.group(0)}"
    assert found, "the README's install command quotes the pins"


def test_nothing_points_outside_the_repository():
    problems = []
    for name in tracked_files():
        if name.endswith((".lock", ".png")) or name == "tests/test_docs.py":
            continue
        text = (ROOT / name).read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE_REFERENCES.search(line):
                problems.append(f"{name}:{number}: {line.strip()}")
    assert problems == []


def test_the_agents_yaml_reference_has_one_source():
    assert not (ROOT / "docs" / "agents-yaml.md").exists()
    shipped = ROOT / "template" / "docs" / "agents-yaml.md"
    assert "[template/docs/agents-yaml.md](template/docs/agents-yaml.md)" in (
        ROOT / "README.md"
    ).read_text(encoding="utf-8")
    assert shipped.read_text(encoding="utf-8").startswith("# agents.yaml reference")


def test_the_pins_are_read_as_pyproject_toml_states_them():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for name in COPIER_TOOL:
        assert pins()[name] in declared["project"]["dependencies"]
