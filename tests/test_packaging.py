"""The default project packaged for Lambda, as `make package` builds it.

The packaging installs the locked wheels for the Lambda platform with uv, from PyPI (as the
generated projects' own `uv sync` does). Built layers are kept in build/layer-cache
($LAMBDA_LAYER_CACHE) between sessions, so a session rebuilds a layer only when the
dependencies or the way layers are built change.

- Built for its default architecture: every function's code and layers fit 160 MB unzipped
  (90 MB left for the user's libraries under Lambda's 250 MB), each function has the layers of
  its role, and neither the orchestrator's nor the API's layers hold the LLM stack.
- Built for this machine's architecture: each handler imports in a fresh Python that sees
  only the function's code and layers, laid out as Lambda extracts them, so stripping never
  breaks an import; and a worker answers a job through each of LiteLLM's routes, Bedrock and
  Anthropic (a refusal, then an answer, from stand-in model APIs: tests/lambda_probe.py).
"""

from __future__ import annotations

import json
import platform
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT, load_script, render, run

pytestmark = pytest.mark.xdist_group("packaging")
LAYER_CACHE = ROOT / "build" / "layer-cache"
MB = 1024 * 1024
BUDGET = 160 * MB
LLM_STACK = {"agents", "litellm", "openai"}
ROLE_LAYERS = {"orchestrator": ["core"], "worker": ["core", "llm"], "api": ["core", "api"]}
HOST_ARCHITECTURE = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}
PROBE = Path(__file__).with_name("lambda_probe.py")
# The provider settings of each of LiteLLM's routes (the default project's is Bedrock).
ROUTES = {
    "bedrock": {},
    "anthropic": {
        "LLM_PROVIDER": "anthropic",
        "LLM_MODEL": "claude-sonnet-4-5",
        "ANTHROPIC_API_KEY": "test-key",
    },
}


@pytest.fixture(scope="module")
def packaged(tmp_path_factory):
    """The default project rendered for an architecture (None: its default) and packaged."""
    made: dict[str | None, tuple[Path, dict]] = {}

    def package(architecture: str | None = None) -> tuple[Path, dict]:
        if architecture not in made:
            data = {"lambda_architecture": architecture} if architecture else {}
            project = render(tmp_path_factory.mktemp("packaged") / "app", **data)
            env = {"LAMBDA_LAYER_CACHE": str(LAYER_CACHE)}
            run(["python3", "scripts/package.py"], cwd=project, env=env, timeout=1800)
            manifest = json.loads((project / "build" / "lambda" / "manifest.json").read_text())
            made[architecture] = project, manifest
        return made[architecture]

    return package


def top_level_folders(layer_zip: Path) -> set[str]:
    """The packages (and .dist-info folders) under the layer's python/ folder."""
    with zipfile.ZipFile(layer_zip) as archive:
        return {name.split("/")[1] for name in archive.namelist() if name.count("/") > 1}


def test_each_default_function_fits_160_mb_with_the_layers_of_its_role(packaged):
    project, manifest = packaged()
    tfvars = json.loads((project / "terraform" / "agents.auto.tfvars.json").read_text())
    out = project / "build" / "lambda"
    layers = manifest["layers"]

    assert set(manifest["functions"]) == {*tfvars["workers"], tfvars["orchestrator"]["name"], "api"}
    for name, function in manifest["functions"].items():
        assert function["layers"] == ROLE_LAYERS[function["role"]], name
        total = function["unzipped_bytes"] + sum(
            layers[layer]["unzipped_bytes"] for layer in function["layers"]
        )
        assert total <= BUDGET, f"{name} is {total / MB:.1f} MB with its layers"
        zips = [function["zip"], *(layers[layer]["zip"] for layer in function["layers"])]
        assert all((out / path).is_file() for path in zips)
        if function["role"] != "worker":
            for layer in function["layers"]:
                held = top_level_folders(out / layers[layer]["zip"]) & LLM_STACK
                assert not held, f"{name}'s layer {layer} holds {held}"
    roles = {function["role"] for function in manifest["functions"].values()}
    assert roles == set(ROLE_LAYERS)
    assert manifest["functions"][tfvars["orchestrator"]["name"]]["role"] == "orchestrator"
    assert top_level_folders(out / layers["llm"]["zip"]) >= LLM_STACK


