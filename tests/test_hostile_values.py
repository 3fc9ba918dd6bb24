"""Arbitrary text in every free-text answer and spec field: refused, or rendered harmlessly.

Each example puts one text in the one-line answers (project name, description, JWT audience)
and another in the spec's text (agent and input descriptions, enum, default and example
values), and a model id in the fallback model. Copier either refuses with its one-line
messages and writes nothing, or renders a project that, compared with a render of plain
values:

- has the same files; every ``.py`` parses to the same tree once string constants are
  blanked (the text is only ever inside strings and comments), and the text is in them;
- pyproject.toml, agents.yaml, the answers file and the JSON files load, with the text;
- the Makefile defines the same variables and targets (``make -pn``);
- the README's tables keep their columns and its title is the text;
- the Terraform parses, and ruff is clean.

Renders take seconds, so the examples are few; tests/test_escape.py runs many more through
each filter alone. One fixed example of every metacharacter also goes through
``terraform fmt -check`` and ``terraform validate``.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml
from copier import run_copy
from copier.errors import UserMessageError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from extensions.escape import one_line
from extensions.values import data_problem, model_problem, text_problem

from .conftest import ROOT, run
from .terraform_tools import terraform_environment, terraform_init

PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
METACHARACTERS = [
    '"',
    "'",
    '"""',
    "\\",
    "{{ 7 * 7 }}",
    "{% raw %}",
    "{#",
    "$(shell touch pwned)",
    "$$",
    '${file("/etc/passwd")}',
    "%{ if true }",
    "# ",
    "= 1\n[x]",
    "|",
    "`",
    "**",
    "<script>",
    "&amp;",
    "-->",
    "é",
    "😀",
    "\u00a0",
]
CONTROL = ["\n", "\r\n", "\t", "\x00", "\x1b[31m", "\x7f", "\x85", "\u2028", "\u202e", "\\\n"]
printable_text = st.lists(
    st.one_of(st.sampled_from(METACHARACTERS), st.text(PRINTABLE, max_size=6)),
    min_size=1,
    max_size=8,
).map("".join)
any_text = st.lists(
    st.one_of(st.sampled_from(METACHARACTERS + CONTROL), st.text(max_size=6)), max_size=8
).map("".join)


def mostly(common: st.SearchStrategy, rare: st.SearchStrategy) -> st.SearchStrategy:
    """``common`` four times in five, so that most examples render and some are refused."""
    return st.integers(0, 4).flatmap(lambda n: rare if n == 0 else common)


hostile = mostly(printable_text, any_text)
models = mostly(
    st.sampled_from(["", "us.amazon.nova-lite-v1:0", "bedrock/amazon.nova-pro-v1:0"]),
    st.one_of(
        st.sampled_from(["*", "us.*", 'x"; import os; "', "a b", "amazon.nova\n"]),
        st.text(max_size=12),
    ),
)

SLUG = "hostile-app"
PACKAGE = "hostile_app"
PLAIN = ("Plain Name", "Plain text", "")
MARKDOWN = MarkdownIt("commonmark").enable("table")
RUFF = [sys.executable, "-m", "ruff"]


def spec(name_text: str, spec_text: str, model: str, planner: bool) -> dict[str, Any]:
    """Answers and a spec with ``name_text`` and ``spec_text`` in every free-text field."""
    inputs = {
        "kind": {
            "type": "str",
            "enum": ["plain", "other", spec_text],
            "required": True,
            "description": spec_text,
        },
        "note": {"type": "str", "default": spec_text, "example": spec_text},
        "tags": {"type": "list", "default": [spec_text, {"k": spec_text}]},
    }
    agents: dict[str, Any] = {
        "reader": {
            "description": spec_text,
            "capabilities": {"tools": ["look_up"]},
            "outputs": {"schema": {"summary": "str"}},
        },
        "writer": {"description": spec_text, "optional": True},
    }
    if planner:
        agents["lead"] = {
            "type": "orchestrator",
            "description": spec_text,
            "capabilities": {"tools": ["invoke_reader", "invoke_writer"]},
        }
        orchestration: dict[str, Any] = {"strategy": "planner"}
    else:
        orchestration = {
            "strategy": "dynamic",
            "selection_rules": [
                {
                    "name": "main",
                    "condition": "input.kind == 'plain'",
                    "agents": ["reader"],
                    "else": ["writer"],
                }
            ],
        }
    return {
        "project_name": name_text,
        "project_slug": SLUG,
        "description": name_text,
        "jwt_audience": name_text,
        "llm_fallback_model": model,
        "database": "dynamodb",
        "inputs": inputs,
        "agents": agents,
        "orchestration": orchestration,
    }


