"""Build the Lambda artifacts without Docker: dependency layers per role, a code zip per function.

    python scripts/package.py [--out build/lambda]

Each function gets the layers of its role: every function has `core` (the project's own
dependencies, all that the rules orchestrator loads); the functions that call a model (the
workers, a planner orchestrator) add `llm` (the Agents SDK, LiteLLM or OpenAI's client), the
HTTP API adds `api` (FastAPI, Mangum). A layer holds the locked dependencies of its group in
pyproject.toml (uv export) that `core` does not already hold, installed as binary wheels for
the Lambda platform, without what Lambda never reads (STRIP), and compiled to bytecode by the
runtime's Python version. That interpreter is $LAMBDA_PYTHON, else the one `uv python find`
or pyenv gives for the version.

`build/lambda/manifest.json` lists per function its code zip, role, handler and layers, and
per layer its zip; Terraform deploys what it lists. Zips are reproducible (sorted entries,
fixed timestamps and permissions, hash-based bytecode): the same inputs give the same bytes,
so Terraform redeploys only what changed. A layer is rebuilt only when its locked
dependencies, the runtime, the architecture or the recipe below change.
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
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TFVARS = ROOT / "terraform" / "agents.auto.tfvars.json"
MB = 1024 * 1024
# Lambda quotas: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
MAX_UNZIPPED = 250 * MB  # function code and all its layers, unzipped
MAX_DIRECT_UPLOAD = 50 * MB  # a zip uploaded to Lambda directly (the code zips)
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)

# The dependency groups of pyproject.toml each layer installs; `core` is the project's own
# dependencies, and the other layers leave out what `core` holds.
LAYER_GROUPS = {"core": (), "llm": ("llm",), "api": ("api",)}
# The layers of a function, by what it runs.
RULES = ("core",)  # the rules orchestrator, and any function that calls no model
MODELS = ("core", "llm")  # the workers and a planner orchestrator
WEB = ("core", "api")  # the HTTP API

# What Lambda never reads, deleted from every layer: a glob under the layer's python/ folder,
# and why it can go. The template's tests import every handler from the stripped layers, in
# an interpreter that sees nothing else, and run a worker through the model stack.
STRIP = {
    "**/__pycache__": "the build machine's bytecode: the layer's own is compiled below",
    "**/tests": "test suites",
    "**/*.pyi": "type stubs, read by type checkers only",
    "*.dist-info/RECORD": "the installer's file list",
    "*.dist-info/sboms": "software bills of materials",
    "bin": "console scripts",
    "litellm/proxy": "LiteLLM's proxy server and web UI: the functions use LiteLLM's library",
    "litellm_cli": "LiteLLM's command line",
    "aws_lambda_powertools/event_handler/openapi/swagger_ui": "Powertools' Swagger UI page",
    # Data of providers this project does not call: LiteLLM counts DeepSeek tokens with
    # tiktoken instead (it says so in a warning), and lists Hugging Face models only for them.
    "litellm/litellm_core_utils/tokenizers/deepseek_tokenizer.json": "DeepSeek's tokenizer",
    "litellm/llms/huggingface/huggingface_llms_metadata": "Hugging Face's model list",
}
# Files under STRIP's folders that the functions load, kept: the few modules of LiteLLM's
# proxy that its library imports when it calls a model (file ids, error mapping, MCP).
STRIP_KEEPS = (
    "litellm/proxy/__init__.py",
    "litellm/proxy/_types.py",
    "litellm/proxy/common_utils/timezone_utils.py",
    "litellm/proxy/guardrails/exception_utils.py",
    "litellm/proxy/mcp_server/stdio_gate.py",
    "litellm/proxy/openai_files_endpoints/common_utils.py",
    "litellm/proxy/types_utils/utils.py",
)
# Locked distributions that no function loads, left out of the layers with what only they
# need (uv export --prune), and why.
PRUNED = {
    "tokenizers": "LiteLLM tokenizes with its Rust bridge; this is its Python fallback",
    "huggingface-hub": "downloads Hugging Face tokenizers, which the functions never do",
}
# The layers ship bytecode without the source (it halves their size); a module that reads its
# own source when imported keeps it.
KEEP_SOURCE = ("agents/sandbox/sandboxes/_unix_local_file_ops.py",)
# The AWS service models botocore keeps (about 28 MB for all 400+ services): the services the
# runtime calls. Add one here when a tool of yours calls another AWS service.
BOTOCORE_SERVICES = (
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
)
LAYER_BUILD_VERSION = "4"  # bump when the code that builds the layers changes


class PackagingError(Exception):
    """Something the user must fix; printed as one message."""


@dataclass(frozen=True)
class Function:
    """A Lambda function of the stack: its role (orchestrator, worker or api), its layers and
    its handler (module.function)."""

    role: str
    layers: tuple[str, ...]
    handler: str


def stack_functions(settings: dict, package: Path) -> dict[str, Function]:
    """Every Lambda function of the stack, by name. A function of an existing role is one
    more line here, e.g. ``functions["x"] = Function("orchestrator", RULES, "pkg.x.handler")``."""
    workers, orchestrator = settings["workers"], settings["orchestrator"]
    planner = (package / "orchestrator" / "planner.py").is_file()
    functions = {
        name: Function("worker", MODELS, worker["handler"]) for name, worker in workers.items()
    }
    functions[orchestrator["name"]] = Function(
        "orchestrator", MODELS if planner else RULES, orchestrator["handler"]
    )
    if (package / "api").is_dir():
        functions["api"] = Function("api", WEB, f"{package.name}.api.handler.handler")
    return functions


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


def write_zip(source: Path, destination: Path) -> None:
    """Zip ``source`` reproducibly: sorted entries, fixed dates and permissions."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in source.rglob("*") if p.is_file())
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            entry = zipfile.ZipInfo(path.relative_to(source).as_posix(), ZIP_TIMESTAMP)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, path.read_bytes())


