"""Plain rule and step shapes for the plan compiler's tests (what compile_plan reads)."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")


@dataclass(frozen=True)
class Step:
    parallel: bool
    agents: list[str]


@dataclass(frozen=True)
class Rule:
    name: str
    condition: str
    steps: list[Step]
    otherwise: list[Step] = field(default_factory=list)