def unzip_layers(out: Path, manifest: dict, names: list[str], into: Path) -> Path:
    """The layers extracted in order into one folder, as Lambda does into /opt."""
    if not into.exists():
        for name in names:
            with zipfile.ZipFile(out / manifest["layers"][name]["zip"]) as archive:
                archive.extractall(into)
    return into / "python"


def probe(python: str, task: Path, layers: Path, function: dict, env: dict, *job: str):
    done = run(
        [python, "-I", "-S", str(PROBE), str(task), str(layers), function["handler"], *job],
        cwd=task.parent,
        env={"PATH": "/usr/bin:/bin", "HOME": str(task.parent), **env},
        timeout=600,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # LiteLLM prints notes before


def plan_order(project: Path, workers: list[str]) -> list[str]:
    """The workers in the order the default example's plan reaches them (tests/scenarios.json)."""
    scenarios = json.loads((project / "tests" / "scenarios.json").read_text())
    steps = next(s for s in scenarios if s["name"] == "default")["expected"]["steps"]
    reached = [agent for step in steps for agent in step["agents"]]
    return reached + sorted(set(workers) - set(reached))


def test_each_handler_imports_from_only_its_code_and_stripped_layers(packaged, tmp_path):
    host = HOST_ARCHITECTURE[platform.machine().lower()]
    project, manifest = packaged()
    if manifest["architecture"] != host:
        project, manifest = packaged(host)
    out = project / "build" / "lambda"
    python = load_script(project, "package").runtime_python(
        manifest["runtime"].removeprefix("python")
    )
    example = next(iter(sorted((project / "examples").glob("*.json")))).read_text()
    env = {
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "JOB_STORE": "sqlite",
        "JOB_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/jobs",
    }
    unpacked = {}
    for name, function in manifest["functions"].items():
        layers = unzip_layers(
            out, manifest, function["layers"], tmp_path / "+".join(function["layers"])
        )
        task = tmp_path / name / "task"
        with zipfile.ZipFile(out / function["zip"]) as archive:
            archive.extractall(task)
        unpacked[name] = (
            task,
            layers,
            function,
            {
                **env,
                "AWS_LAMBDA_FUNCTION_NAME": name,  # a deployed function: the live model
                "SQLITE_PATH": str(task.parent / "jobs.db"),
            },
        )

        found = probe(python, *unpacked[name])

        loaded = set(found["loaded"]) & LLM_STACK
        if function["role"] == "worker":
            assert "litellm" in loaded, f"{name} does not load its model client in init"
        else:
            assert not loaded, f"{name} loads {loaded}"

    # The workers in plan order, each given the outputs of those before, until one calls its
    # model (a finance project's tagger needs none for the instruments it knows).
    workers = [
        name for name, function in manifest["functions"].items() if function["role"] == "worker"
    ]
    earlier: dict[str, dict] = {}
    for name in plan_order(project, workers):
        first, second = probe(python, *unpacked[name], example, json.dumps(earlier))["results"]
        if first["status"] == "ok":
            earlier[name] = first["output"]
            continue
        for route, provider in ROUTES.items():
            task, layers, function, worker_env = unpacked[name]
            refused, answered = probe(
                python,
                task,
                layers,
                function,
                {**worker_env, **provider},
                example,
                json.dumps(earlier),
            )["results"]
            assert refused["status"] == "error", route
            assert "the stand-in model API refuses this request" in refused["error"], refused
            assert answered["status"] == "ok", (route, answered)
            assert answered["output"] and answered["tokens"] == 18, route
        break
    else:
        pytest.fail(f"no worker called its model: {sorted(earlier)}")
