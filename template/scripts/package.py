"""Build the Lambda artifacts without Docker: one dependency layer and one code zip per function.

    python scripts/package.py [--out build/lambda]

The functions, their Python runtime and architecture come from terraform/agents.auto.tfvars.json
(written from agents.yaml and the answers). Dependencies are the locked ones (uv export), installed
as binary wheels for the Lambda platform, with LiteLLM's proxy UI and other files Lambda never
reads dropped, and compiled to bytecode by the runtime's Python version. That interpreter is
$LAMBDA_PYTHON, else the one `uv python find` or pyenv gives for the version.

Zips are reproducible (sorted entries, fixed timestamps and permissions, hash-based bytecode):
the same inputs give the same bytes, so Terraform redeploys only what changed. The layer is
rebuilt only when the locked dependencies, the runtime or the architecture change.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TFVARS = ROOT / "terraform" / "agents.auto.tfvars.json"
MB = 1024 * 1024
# Lambda quotas: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
MAX_UNZIPPED = 250 * MB  # function code and all its layers, unzipped
MAX_DIRECT_UPLOAD = 50 * MB  # a zip uploaded to Lambda directly (the code zips)
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
# Installed files a Lambda function never reads.
LAYER_PRUNE = (
    "litellm/proxy/_experimental",  # the LiteLLM proxy's web UI
    "litellm/proxy/swagger",
    "litellm/proxy/_lazy_openapi_snapshot.json",
    "aws_lambda_powertools/event_handler/openapi/swagger_ui",
    "hf_xet",  # faster Hugging Face Hub downloads, which the functions never make
    "**/tests",
    "**/__pycache__",
    "**/*.pyi",
    "*.dist-info/RECORD",
    "bin",
)
# The AWS service models botocore keeps (about 28 MB for all 400+ services): the services the
# runtime calls. Add one here when a tool of yours calls another AWS service.
BOTOCORE_SERVICES = {
    "bedrock",
    "bedrock-runtime",
    "dynamodb",
    "lambda",
    "rds-data",
    "s3",
    "secretsmanager",
    "sqs",
    "ssm",
    "sso",
    "sso-oidc",
    "sts",
}
# Left without bytecode to stay under Lambda's 250 MB: the proxy is imported only in pieces, on
# rare paths; of the provider adapters, a function imports a few hundred small modules, which
# Python compiles in memory at a cold start (a fraction of a second).
NOT_COMPILED = ("litellm/proxy", "litellm/llms")
LAYER_BUILD_VERSION = "3"  # bump when the way the layer is built changes


class PackagingError(Exception):
    """Something the user must fix; printed as one message."""


def run(*command: str, cwd: Path = ROOT) -> str:
    # A fixed hash seed orders frozenset constants the same way in every .pyc.
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=environment)
    if done.returncode != 0:
        raise PackagingError(f"{' '.join(command)} failed:\n{done.stderr.strip()}")
    return done.stdout


def python_version_of(interpreter: str) -> str | None:
    try:
        done = subprocess.run(
            [interpreter, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
        )
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def runtime_python(version: str) -> str:
    """An interpreter of the Lambda runtime's Python version, to compile the bytecode."""
    if configured := os.environ.get("LAMBDA_PYTHON"):
        if python_version_of(configured) != version:
            raise PackagingError(f"LAMBDA_PYTHON={configured} is not a Python {version}")
        return configured
    candidates = []
    found = subprocess.run(["uv", "python", "find", version], capture_output=True, text=True)
    if found.returncode == 0:
        candidates.append(found.stdout.strip())
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python{version}"))
    for candidate in candidates:
        if python_version_of(candidate) == version:
            return candidate
    raise PackagingError(
        f"no Python {version} found to compile the bytecode of the python{version} runtime: "
        f"set LAMBDA_PYTHON to one, or run `uv python install {version}`"
    )