def expected_problems(name_text: str, spec_text: str, model: str) -> list[str]:
    """Why validation must refuse these values (empty when it must accept them)."""
    problems = [text_problem(name_text), data_problem(spec_text)]
    if not name_text or len(name_text) > 80:
        problems.append("project_name length")
    if model:
        problems.append(model_problem(model, "bedrock"))
    return [problem for problem in problems if problem]


def render(destination: Path, data: dict[str, Any]) -> None:
    run_copy(
        str(ROOT), destination, data=data, defaults=True, unsafe=True, quiet=True, vcs_ref="HEAD"
    )


# ---------------------------------------------------------------------------------------------
# What a render is made of


def python_shape(source: str) -> str:
    """The tree of a module with every string constant blanked."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = "S"
    return ast.dump(tree)


def strings(source: str) -> list[str]:
    return [
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def make_database(project: Path) -> tuple[set[str], set[str]]:
    """(variables, targets) the Makefile defines, from ``make -pn``'s database."""
    done = subprocess.run(
        ["make", "-pn", "help"], cwd=project, capture_output=True, text=True, timeout=60
    )
    lines = done.stdout.splitlines()
    variables, targets = set(), set()
    for previous, line in zip(["", *lines], lines, strict=False):
        if previous.startswith("# makefile (from 'Makefile'"):
            variables.add(re.split(r"\s*[:?+]?=", line, maxsplit=1)[0])
        match = re.match(r"^([^#\s][^:=]*):(?!=)", line)
        if match and previous != "# Not a target:":
            targets.add(match.group(1))
    return variables, targets


def table_shapes(markdown: str) -> list[list[int]]:
    """For each table of a Markdown document, the number of cells of each row."""
    shapes, rows, cells = [], [], 0
    for token in MARKDOWN.parse(markdown):
        if token.type == "table_open":
            rows = []
        elif token.type == "tr_close":
            rows.append(cells)
            cells = 0
        elif token.type in ("th_open", "td_open"):
            cells += 1
        elif token.type == "table_close":
            shapes.append(rows)
    return shapes


def snapshot(project: Path) -> dict[str, Any]:
    files = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())
    return {
        "files": files,
        "python": {
            name: python_shape((project / name).read_text())
            for name in files
            if name.endswith(".py")
        },
        "make": make_database(project),
        "tables": table_shapes((project / "README.md").read_text()),
    }


@pytest.fixture(scope="module")
def baselines(tmp_path_factory) -> dict[bool, dict[str, Any]]:
    """The render of plain values, with rules and with the planner."""
    found = {}
    for planner in (False, True):
        project = tmp_path_factory.mktemp("plain") / "app"
        render(project, spec(*PLAIN, planner))
        found[planner] = snapshot(project)
    return found


def check_project(project: Path, data: dict[str, Any], baseline: dict[str, Any]) -> None:
    name_text, spec_text = data["project_name"], data["agents"]["reader"]["description"]
    shot = snapshot(project)
    assert shot["files"] == baseline["files"]
    for name, shape in baseline["python"].items():
        assert shot["python"][name] == shape, f"{name}: the text changed the code"
    assert shot["make"] == baseline["make"]
    assert shot["tables"] == baseline["tables"]
    for rows in table_shapes((project / "README.md").read_text()):
        assert len(set(rows)) == 1, "a row of a README table has extra or missing cells"

    package = project / "src" / PACKAGE
    docstring = ast.get_docstring(ast.parse((package / "__init__.py").read_text()), clean=False)
    assert " ".join(docstring.split()) == " ".join(f"{name_text}: {name_text}".split())
    agent_doc = (package / "agents" / "reader" / "__init__.py").read_text()
    assert " ".join(spec_text.split()) in " ".join(
        ast.get_docstring(ast.parse(agent_doc), clean=False).split()
    )
    prompts = (package / "agents" / "reader" / "prompts.py").read_text()
    assert " ".join(spec_text.split()) in " ".join(" ".join(strings(prompts)).split())
    inputs = strings((package / "inputs.py").read_text())
    assert inputs.count(spec_text) >= 4  # an enum value, a description, two defaults
    assert name_text in strings((package / "config.py").read_text())  # the JWT audience

    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["description"] == name_text
    written = yaml.safe_load((project / "agents.yaml").read_text())
    assert {key: written[key] for key in ("inputs", "agents", "orchestration")} == {
        key: data[key] for key in ("inputs", "agents", "orchestration")
    }
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["project_name"] == name_text and answers["agents"] == data["agents"]
    for path in [*project.glob("examples/*.json"), project / "tests" / "scenarios.json"]:
        json.loads(path.read_text())
    for agent in ("reader", "writer"):  # the starter evals load, their input is an example
        (case,) = yaml.safe_load((project / "evals" / f"{agent}.yaml").read_text())["cases"]
        assert (project / case["input"]).is_file()
    title = MARKDOWN.parse((project / "README.md").read_text())[1].children
    assert "".join(token.content for token in title) == one_line(name_text)

    for path in (project / "terraform").rglob("*.tf"):
        hcl2.loads(path.read_text())
    run([*RUFF, "check", "--no-cache", "."], cwd=project)
    run([*RUFF, "format", "--check", "--no-cache", "."], cwd=project)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name_text=hostile, spec_text=hostile, model=models, planner=st.booleans())
