"""Lambda artifact sizes of the default project, per function, against Lambda's limits (a figure).

    uv run python bench/artifacts.py [--architecture arm64|x86_64] [--python 3.12|3.13]

Renders the default project, runs its `scripts/package.py` twice (clean, then again) and
prints, from the `build/lambda/manifest.json` it writes, each layer and each function: its
role, its layers, its code and its total unzipped (code plus layers) against the 160 MB budget
and Lambda's 250 MB limit, and whether the second build gave the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from copier import run_copy

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
MAX_UNZIPPED = 250 * MB
BUDGET = 160 * MB  # at least 90 MB left for the user's own libraries


def digests(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*.zip"))
    }


def package(project: Path) -> float:
    """Seconds to package ``project`` from scratch (no layer cache)."""
    environment = {k: v for k, v in os.environ.items() if k != "LAMBDA_LAYER_CACHE"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "scripts/package.py"], cwd=project, check=True, env=environment)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--architecture", default="arm64", choices=["arm64", "x86_64"])
    parser.add_argument("--python", default="3.12", choices=["3.12", "3.13"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        project = Path(work) / "app"
        data = {"lambda_architecture": args.architecture, "python_version": args.python}
        run_copy(
            str(ROOT), project, data=data, defaults=True, unsafe=True, quiet=True, vcs_ref="HEAD"
        )
        first = package(project)
        artifacts = project / "build" / "lambda"
        before = digests(artifacts)
        shutil.rmtree(artifacts)
        second = package(project)
        same = digests(artifacts) == before
        manifest = json.loads((artifacts / "manifest.json").read_text())

    layers = manifest["layers"]
    print(f"\npython{args.python} on {args.architecture}; per function: code plus its layers, "
          "unzipped, against the 160 MB budget and Lambda's 250 MB")  # fmt: skip
    print(f"{'layer':<22}{'zipped MB':>10}{'unzipped MB':>13}")
    for name, layer in layers.items():
        zipped, unzipped = layer["zipped_bytes"] / MB, layer["unzipped_bytes"] / MB
        print(f"{name:<22}{zipped:>10.1f}{unzipped:>13.1f}")
    print(
        f"\n{'function':<16}{'role':<14}{'layers':<11}{'code MB':>8}{'total MB':>10}"
        f"{'budget left':>13}{'headroom':>10}"
    )
    for name, function in sorted(manifest["functions"].items()):
        code = function["unzipped_bytes"]
        total = code + sum(layers[layer]["unzipped_bytes"] for layer in function["layers"])
        print(
            f"{name:<16}{function['role']:<14}{'+'.join(function['layers']):<11}"
            f"{code / MB:>8.2f}{total / MB:>10.1f}{(BUDGET - total) / MB:>13.1f}"
            f"{(MAX_UNZIPPED - total) / MB:>10.1f}"
        )
    print(f"first build {first:.0f} s, clean rebuild {second:.0f} s, same bytes: {same}")


if __name__ == "__main__":
    main()
