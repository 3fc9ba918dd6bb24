"""The pins of Copier and its extension, read from the template's pyproject.toml (their one source).

A generated project's Makefile runs `make regen` and `make update` in that environment
(``copier_tool``); the READMEs' commands are checked against the same pins by
tests/test_docs.py.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
# Copier, the extension loader its copier.yml names, and ruamel.yaml (make add-agent edits
# agents.yaml with it, keeping comments).
COPIER_TOOL = ("copier", "copier-template-extensions", "ruamel.yaml")


# A pinned requirement in pyproject.toml, as `"name==version",` (read without tomllib: Copier
# may run on Python 3.10, which has none).
PIN = re.compile(r'^\s*"([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^"]+)",?\s*$', re.MULTILINE)


@cache
def pins() -> dict[str, str]:
    """``name==version`` of each of the template's pinned dependencies, by name."""
    text = PYPROJECT.read_text(encoding="utf-8")
    return {name: f"{name}=={version}" for name, version in PIN.findall(text)}


def copier_tool() -> str:
    """``uv tool run``'s arguments for Copier's environment: ``--from copier==... --with ...``."""
    first, *others = (pins()[name] for name in COPIER_TOOL)
    return " ".join([f"--from {first}", *(f"--with {pin}" for pin in others)])
