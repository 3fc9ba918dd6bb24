"""Shared helpers for the template's tests: rendering projects and running commands."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from copier import run_copy
from hypothesis import settings

# Speed is measured in bench/, not here: a property test has no time limit on a loaded machine.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")

ROOT = Path(__file__).resolve().parent.parent
UV = shutil.which("uv") or f"{sys.executable} -m uv"


def render(dst: Path, **data: Any) -> Path:
    """Render the template (working tree included) into ``dst`` with --defaults."""
    run_copy(str(ROOT), dst, data=data, defaults=True, unsafe=True, quiet=True, vcs_ref="HEAD")
    return dst


def _clean_environment() -> dict[str, str]:
    """This process's environment without its virtualenv, so uv uses the project's own."""
    return {
        k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")
    }


def run(command: list[str] | str, cwd: Path, env: dict[str, str] | None = None, timeout=900):
    """Run a command; fail the test with its output when it fails."""
    done = subprocess.run(
        command,
        cwd=cwd,
        shell=isinstance(command, str),
        capture_output=True,
        text=True,
        env={**_clean_environment(), **(env or {})},
        timeout=timeout,
    )
    if done.returncode != 0:
        pytest.fail(f"{command} exited {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done


@pytest.fixture(scope="session")
def environments(tmp_path_factory):
    """One installed environment per dependency set (with or without LiteLLM); a project
    rendered with the same dependencies runs in it with PYTHONPATH set to its src/."""
    made: dict[bool, Path] = {}

    def python_for(provider: str) -> Path:
        litellm = provider != "openai"
        if litellm not in made:
            project = render(tmp_path_factory.mktemp("env"), llm_provider=provider)
            run(f"{UV} sync --quiet", cwd=project)
            made[litellm] = project / ".venv" / "bin" / "python"
        return made[litellm]

    return python_for


def load_script(project: Path, name: str) -> Any:
    """A generated project's scripts/<name>.py, imported as a module."""
    module_name = f"{project.name}_{name}_{abs(hash(project))}"
    spec = importlib.util.spec_from_file_location(module_name, project / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module
