"""Running Terraform in the template's tests: the binary, the offline provider mirror, a cache."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from .conftest import load_script, run

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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_moto(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    pytest.fail("moto_server did not start within 30 s")


def stand_in_artifacts(project: Path) -> None:
    """Tiny zips where `make package` puts the real ones, and the manifest that lists them,
    written by the project's scripts/package.py: moto stores code, never runs it."""
    package = load_script(project, "package")
    settings = json.loads((project / "terraform" / "agents.auto.tfvars.json").read_text())
    functions = package.stack_functions(settings, next((project / "src").iterdir()))
    out = project / "build" / "lambda"

    def stand_in(path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("README", "stand-in for the test\n")
        return path

    layers = {
        layer: stand_in(out / "layers" / f"{layer}.zip")
        for function in functions.values()
        for layer in function.layers
    }
    code = {name: stand_in(out / "functions" / f"{name}.zip") for name in functions}
    package.write_manifest(out, settings, functions, code, layers)