def strip(site: Path) -> None:
    """Delete what STRIP names but STRIP_KEEPS, and the service models outside
    BOTOCORE_SERVICES."""
    doomed = [path for pattern in STRIP for path in site.glob(pattern)]
    models = site / "botocore" / "data"
    doomed += [p for p in models.glob("*/") if p.name not in BOTOCORE_SERVICES]
    for path in doomed:
        for file in path.rglob("*") if path.is_dir() else [path]:
            if file.relative_to(site).as_posix() not in STRIP_KEEPS and not file.is_dir():
                file.unlink(missing_ok=True)  # a pattern may match inside a stripped folder
    remove_empty_folders(site)


def compile_bytecode(python: str, folder: Path, installed_at: str, *, legacy: bool = False):
    """Compile for the runtime; hash-based .pyc files do not depend on file dates. ``legacy``
    writes each module's .pyc beside its source, where Python imports it without the source.

    In one process, not a pool: marshal's output depends on what the process compiled before.
    """
    run(
        python, "-m", "compileall", "-q", *(["-b"] if legacy else []),
        "--invalidation-mode", "unchecked-hash",
        "-s", str(folder), "-p", installed_at,
        str(folder),
    )  # fmt: skip


def drop_sources(site: Path) -> None:
    """Delete each module's source where its legacy .pyc stands beside it (KEEP_SOURCE aside)."""
    for bytecode in site.rglob("*.pyc"):
        source = bytecode.with_suffix(".py")
        if source.relative_to(site).as_posix() in KEEP_SOURCE:
            bytecode.unlink()
        else:
            source.unlink(missing_ok=True)


