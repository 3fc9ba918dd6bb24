"""The README's layout names every folder of the project, and only folders that exist."""

import re

from conftest import PROJECT

# Not listed: tools' and builds' folders, each worker's folder (the agents/ line says what
# one holds) and each Terraform module.
UNLISTED = re.compile(
    r"(^|/)(\.[^/]*|__pycache__|build|node_modules)(/|$)|^src/$|/agents/[^/]+/$|^terraform/modules/[^/]+/$"
)


def listed_folders() -> list[str]:
    readme = (PROJECT / "README.md").read_text()
    section = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^- `([^`]+/)`", section, re.M)


def test_the_readme_lists_each_folder_once():
    listed = listed_folders()
    folders = {
        f"{path.relative_to(PROJECT).as_posix()}/" for path in PROJECT.rglob("*") if path.is_dir()
    }
    folders = {folder for folder in folders if not UNLISTED.search(folder)}

    assert len(listed) == len(set(listed)), "a folder is listed twice"
    assert sorted(set(listed) - folders) == [], "listed but missing"
    assert sorted(folders - set(listed)) == [], "present but not listed"
