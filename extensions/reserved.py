"""Names the generated project already uses, derived from the template itself.

A name from agents.yaml that lands in generated code must not collide with the names around
it. Rather than keep lists that drift from the templates, these sets are read from them:

- :func:`module_names`: every name an agent module template binds or reads (imports, defs,
  classes, assignments, names used in bodies), found by parsing the template with ``ast``
  once its Jinja tags are stripped, plus Python's builtins.
- :func:`runtime_environment_names`: every environment variable the generated runtime reads
  (``os.environ`` / ``os.getenv`` / ``env_or_secret`` in ``src/``) or the generated Terraform
  sets on the functions, plus the ``<NAME>_SECRET`` variable of each secret it reads.
- :func:`top_level_modules`: the top-level modules a generated project can import: the
  standard library, the folders of the project itself, and the distributions installed by its
  dependencies (``installed_modules.txt``, refreshed by ``python -m extensions.reserved``
  from real installs of every dependency set; tests/test_render.py checks it against the
  environments the tests install).
"""

from __future__ import annotations

import ast
import builtins
import keyword
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from functools import cache
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent / "template"
INSTALLED_MODULES = Path(__file__).resolve().parent / "installed_modules.txt"
AGENT_FOLDER = (
    "src/{{ package_name }}/agents/{% yield agent from workers %}{{ agent.name }}{% endyield %}"
)
PLACEHOLDER = "__jinja_value__"

_JINJA_VALUE = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_JINJA_TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.DOTALL)
# Soft keywords as of the generated project's Python (3.12 added ``type``).
SOFT_KEYWORDS = frozenset(keyword.softkwlist) | {"_", "case", "match", "type"}


def strip_jinja(source: str) -> str:
    """Python source from a module template: values become a placeholder name, tags vanish.

    Both branches of a conditional stay, so the names found are those of every rendering.
    """
    return _JINJA_TAG.sub("", _JINJA_VALUE.sub(PLACEHOLDER, source))


