"""Running Terraform in the template's tests: the binary, the offline provider mirror, a cache."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from .conftest import run

# The machine image's offline mirror of hashicorp/aws; TF_PLUGIN_DIR points elsewhere.
PLUGIN_DIR = os.environ.get("TF_PLUGIN_DIR", "/opt/tf-plugins")
# One provider unpacked for every init of the session, linked instead of copied.
PLUGIN_CACHE = Path(tempfile.gettempdir()) / "copier-aws-agents-tf-plugin-cache"


def terraform_environment() -> dict[str, str]:
    if shutil.which("terraform") is None:
        pytest.fail("terraform is not on PATH: install Terraform >= 1.6 to run these tests")
    if not Path(PLUGIN_DIR).is_dir():
        pytest.fail(f"no Terraform provider mirror at {PLUGIN_DIR}: set TF_PLUGIN_DIR")
    PLUGIN_CACHE.mkdir(exist_ok=True)
    return {
        "TF_PLUGIN_CACHE_DIR": str(PLUGIN_CACHE),
        "TF_CLI_CONFIG_FILE": os.devnull,
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
    }


def terraform_init(folder: Path, env: dict[str, str], *, backend: bool = False) -> None:
    command = ["terraform", "init", "-input=false", f"-plugin-dir={PLUGIN_DIR}"]
    run(command if backend else [*command, "-backend=false"], cwd=folder, env=env)