def unzipped_size(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(entry.file_size for entry in archive.infolist())


def requirements(groups: tuple[str, ...]) -> str:
    """The locked dependencies of the project and ``groups``, as a requirements file."""
    selected = [f"--group={group}" for group in groups]
    pruned = [f"--prune={name}" for name in PRUNED]
    return run(
        "uv", "export", "--quiet", "--no-default-groups", *selected, *pruned,
        "--no-emit-project", "--no-hashes", "--no-annotate", "--no-header",
    )  # fmt: skip


def install(requirements_text: str, site: Path, platform: str, version: str) -> None:
    """Install locked requirements as the Lambda platform's wheels into ``site``."""
    requirements_file = site.parent / f"{site.name}.txt"
    requirements_file.write_text(requirements_text)
    run(
        "uv", "pip", "install", "--quiet", "--no-deps", "--only-binary", ":all:",
        # Lambda's python3.12 and 3.13 runtimes run on Amazon Linux 2023 (glibc 2.34).
        "--python-platform", f"{platform}-manylinux_2_34",
        "--python-version", version,
        "--target", str(site),
        "-r", str(requirements_file),
    )  # fmt: skip


def remove_empty_folders(site: Path) -> None:
    for folder in sorted((p for p in site.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


def remove_files_of(site: Path, base: Path) -> None:
    """Delete from ``site`` every file that ``base`` holds: a layer leaves them to ``core``."""
    for path in base.rglob("*"):
        if path.is_file():
            (site / path.relative_to(base)).unlink(missing_ok=True)
    remove_empty_folders(site)


def build_layers(names: set[str], settings: dict, python: str, out: Path) -> dict[str, Path]:
    """Each named layer's zip (layers/<name>.zip), rebuilt only when its inputs changed.

    With $LAMBDA_LAYER_CACHE set, a built layer is also kept there under the hash of its
    inputs, where the next packaging of any project finds it.
    """
    version = settings["lambda_runtime"].removeprefix("python")
    platform = {"arm64": "aarch64", "x86_64": "x86_64"}[settings["lambda_architecture"]]
    locked = {name: requirements(LAYER_GROUPS[name]) for name in sorted(names | {"core"})}
    recipe = [LAYER_BUILD_VERSION, STRIP, STRIP_KEEPS, PRUNED, KEEP_SOURCE, *BOTOCORE_SERVICES]
    inputs = {
        name: hashlib.sha256(
            json.dumps([*recipe, platform, version, locked[name]]).encode()
        ).hexdigest()
        for name in names
    }
    zips = {name: out / "layers" / f"{name}.zip" for name in names}
    stamps = {name: out / "layers" / f"{name}.inputs" for name in names}
    cache = Path(os.environ["LAMBDA_LAYER_CACHE"]) if os.environ.get("LAMBDA_LAYER_CACHE") else None
    stale = []
    for name in sorted(names):
        built = zips[name].is_file() and stamps[name].is_file()
        if built and stamps[name].read_text() == inputs[name]:
            continue
        if cache and (cache / f"{inputs[name]}.zip").is_file():
            zips[name].parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cache / f"{inputs[name]}.zip", zips[name])
            stamps[name].write_text(inputs[name])
        else:
            stale.append(name)
    if not stale:
        return zips
    with tempfile.TemporaryDirectory() as work:
        core = Path(work) / "core" / "python"
        core.mkdir(parents=True)
        install(locked["core"], core, platform, version)
        sites = {"core": core}
        for name in stale:
            if name != "core":
                sites[name] = Path(work) / name / "python"
                sites[name].mkdir(parents=True)
                install(locked[name], sites[name], platform, version)
                remove_files_of(sites[name], core)

        def finish(name: str) -> None:
            strip(sites[name])
            compile_bytecode(python, sites[name], "/opt/python", legacy=True)
            drop_sources(sites[name])
            write_zip(sites[name].parent, zips[name])
            stamps[name].write_text(inputs[name])
            if cache:
                cache.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(zips[name], cache / f"{inputs[name]}.zip")

        with ThreadPoolExecutor() as pool:  # a layer per thread, each compiled in its own process
            list(pool.map(finish, stale))
    return zips


# The API's modules for `make serve` only: the development issuer must never be deployable.
LOCAL_ONLY = ("api/local.py", "api/development.py")


def function_sources(package: Path, name: str, function: Function, workers: list[str]):
    """The package's files that function ``name`` ships: a worker its own agent's folder
    only, the API its api/ folder without the local-only modules, the others neither."""
    excluded = [package / "agents" / worker for worker in workers if worker != name]
    if function.role != "api":
        excluded.append(package / "api")
    else:
        excluded += [package / module for module in LOCAL_ONLY]
    return [
        path
        for path in sorted(package.rglob("*"))
        if path.is_file()
        and "__pycache__" not in path.parts
        and not any(path.is_relative_to(folder) for folder in excluded)
    ]


def build_function(
    name: str, function: Function, package: Path, workers: list[str], python: str, out: Path
) -> Path:
    with tempfile.TemporaryDirectory() as work:
        for path in function_sources(package, name, function, workers):
            target = Path(work) / path.relative_to(package.parent)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        compile_bytecode(python, Path(work), "/var/task")
        destination = out / "functions" / f"{name}.zip"
        write_zip(Path(work), destination)
    return destination


def write_manifest(
    out: Path,
    settings: dict,
    functions: dict[str, Function],
    code: dict[str, Path],
    layers: dict[str, Path],
) -> dict:
    """build/lambda/manifest.json: what Terraform deploys and bench/artifacts.py measures."""

    def entry(path: Path) -> dict:
        return {
            "zip": path.relative_to(out).as_posix(),
            "zipped_bytes": path.stat().st_size,
            "unzipped_bytes": unzipped_size(path),
        }

    manifest = {
        "runtime": settings["lambda_runtime"],
        "architecture": settings["lambda_architecture"],
        "layers": {name: entry(path) for name, path in sorted(layers.items())},
        "functions": {
            name: {
                "role": function.role,
                "handler": function.handler,
                "layers": list(function.layers),
                **entry(code[name]),
            }
            for name, function in functions.items()
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def function_size(manifest: dict, name: str) -> int:
    """Function ``name``'s code and layers, unzipped: what Lambda's 250 MB limit counts."""
    function = manifest["functions"][name]
    layers = sum(manifest["layers"][layer]["unzipped_bytes"] for layer in function["layers"])
    return function["unzipped_bytes"] + layers


def largest_packages(zips: list[Path], count: int = 5) -> list[tuple[str, int]]:
    """The top-level packages that take the most room, unzipped, in ``zips``."""
    sizes: Counter[str] = Counter()
    for path in zips:
        with zipfile.ZipFile(path) as archive:
            for entry in archive.infolist():
                parts = entry.filename.split("/")
                top = parts[1] if parts[0] == "python" and len(parts) > 2 else parts[0]
                sizes[re.sub(r"-[^-]+\.dist-info$", "", top)] += entry.file_size
    return sizes.most_common(count)


def limit_problems(manifest: dict, out: Path, limit: int = MAX_UNZIPPED) -> list[str]:
    """One message per function that Lambda would refuse, naming what takes the room."""
    problems = []
    for name, function in manifest["functions"].items():
        if function["zipped_bytes"] > MAX_DIRECT_UPLOAD:
            problems.append(
                f"{function['zip']} is {function['zipped_bytes'] / MB:.1f} MB, "
                f"over Lambda's {MAX_DIRECT_UPLOAD // MB} MB for a direct upload"
            )
        size = function_size(manifest, name)
        if size > limit:
            zips = [out / function["zip"]]
            zips += [out / manifest["layers"][layer]["zip"] for layer in function["layers"]]
            largest = ", ".join(f"{p} {s / MB:.1f} MB" for p, s in largest_packages(zips))
            problems.append(
                f"function {name} is {size / MB:.1f} MB unzipped with its layers "
                f"({', '.join(function['layers'])}), over Lambda's {limit / MB:.0f} MB; "
                f"largest packages: {largest}. Drop a dependency, or add what Lambda never "
                "reads to STRIP in scripts/package.py"
            )
    return problems


def print_sizes(manifest: dict) -> None:
    print(f"{'artifact':<28}{'role':<14}{'zipped MB':>10}{'unzipped MB':>13}{'with layers':>13}")
    for name, layer in manifest["layers"].items():
        zipped, unzipped = layer["zipped_bytes"] / MB, layer["unzipped_bytes"] / MB
        print(f"{'layer ' + name:<28}{'':<14}{zipped:>10.1f}{unzipped:>13.1f}")
    for name, function in manifest["functions"].items():
        zipped, unzipped = function["zipped_bytes"] / MB, function["unzipped_bytes"] / MB
        total = function_size(manifest, name) / MB
        print(f"{name:<28}{function['role']:<14}{zipped:>10.2f}{unzipped:>13.2f}{total:>13.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "lambda")
    args = parser.parse_args(argv)
    try:
        settings = json.loads(TFVARS.read_text())
        workers = list(settings["workers"])
        package = ROOT / "src" / settings["orchestrator"]["handler"].split(".")[0]
        functions = stack_functions(settings, package)
        python = runtime_python(settings["lambda_runtime"].removeprefix("python"))
        out = args.out.resolve()
        needed = {layer for function in functions.values() for layer in function.layers}
        layers = build_layers(needed, settings, python, out)
        code = {
            name: build_function(name, function, package, workers, python, out)
            for name, function in functions.items()
        }
        manifest = write_manifest(out, settings, functions, code, layers)
    except PackagingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print_sizes(manifest)
    problems = limit_problems(manifest, out)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
