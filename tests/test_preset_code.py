"""Preset code (extensions/preset_code.py): which files a project gets, and where."""

from __future__ import annotations

from extensions.preset_code import agent_files, available, shared_files

ANSWERS = {"database": "aurora-serverless-v2", "api": True, "package_name": "app"}


def paths(files) -> set[str]:
    return {file.path for file in files}


def test_every_finance_agent_has_code():
    assert {"finance/tagger", "finance/charter", "finance/retirement", "finance/reporter"} <= set(
        available()
    )


def test_an_agent_gets_its_pipeline_and_replaces_the_generic_files():
    files = agent_files("finance/reporter", ANSWERS)
    assert paths(files) == {"pipeline.py", "prompts.py", "schemas.py", "tools.py"}
    assert all(not file.rendered and file.text for file in files)


def test_path_conditions_and_the_jinja_suffix_follow_copier():
    project = paths(shared_files({"finance"}, ANSWERS)["project"])
    assert {
        "db/alex/copy_jobs.sql",
        "tests/test_alex_migration.py",
        "tests/test_clerk_tokens.py",
        "docs/migrating-from-alex.md",
        "knowledge/bonds.md",
    } <= project

    without = paths(
        shared_files({"finance"}, {**ANSWERS, "database": "dynamodb", "api": False})["project"]
    )
    assert not {p for p in without if p.startswith("db/") or "alex_migration" in p or "clerk" in p}
    assert "tests/test_finance_figures.py" in without
    assert all(p and not p.endswith("/") and not p.endswith(".jinja") for p in without)


def test_rendered_files_are_included_not_copied():
    files = {f.path: f for f in shared_files({"finance"}, ANSWERS)["project"]}
    doc = files["docs/migrating-from-alex.md"]
    assert doc.rendered and doc.text == ""
    assert doc.source == "presets/finance/project/docs/migrating-from-alex.md.jinja"


def test_a_project_without_preset_code_gets_nothing():
    assert shared_files(set(), ANSWERS) == {"package": [], "project": []}
