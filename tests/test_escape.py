"""The escaping filters on arbitrary text, each checked by a parser of its target syntax.

Each filter must give back the text (as that syntax reads it) and nothing else, whatever the
text holds: quotes, backslashes, line breaks, NUL and other control characters, Jinja, Make,
HCL and TOML metacharacters, any Unicode.
"""

from __future__ import annotations

import ast
import io
import json
import re
import subprocess
import sys
import tokenize
import tomllib
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from extensions.escape import (
    as_yaml,
    hcl_string,
    make_comment,
    md_cell,
    md_code,
    md_text,
    mermaid_label,
    one_line,
    py_assign,
    py_block,
    py_comment,
    pyrepr,
    pytext,
    to_pretty_json,
    toml_string,
    yaml_comment,
)

from .conftest import run
from .terraform_tools import terraform_environment

# Pieces that mean something in one of the target syntaxes.
METACHARACTERS = [
    '"',
    "'",
    '"""',
    "\\",
    "\\n",
    "\n",
    "\r\n",
    "\t",
    "\x00",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\u2028",
    "\u202e",
    "\ufeff",
    "{{ 7 * 7 }}",
    "{% if true %}",
    "{#",
    "$(shell id)",
    "$$",
    "\\\n",
    '${file("x")}',
    "%{ if true }",
    "# ",
    "[x]",
    "= 1\n[table]\nk = ",
    "|",
    "`",
    "**",
    "<script>",
    "&amp;",
    "-->",
    "é",
    "😀",
    "🇫🇷",
]
text = st.lists(st.one_of(st.sampled_from(METACHARACTERS), st.text(max_size=8)), max_size=12).map(
    "".join
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=12,
)  # fmt: skip
RUFF = [sys.executable, "-m", "ruff"]
MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def normalized(value: str) -> str:
    """Text as the one-line targets keep it: whitespace runs become one space."""
    return " ".join(value.split())


# ---------------------------------------------------------------------------------------------
# Python


@given(json_values)
def test_pyrepr_is_the_same_value(value):
    assert ast.literal_eval(pyrepr(value)) == value


@given(text)
def test_pyrepr_of_text_is_one_string_constant(value):
    tree = ast.parse(f"X = {pyrepr(value)}\n")
    (assign,) = tree.body
    assert isinstance(assign.value, ast.Constant) and assign.value.value == value