def test_hostile_text_is_refused_or_stays_text(
    name_text, spec_text, model, planner, baselines, tmp_path_factory
):
    data = spec(name_text, spec_text, model, planner)
    project = tmp_path_factory.mktemp("hostile") / "app"
    expected = expected_problems(name_text, spec_text, model)
    try:
        render(project, data)
    except UserMessageError as error:
        message = str(error).splitlines()
        assert message[0].startswith("agents.yaml or the answers are invalid")
        assert all(line.startswith("  - ") for line in message[1:])
        assert not project.exists()
        assert expected, f"refused plain text: {message}"
        event("refused")
        return
    assert not expected, f"accepted {expected}"
    event("rendered")
    check_project(project, data, baselines[planner])


def test_every_metacharacter_at_once_passes_terraform(baselines, tmp_path):
    """The printable metacharacters in one render: also terraform fmt -check and validate."""
    name_text = "".join(METACHARACTERS).replace("\n", " ")[:80]  # the longest name
    spec_text = "".join(METACHARACTERS) + "\n\tsecond line"
    data = spec(name_text, spec_text, "us.amazon.nova-lite-v1:0", False)
    project = tmp_path / "app"
    render(project, data)
    check_project(project, data, baselines[False])

    env = terraform_environment()
    folder = project / "terraform"
    run(["terraform", "fmt", "-check", "-recursive"], cwd=folder, env=env)
    terraform_init(folder, env)
    run(["terraform", "validate"], cwd=folder, env=env)
    # The audience's literal in api.tf, as Terraform reads it (a config of its own, no backend).
    api = (folder / "api.tf").read_text()
    literal = re.search(r'variable "jwt_audience" \{.*?default\s+= (".*?")\n', api, re.S).group(1)
    check = tmp_path / "literal"
    check.mkdir()
    (check / "main.tf").write_text(f'output "audience" {{\n  value = {literal}\n}}\n')
    run(["terraform", "apply", "-auto-approve", "-input=false"], cwd=check, env=env)
    done = run(["terraform", "output", "-json", "audience"], cwd=check, env=env)
    assert json.loads(done.stdout) == name_text


def test_the_api_cannot_be_deployed_without_an_https_issuer(tmp_path):
    """jwt_issuer has no default: Terraform's plan refuses it empty, naming it."""
    project = tmp_path / "app"
    render(project, {"project_slug": SLUG, "database": "dynamodb"})
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["jwt_issuer"] == ""
    # The variable as the project declares it, planned on its own (no provider, no backend).
    api = (project / "terraform" / "api.tf").read_text()
    block = re.search(r'variable "jwt_issuer" \{.*?\n\}\n', api, re.S).group(0)
    folder = tmp_path / "issuer"
    folder.mkdir()
    (folder / "main.tf").write_text(block)
    env = terraform_environment()
    for issuer, accepted in [
        (None, False),
        ("http://localhost:9000/", False),
        ("https://issuer.example.com/", True),
    ]:
        arguments = [] if issuer is None else [f"-var=jwt_issuer={issuer}"]
        done = subprocess.run(
            ["terraform", "plan", "-input=false", "-no-color", *arguments],
            cwd=folder,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert (done.returncode == 0) == accepted, done.stderr
        if not accepted:
            assert "The API needs jwt_issuer" in " ".join(done.stderr.split())


def test_a_copy_refuses_a_yes_or_no_answer_it_would_guess(tmp_path):
    project = tmp_path / "app"
    with pytest.raises(UserMessageError) as refused:
        render(project, {"project_slug": SLUG, "api": "maybe"})
    assert str(refused.value).splitlines()[1:] == [
        "  - api: 'maybe' is not yes or no (true/false, on/off, 1/0)"
    ]
    assert not project.exists()