def _function_locals(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    arguments = function.args
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    every += [argument for argument in (arguments.vararg, arguments.kwarg) if argument]
    stored = {
        node.id
        for node in ast.walk(function)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    }
    return {argument.arg for argument in every} | stored


def python_names(source: str) -> frozenset[str]:
    """The global names of a module: what it binds, and what its code reads from that scope.

    Imports, defs, classes and assignments at module level, and every name read anywhere
    that is not a local (parameter or assignment) of the function reading it.
    """
    tree = ast.parse(source)
    found: set[str] = set()
    scopes: dict[ast.AST, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            scopes.update({inner: _function_locals(node) for inner in ast.walk(node)})
            scopes[node] = set()  # its name and decorators belong to the enclosing scope
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in scopes.get(node, set()):
            found.add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            found.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.add(node.name)
    found.discard(PLACEHOLDER)
    return frozenset(found)


@cache
def module_names(*files: str) -> frozenset[str]:
    """Names of the agent module templates ``files`` (``agent.py``...), and the builtins."""
    found: set[str] = set(dir(builtins))
    for name in files:
        # tools.py is only rendered for an agent with tools: its file name holds the condition.
        path = next((TEMPLATE / AGENT_FOLDER).glob(f"*{name}*.jinja"))
        found |= python_names(strip_jinja(path.read_text()))
    return frozenset(found)


@cache
def generated_test_modules() -> frozenset[str]:
    """The module names of the generated top-level tests (``tests/test_*.py``, any rendering).

    An agent's own tests are ``tests/agents/test_<name>.py``; pytest refuses two test modules
    of the same name, so an agent may not be named after one of these.
    """
    return frozenset(
        name
        for path in (TEMPLATE / "tests").iterdir()
        for name in re.findall(r"(test_\w+)\.py", path.name)
    )


def tool_reserved_names() -> frozenset[str]:
    """Names a tool cannot take: it is defined in tools.py and imported into agent.py."""
    return module_names("tools.py", "agent.py")


def schema_reserved_names() -> frozenset[str]:
    """Names an output schema cannot take: it is defined in schemas.py, imported in agent.py."""
    return module_names("schemas.py", "agent.py")


# A literal name read from the environment: os.environ[...] / .get / .setdefault / .pop,
# os.getenv, or env_or_secret (runtime/secrets.py: the name, or the secret <NAME>_SECRET names).
_ENVIRONMENT_READ = re.compile(
    r"""\b(environ(?:\.get|\.setdefault|\.pop)?\s*[\[(]|getenv\(|env_or_secret\()\s*"""
    r"""["']([A-Z][A-Z0-9_]*)["']"""
)
# deployed_settings("who", "NAME", ...) (runtime/settings.py) reads each NAME it is given.
_DEPLOYED_SETTINGS = re.compile(r"\bdeployed_settings\(([^)]*)\)")
_QUOTED_NAME = re.compile(r"""["']([A-Z][A-Z0-9_]*)["']""")
_TERRAFORM_VARIABLE = re.compile(r"\b([A-Z][A-Z0-9_]+)\s*=(?!=)")


@cache
def runtime_environment_names() -> frozenset[str]:
    """Environment variables the generated runtime reads or its Terraform sets."""
    found: set[str] = set()
    for path in (TEMPLATE / "src").rglob("*"):
        if path.is_file() and ".py" in path.name:
            for function, name in _ENVIRONMENT_READ.findall(path.read_text()):
                found.add(name)
                if function.startswith("env_or_secret"):
                    found.add(f"{name}_SECRET")
            for arguments in _DEPLOYED_SETTINGS.findall(path.read_text()):
                found.update(_QUOTED_NAME.findall(arguments))
    for path in (TEMPLATE / "terraform").rglob("*"):
        if path.is_file() and ".tf" in path.name:
            found.update(_TERRAFORM_VARIABLE.findall(path.read_text()))
    return frozenset(found)


@cache
def top_level_modules() -> frozenset[str]:
    """Top-level modules a generated project can import besides its own package."""
    installed = {
        line.strip()
        for line in INSTALLED_MODULES.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    project_folders = {
        path.name
        for path in TEMPLATE.iterdir()
        if path.is_dir() and any(path.rglob("*.py*")) and path.name.isidentifier()
    }
    # sys.stdlib_module_names leaves out the test suite (``test``): list the stdlib folder too.
    stdlib = {module.name for module in pkgutil.iter_modules([sysconfig.get_paths()["stdlib"]])}
    return frozenset(sys.stdlib_module_names) | stdlib | installed | project_folders


# ---------------------------------------------------------------------------------------------
# Refreshing installed_modules.txt: python -m extensions.reserved

# Answers that, together, install every dependency a generated project can have.
DEPENDENCY_SETS = (
    {"llm_provider": "bedrock", "database": "rds-postgres", "observability": "langfuse"},
    {"llm_provider": "openai", "database": "dynamodb", "observability": "logfire"},
    {"llm_provider": "anthropic", "database": "aurora-serverless-v2"},
)
LIST_MODULES = (
    "import importlib.metadata as m; "
    "print('\\n'.join(name for name in m.packages_distributions() if name.isidentifier()))"
)


def installed_in(python: Path, package: str) -> set[str]:
    """Top-level modules of the distributions installed for ``python`` (not the project's)."""
    done = subprocess.run(
        [str(python), "-c", LIST_MODULES], capture_output=True, text=True, check=True
    )
    return {name for name in done.stdout.split() if name != package}


def refresh() -> None:
    """Render every dependency set, install it, and write what it installs."""
    from copier import run_copy  # the template's tooling, not needed to validate a spec

    found: set[str] = set()
    uv = shutil.which("uv") or "uv"
    environment = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    with tempfile.TemporaryDirectory() as folder:
        for index, answers in enumerate(DEPENDENCY_SETS):
            project = Path(folder, f"app{index}")
            run_copy(
                str(TEMPLATE.parent), project, data=answers, defaults=True, unsafe=True,
                quiet=True, vcs_ref="HEAD",
            )  # fmt: skip
            subprocess.run([uv, "sync", "--quiet"], cwd=project, env=environment, check=True)
            found |= installed_in(project / ".venv" / "bin" / "python", "agents_app")
    header = (
        "# Top-level modules installed in generated projects (every dependency set, dev\n"
        "# dependencies included). Refresh: uv run python -m extensions.reserved\n"
    )
    INSTALLED_MODULES.write_text(header + "".join(f"{name}\n" for name in sorted(found)))
    print(f"{INSTALLED_MODULES}: {len(found)} modules")


if __name__ == "__main__":
    refresh()