def ruff_reformats(sources: list[str], folder: Path) -> list[str]:
    """The sources that ``ruff format`` would change (one ruff run for all of them)."""
    for index, source in enumerate(sources):
        (folder / f"m{index}.py").write_text(source)
    done = subprocess.run(
        [*RUFF, "format", "--check", "--no-cache", "--line-length", "100", "."],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert done.returncode in (0, 1), done.stderr
    return [sources[int(name)] for name in re.findall(r"m(\d+)\.py", done.stdout)]


SLOW = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SLOW
@given(values=st.lists(json_values, min_size=1, max_size=8))
def test_py_block_is_the_same_value_and_formatted(values, tmp_path_factory):
    sources = [f"X = {py_block(value)}\nY = [\n    {py_block(value, 4)},\n]\n" for value in values]
    for source, value in zip(sources, values, strict=True):
        namespace: dict = {}
        exec(compile(source, "x.py", "exec"), namespace)  # literals only: safe to run
        assert namespace["X"] == value and namespace["Y"] == [value]
    assert ruff_reformats(sources, tmp_path_factory.mktemp("ruff")) == []


@SLOW
@given(values=st.lists(text, min_size=1, max_size=8))
def test_pytext_is_the_text_of_its_string_and_formatted(values, tmp_path_factory):
    """As the templates use it: a module docstring, and a string after some words."""
    sources = []
    for value in values:
        docstring = f'"""{pytext(value, 97, 3)}"""\n'
        assigned = f'TEXT = """\\\nYou are the agent. {pytext(value, 100, 19)}\nMore.\n"""\n'
        module = ast.parse(docstring)
        assert normalized(ast.get_docstring(module, clean=False)) == normalized(value)
        constant = ast.parse(assigned).body[0].value.value
        assert normalized(constant) == normalized(f"You are the agent. {value} More.")
        words = pytext(value).split()
        assert all(len(line) <= 100 or " " not in line for line in docstring.splitlines())
        assert len(words) == len(value.split())
        sources += [docstring, assigned]
    assert ruff_reformats(sources, tmp_path_factory.mktemp("ruff")) == []


@SLOW
@given(values=st.lists(text, min_size=1, max_size=12))
def test_py_assign_is_the_value_and_formatted(values, tmp_path_factory):
    sources = [f"{py_assign(value, 'JWT_AUDIENCE')}\n" for value in values]
    for source, value in zip(sources, values, strict=True):
        assert ast.literal_eval(ast.parse(source).body[0].value) == value
    assert ruff_reformats(sources, tmp_path_factory.mktemp("ruff")) == []


@pytest.mark.parametrize("length", [80, 83, 84, 94, 95, 150])
def test_py_assign_wraps_as_ruff_does(length):
    line = py_assign("a" * length, "JWT_AUDIENCE")
    assert ("(" in line) == (84 <= length <= 94)


@given(text)
def test_py_comment_stays_a_comment(value):
    source = f"X = 1  # {py_comment(value)}\nY = 2\n"
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    comments = [token.string for token in tokens if token.type == tokenize.COMMENT]
    assert comments == [f"# {one_line(value)}".rstrip()] or comments == [f"# {one_line(value)}"]
    assert [type(node).__name__ for node in ast.parse(source).body] == ["Assign", "Assign"]


# ---------------------------------------------------------------------------------------------
# TOML, YAML, JSON, Make


@given(text)
def test_toml_string(value):
    assert tomllib.loads(f"description = {toml_string(value)}\nname = 'x'\n") == {
        "description": value,
        "name": "x",
    }


@given(text)
def test_yaml_comment(value):
    assert yaml.safe_load(f"# The agents of {yaml_comment(value)} and\nagents: 1\n") == {
        "agents": 1
    }


@given(json_values)
def test_as_yaml_and_json(value):
    assert yaml.safe_load(as_yaml({"key": value})) == {"key": value}
    assert json.loads(to_pretty_json(value)) == value


@settings(max_examples=50, deadline=None)
@given(value=text)
def test_make_comment_changes_nothing(value, tmp_path_factory):
    folder = tmp_path_factory.mktemp("make")
    makefile = folder / "Makefile"
    makefile.write_text(f"# {make_comment(value)}: more\nX := plain\nshow:\n\t@echo $(X)\n")
    done = subprocess.run(
        ["make", "-s", "-f", str(makefile), "show"], capture_output=True, text=True, cwd=folder
    )
    assert (done.returncode, done.stdout) == (0, "plain\n")


# ---------------------------------------------------------------------------------------------
# HCL: Terraform itself reads a batch of strings (no provider, no network)


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(values=st.lists(text, min_size=30, max_size=30))
def test_hcl_string_is_read_back_by_terraform(values, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hcl")
    items = ",\n".join(f"    {hcl_string(value)}" for value in values)
    (folder / "main.tf").write_text(f'output "values" {{\n  value = [\n{items}\n  ]\n}}\n')
    env = terraform_environment()
    run(["terraform", "fmt", "-check"], cwd=folder, env=env)
    run(["terraform", "apply", "-auto-approve", "-input=false"], cwd=folder, env=env)
    done = run(["terraform", "output", "-json", "values"], cwd=folder, env=env)
    assert json.loads(done.stdout) == values


# ---------------------------------------------------------------------------------------------
# Markdown (CommonMark with GitHub's tables and strikethrough) and Mermaid


def _inline_text(tokens) -> tuple[str, set[str]]:
    kinds = {token.type for token in tokens}
    return "".join(token.content for token in tokens), kinds


@given(text)
def test_md_text_is_plain_text_in_a_heading_and_a_paragraph(value):
    for source, opening in ((f"# {md_text(value)}\n", "heading_open"), (md_text(value), None)):
        tokens = MARKDOWN.parse(source)
        if not one_line(value):
            continue
        assert tokens[0].type == (opening or "paragraph_open")
        content, kinds = _inline_text(tokens[1].children)
        assert kinds <= {"text"}
        assert content == one_line(value)


@given(st.one_of(text, json_values), st.booleans())
def test_md_cell_is_one_cell(value, as_json):
    cell = md_cell(value, json=as_json)
    tokens = MARKDOWN.parse(f"| a | b |\n| --- | --- |\n| {cell} | x |\n")
    cells = [i for i, token in enumerate(tokens) if token.type == "td_open"]
    assert len(cells) == 2
    content, kinds = _inline_text(tokens[cells[0] + 1].children)
    expected = (
        value if isinstance(value, str) and not as_json else json.dumps(value, ensure_ascii=False)
    )
    assert kinds <= {"text"}
    assert content == one_line(expected)


@given(text)
def test_md_code_is_one_code_span(value):
    if not one_line(value):
        return
    (paragraph, inline, _) = MARKDOWN.parse(f"see {md_code(value)} here")
    spans = [token for token in inline.children if token.type == "code_inline"]
    assert len(spans) == 1 and spans[0].content == one_line(value)


MERMAID_ENTITY = re.compile(r"#(quot|lt|gt|amp|\d+);")
ENTITY_CHARACTERS = {"quot": '"', "lt": "<", "gt": ">", "amp": "&"}


@given(text)
def test_mermaid_label_cannot_close_its_quotes(value):
    label = mermaid_label(value)
    bare = MERMAID_ENTITY.sub("", label)
    assert not set(bare) & set('"<>&#[]{}|`\n\r')
    decoded = MERMAID_ENTITY.sub(
        lambda m: ENTITY_CHARACTERS.get(m.group(1)) or chr(int(m.group(1))), label
    )
    assert decoded == one_line(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Finance", "Finance"),
        ("a | b", "a \\| b"),
        ("- list", "\\- list"),
        ("1. first", "1\\. first"),
        ("# C# tips", "\\# C\\# tips"),
        ("x\n\ny", "x y"),
        ("nul\x00", "nul\\\\x00"),
    ],
)
def test_md_text_examples(value, expected):
    assert md_text(value) == expected


def test_the_filters_are_the_ones_the_templates_get():
    from extensions import escape

    assert set(escape.FILTERS) >= {
        "pyrepr",
        "py_block",
        "pytext",
        "py_comment",
        "toml_string",
        "as_yaml",
        "yaml_comment",
        "make_comment",
        "hcl_string",
        "to_pretty_json",
        "md_text",
        "md_cell",
        "md_code",
        "mermaid_label",
    }
    assert Path(escape.__file__).name == "escape.py"