def write_zip(source: Path, destination: Path, prefix: str = "") -> None:
    """Zip ``source`` reproducibly: sorted entries, fixed dates and permissions."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in source.rglob("*") if p.is_file())
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in files:
            entry = zipfile.ZipInfo(prefix + path.relative_to(source).as_posix(), ZIP_TIMESTAMP)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, path.read_bytes(), compresslevel=9)


def prune(site: Path) -> None:
    """Delete what LAYER_PRUNE names and the service models outside BOTOCORE_SERVICES."""
    doomed = [path for pattern in LAYER_PRUNE for path in site.glob(pattern)]
    models = site / "botocore" / "data"
    doomed += [p for p in models.glob("*/") if p.name not in BOTOCORE_SERVICES]
    for path in doomed:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)  # a pattern may match inside a removed folder
        elif path.exists():
            path.unlink()


def compile_bytecode(python: str, folder: Path, installed_at: str, skip: tuple = ()) -> None:
    """Compile for the runtime; hash-based .pyc files do not depend on file dates.

    In one process, not a pool: marshal's output depends on what the process compiled before.
    """
    excluded = "|".join(re.escape(f"{folder}/{path}/") for path in skip)
    run(
        python, "-m", "compileall", "-q",
        "--invalidation-mode", "unchecked-hash",
        "-s", str(folder), "-p", installed_at,
        *(["-x", excluded] if excluded else []),
        str(folder),
    )  # fmt: skip


def unzipped_size(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(entry.file_size for entry in archive.infolist())


def build_layer(settings: dict, python: str, out: Path) -> Path:
    """The dependency layer: locked dependencies for the Lambda platform, under python/."""
    layer = out / "layer.zip"
    stamp = out / "layer.inputs"
    requirements = run("uv", "export", "--no-dev", "--no-emit-project", "--no-hashes", "--quiet")
    version = settings["lambda_runtime"].removeprefix("python")
    platform = {"arm64": "aarch64", "x86_64": "x86_64"}[settings["lambda_architecture"]]
    inputs = hashlib.sha256(
        f"{LAYER_BUILD_VERSION}\n{platform}\n{version}\n{requirements}".encode()
    ).hexdigest()
    if layer.is_file() and stamp.is_file() and stamp.read_text() == inputs:
        return layer
    with tempfile.TemporaryDirectory() as work:
        requirements_file = Path(work) / "requirements.txt"
        requirements_file.write_text(requirements)
        site = Path(work) / "python"
        run(
            "uv", "pip", "install", "--quiet", "--no-deps", "--only-binary", ":all:",
            # Lambda's python3.12 and 3.13 runtimes run on Amazon Linux 2023 (glibc 2.34).
            "--python-platform", f"{platform}-manylinux_2_34",
            "--python-version", version,
            "--target", str(site),
            "-r", str(requirements_file),
        )  # fmt: skip
        prune(site)
        compile_bytecode(python, site, "/opt/python", skip=NOT_COMPILED)
        write_zip(Path(work), layer)
    stamp.write_text(inputs)
    return layer


# The API's modules for `make serve` only: the development issuer must never be deployable.
LOCAL_ONLY = ("api/local.py", "api/development.py")


def function_sources(package: Path, name: str, workers: list[str]) -> list[Path]:
    """The files of function ``name``: the package without other agents' folders, and without
    the API (for the API itself, without its local-only modules)."""
    excluded = [package / "agents" / worker for worker in workers if worker != name]
    excluded += [package / "api"] if name != "api" else [package / m for m in LOCAL_ONLY]
    return [
        path
        for path in sorted(package.rglob("*"))
        if path.is_file()
        and "__pycache__" not in path.parts
        and not any(path.is_relative_to(folder) for folder in excluded)
    ]


def build_function(name: str, package: Path, workers: list[str], python: str, out: Path) -> Path:
    with tempfile.TemporaryDirectory() as work:
        for path in function_sources(package, name, workers):
            target = Path(work) / path.relative_to(package.parent)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        compile_bytecode(python, Path(work), "/var/task")
        destination = out / "functions" / f"{name}.zip"
        write_zip(Path(work), destination)
    return destination


def check_limits(layer: Path, functions: dict[str, Path]) -> list[str]:
    layer_unzipped = unzipped_size(layer)
    problems = []
    print(f"{'artifact':<28}{'zipped MB':>11}{'unzipped MB':>13}")
    print(f"{'layer':<28}{layer.stat().st_size / MB:>11.1f}{layer_unzipped / MB:>13.1f}")
    for name, path in functions.items():
        zipped, unzipped = path.stat().st_size, unzipped_size(path)
        print(f"{name:<28}{zipped / MB:>11.2f}{unzipped / MB:>13.2f}")
        if zipped > MAX_DIRECT_UPLOAD:
            problems.append(f"{name}.zip is {zipped / MB:.1f} MB, over the 50 MB direct upload")
        if unzipped + layer_unzipped > MAX_UNZIPPED:
            problems.append(
                f"{name} unzipped with the layer is {(unzipped + layer_unzipped) / MB:.1f} MB, "
                "over Lambda's 250 MB: drop dependencies or prune more in LAYER_PRUNE"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "lambda")
    args = parser.parse_args(argv)
    try:
        settings = json.loads(TFVARS.read_text())
        workers = list(settings["workers"])
        package = ROOT / "src" / settings["orchestrator"]["handler"].split(".")[0]
        names = [*workers, settings["orchestrator"]["name"]]
        if (package / "api").is_dir():
            names.append("api")
        python = runtime_python(settings["lambda_runtime"].removeprefix("python"))
        out = args.out.resolve()
        layer = build_layer(settings, python, out)
        functions = {name: build_function(name, package, workers, python, out) for name in names}
        problems = check_limits(layer, functions)
    except PackagingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
