"""Lambda artifact sizes of the default project against Lambda's limits (a figure, not a test).

    uv run python bench/artifacts.py [--architecture arm64|x86_64] [--python 3.12|3.13]

Renders the default project, runs its `scripts/package.py` twice (clean, then again) and prints
the layer's and each function's zip, zipped and unzipped, the headroom under the 250 MB
unzipped limit, and whether the second build gave the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from copier import run_copy

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
MAX_UNZIPPED = 250 * MB
MAX_DIRECT_UPLOAD = 50 * MB


def digests(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*.zip"))
    }


def unzipped(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(entry.file_size for entry in archive.infolist())


def package(project: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "scripts/package.py"], cwd=project, check=True)
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

        layer = artifacts / "layer.zip"
        layer_unzipped = unzipped(layer)
        print(f"\npython{args.python} on {args.architecture}; limits: 250 MB unzipped "
              f"(function + layers), 50 MB zipped for a direct upload")  # fmt: skip
        print(f"{'artifact':<22}{'zipped MB':>10}{'unzipped MB':>13}{'headroom MB':>13}")
        print(f"{'layer':<22}{layer.stat().st_size / MB:>10.1f}{layer_unzipped / MB:>13.1f}")
        for path in sorted((artifacts / "functions").glob("*.zip")):
            size = unzipped(path)
            headroom = (MAX_UNZIPPED - size - layer_unzipped) / MB
            zipped = path.stat().st_size / MB
            print(f"{path.stem:<22}{zipped:>10.2f}{size / MB:>13.2f}{headroom:>13.1f}")
        print(f"first build {first:.0f} s, clean rebuild {second:.0f} s, same bytes: {same}")


if __name__ == "__main__":
    main()
