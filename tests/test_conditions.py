"""The condition language: checking, compiling, input inference and the runtime helpers."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT)) if str(ROOT) not in sys.path else None

from extensions.conditions import (  # noqa: E402
    ConditionError,
    check_condition,
    compile_condition,
    helpers_used,
    input_references,
    parse_condition,
    quote,
)
from extensions.oracle import condition_holds  # noqa: E402

RUNTIME = ROOT / "template" / "src" / "{{ package_name }}" / "runtime"


@dataclass(frozen=True)
class Info:
    type: str


INPUTS = {
    "data_type": Info("str"),
    "row_count": Info("int"),
    "ratio": Info("float"),
    "flag": Info("bool"),
    "items": Info("list"),
    "customer": Info("dict"),
}
AGENTS: dict[str, frozenset[str] | None] = {
    "cleaner": frozenset({"rows", "score"}),
    "analyzer": frozenset({"confidence", "details"}),
    "free": None,
}


def check(text: str, prev: frozenset[str] = frozenset({"analyzer", "free"})) -> list[str]:
    return check_condition(text, inputs=INPUTS, agents=AGENTS, prev_step_agents=prev)


# ---------------------------------------------------------------------------------------------
# Accepted conditions and what they compile to


@pytest.mark.parametrize(
    ("text", "compiled"),
    [
        ("always", "True"),
        ("  always \n", "True"),
        (
            "input.data_type == 'financial' and input.row_count > 0",
            'eq(run.input("data_type"), "financial") and gt(run.input("row_count"), 0)',
        ),
        ("results.cleaner.score >= 0.5", 'ge(run.result("cleaner", "score"), 0.5)'),
        (
            "prev_step.analyzer.details.y[0] != 3",
            'ne(run.prev_step("analyzer", "details", "y", 0), 3)',
        ),
        ("input.items[-1] <= -2.5", 'le(run.input("items", -1), -2.5)'),
        ("input.customer['tier'] < 'b'", 'lt(run.input("customer", "tier"), "b")'),
        ("input.flag", 'truthy(run.input("flag"))'),
        ("not input.flag", 'not truthy(run.input("flag"))'),
        ("not not input.flag", 'truthy(run.input("flag"))'),
        (
            "0 < input.row_count < 5",
            'lt(0, run.input("row_count")) and lt(run.input("row_count"), 5)',
        ),
        (
            "input.flag or 0 < input.row_count < 5",
            'truthy(run.input("flag")) or (lt(0, run.input("row_count")) '
            'and lt(run.input("row_count"), 5))',
        ),
        (
            "not (0 < input.row_count < 5)",
            'not (lt(0, run.input("row_count")) and lt(run.input("row_count"), 5))',
        ),
        (
            "not (input.flag or results.free.x)",
            'not (truthy(run.input("flag")) or truthy(run.result("free", "x")))',
        ),
        (
            "input.flag and (results.free.a and results.free.b)",
            'truthy(run.input("flag")) and truthy(run.result("free", "a")) '
            'and truthy(run.result("free", "b"))',
        ),
        (
            "input.data_type in ['a', \"b\"] and 'x' not in input.items",
            'is_in(run.input("data_type"), ["a", "b"]) and not_in("x", run.input("items"))',
        ),
        ("input.data_type in ('a', 1)", 'is_in(run.input("data_type"), ["a", 1])'),
        (
            "input.flag == true or input.flag == False or input.ratio != null",
            'eq(run.input("flag"), True) or eq(run.input("flag"), False) '
            'or ne(run.input("ratio"), None)',
        ),
        ("input.ratio == 1e16", 'eq(run.input("ratio"), 1e16)'),
        ("input.items == [[1], []]", 'eq(run.input("items"), [[1], []])'),
        (
            "input.data_type == results.free.kind",
            'eq(run.input("data_type"), run.result("free", "kind"))',
        ),
        ("input.data_type ==\n  'multi line'", 'eq(run.input("data_type"), "multi line")'),
        ("input.data_type == 'it\\'s'", 'eq(run.input("data_type"), "it\'s")'),
        ("input.data_type == 'say \"hi\"'", 'eq(run.input("data_type"), \'say "hi"\')'),
        ("input.data_type == 'é\\n'", 'eq(run.input("data_type"), "é\\n")'),
        ("(input.flag)", 'truthy(run.input("flag"))'),
    ],
)
def test_accepted_conditions_compile(text: str, compiled: str) -> None:
    assert check(text) == []
    assert compile_condition(text) == compiled
    compile(compiled, "<condition>", "eval")  # valid Python


def test_helpers_used() -> None:
    assert helpers_used("always") == set()
    assert helpers_used("input.flag or 0 < input.row_count <= 5") == {"truthy", "lt", "le"}
    assert helpers_used("input.a in [1] and input.b not in [2]") == {"is_in", "not_in"}


def test_quote_matches_python_literals() -> None:
    for value in ["", "plain", "it's", 'say "hi"', 'both \' and ""', "\\", "\x00\n\t", "é☃"]:
        assert eval(quote(value)) == value  # noqa: S307 - checking a literal in a test
    assert quote("plain") == '"plain"'


def test_no_previous_step() -> None:
    [problem] = check("prev_step.analyzer.confidence < 0.7", prev=frozenset())
    assert problem.startswith("column 1: ")
    assert "no previous step" in problem
    assert "results.analyzer" in problem


def test_prev_step_agent_not_in_previous_step() -> None:
    [problem] = check("prev_step.cleaner.score < 0.7", prev=frozenset({"analyzer", "free"}))
    assert problem.startswith("column 1: ")
    assert "analyzer, free" in problem
    assert "results.cleaner" in problem


# ---------------------------------------------------------------------------------------------
# Rejections


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("", 1, "empty"),
        ("   ", 1, "empty"),
        ("input.nope == 1", 7, "'nope' is not a declared input"),
        ("results.ghost.x == 1", 9, "'ghost' is not a defined worker"),
        ("results.cleaner.nope == 1", 17, "declares no output field 'nope'"),
        ("prev_step.analyzer.nope", 20, "declares no output field 'nope'"),
        ("results.free == 1", 1, "results.<agent>.<field>"),
        ("input", 1, "input.<field>"),
        ("input['data_type'] == 1", 1, "input.<field>"),
        ("foo == 1", 1, "unknown name 'foo'"),
        ("input.flag and bar", 16, "unknown name 'bar'"),
        ("input.flag and always", 16, "`always` must be the whole condition"),
        ("true", 1, "a literal alone is not a condition"),
        ("input.row_count is None", 1, "`is` is not allowed: use =="),
        ("input.row_count is not None", 1, "use !="),
        ("input.row_count + 1 > 2", 1, "arithmetic (+)"),
        ("-input.row_count > 2", 1, "arithmetic (unary -)"),
        ("input.row_count > --1", 19, "arithmetic (unary -)"),
        ("input.row_count > ~1", 19, "arithmetic (~)"),
        ("input.f()", 1, "function calls are not allowed"),
        ("input.flag and len(input.items) > 1", 16, "function calls are not allowed"),
        ("__import__('os')", 1, "function calls are not allowed"),
        ("().__class__", 1, "attribute names starting with _ are not allowed (__class__)"),
        (
            "input.data_type.__class__",
            17,
            "attribute names starting with _ are not allowed (__class__)",
        ),
        ("input._private == 1", 7, "attribute names starting with _"),
        ("(x := 1)", 2, "assignment expressions (:=)"),
        ("*input.items", 1, "starred expressions (*)"),
        ("input.items == [*input.items]", 17, "starred expressions (*)"),
        ("lambda: 1", 1, "lambda"),
        ("[x for x in input.items]", 1, "comprehensions"),
        ("any(x for x in input.items)", 1, "function calls"),
        ("f'{input.data_type}' == 'a'", 1, "f-strings"),
        ("input.flag if input.flag else input.flag", 1, "conditional expressions"),
        ("input.customer == {'a': 1}", 19, "dict literals"),
        ("input.items == {1}", 16, "set literals"),
        ("input.data_type == b'x'", 20, "bytes literals"),
        ("input.data_type == ...", 20, "Ellipsis"),
        ("input.ratio == 1j", 16, "complex numbers"),
        ("input.ratio == 1e999", 16, "out of range"),
        ("input.items[input.row_count] == 1", 13, "an index must be an int or str literal"),
        ("input.items[1:2] == 1", 13, "slices are not allowed"),
        ("input.items[True] == 1", 13, "an index must be an int or str literal"),
        ("input.items == [input.flag]", 17, "list items must be literals"),
        ("input.flag == (input.row_count > 1)", 16, "combine comparisons with and/or"),
        ("'abc'.upper == 'x'", 1, "a path must start with input, results or prev_step"),
        ("input.row_count ==", 1, "syntax error"),
        ("input.row_count == (1", 20, "syntax error"),
        ("input.row_count == 1 # note", 22, "comments (#) are not allowed"),
        ("await input.flag", 1, "await"),
        ("input.flag\x00", 1, "syntax error"),
    ],
)
def test_rejected_conditions(text: str, column: int, words: str) -> None:
    problems = check(text)
    assert problems, text
    assert problems[0].startswith(f"column {column}: "), problems
    assert words in " ".join(problems), problems
    assert all(problem.startswith("column ") and "\n" not in problem for problem in problems)


def test_columns_count_characters_not_bytes() -> None:
    [problem] = check("'éé' == input.nope")
    assert problem.startswith("column 15: ")


def test_multiline_columns_are_offsets_in_the_text() -> None:
    [problem] = check("input.flag and\n  input.nope")
    assert problem.startswith("column 24: ")


INJECTIONS = [
    "__import__('os')",
    "__import__('os').system('id')",
    "().__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "input.x.__class__",
    "input.data_type.__class__",
    "input.f()",
    "(x := 1)",
    "*input.a",
    "lambda: 1",
    "(lambda: __import__('os'))()",
    "[c for c in ().__class__.__bases__]",
    "{x: 1 for x in input.items}",
    "f'{__import__(\"os\")}'",
    "input.a + 1",
    "input.row_count + 1 > 0",
    "exec('1')",
    "globals()['x']",
    "input.data_type == 'a' or open('/etc/passwd')",
    "input.flag\n__import__('os')",
    "x" * 10_000,
    "input.flag and " * 700 + "input.flag",
    "(" * 200 + "input.flag" + ")" * 200,
    "not " * 200 + "input.flag",
    "[" * 100 + "]" * 100 + " == input.items",
    "-" * 300 + "1 == input.row_count",
    "(" * 10_000,
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_attempts_are_refused(text: str) -> None:
    problems = check(text)
    assert problems, text
    assert all(problem.startswith("column ") for problem in problems)


def test_accepted_strings_stay_literals() -> None:
    """Quotes inside a string literal cannot break out of it in the compiled code."""
    text = "input.data_type == '\\'); __import__(\"os\"); (\\''"
    assert check(text) == []
    compiled = compile_condition(text)
    tree = compile(compiled, "<condition>", "eval", flags=0x400)  # ast.PyCF_ONLY_AST
    calls = [node for node in __import__("ast").walk(tree) if type(node).__name__ == "Call"]
    assert [call.func.id if hasattr(call.func, "id") else call.func.attr for call in calls] == [
        "eq",
        "input",
    ]


def test_long_and_deep_conditions_are_refused_without_traceback() -> None:
    assert "at most 500" in check("x" * 10_000)[0]
    assert "nested more than 30" in check("not " * 60 + "input.flag")[0]
    assert "nested more than 30" in check("(" * 200 + "input.flag" + ")" * 200)[0]
    assert check("(" * 31 + "input.flag" + ")" * 31)
    assert check("(" * 20 + "input.flag" + ")" * 20) == []


# ---------------------------------------------------------------------------------------------
# Nested inputs: paths below an input are checked against its declared fields and items


@dataclass(frozen=True)
class Nested:
    type: str
    fields: dict | None = None
    items: object = None


PORTFOLIO = Nested(
    "list",
    items=Nested(
        "object",
        fields={
            "account_name": Nested("str"),
            "positions": Nested(
                "list",
                items=Nested("object", fields={"symbol": Nested("str"), "qty": Nested("float")}),
            ),
            "extra": Nested("dict"),
            "tags": Nested("list"),
        },
    ),
)


def check_nested(text: str) -> list[str]:
    inputs = {"accounts": PORTFOLIO, "profile": Nested("object", fields={"tier": Nested("str")})}
    return check_condition(text, inputs=inputs, agents=AGENTS, prev_step_agents=frozenset())


@pytest.mark.parametrize(
    "text",
    [
        "input.accounts[0].positions[1].qty > 0",
        "input.accounts[-1]['account_name'] == '401k'",
        "input.accounts[0].extra.anything.goes[3] == 1",
        "input.accounts[0].tags[2].free == 1",
        "input.profile.tier in ['gold', 'silver']",
        "input.accounts",
    ],
)
def test_declared_nested_paths_are_accepted(text: str) -> None:
    assert check_nested(text) == []


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        (
            "input.accounts[0].positions[1].quantity > 0",
            32,
            "input.accounts[0].positions[1].quantity: 'quantity' is not a field of "
            "input.accounts[0].positions[1] (fields: qty, symbol)",
        ),
        ("input.accounts.positions", 16, "input.accounts.positions: input.accounts is a list"),
        ("input.accounts['x'] == 1", 15, "input.accounts['x']: input.accounts is a list"),
        ("input.profile[0] == 1", 14, "input.profile is an object: write input.profile.<field>"),
        ("input.profile.tier.name == 1", 20, "input.profile.tier is a str: it has no fields"),
        ("input.profile.level == 1", 15, "'level' is not a field of input.profile (fields: tier)"),
    ],
)
def test_undeclared_nested_paths_are_refused(text: str, column: int, words: str) -> None:
    [problem] = check_nested(text)
    assert problem.startswith(f"column {column}: "), problem
    assert words in problem


# ---------------------------------------------------------------------------------------------
# Input inference


def test_input_references() -> None:
    assert input_references("always") == {}
    assert input_references(
        "input.data_type == 'financial' and input.row_count > 0 and input.flag"
    ) == {"data_type": "str", "row_count": "int", "flag": None}
    assert input_references("0.5 <= input.ratio and input.ratio < 1") == {"ratio": "float"}
    assert input_references("input.n == 1 or input.n == 1.5") == {"n": "float"}
    assert input_references("input.n == 1 or input.n == 'a'") == {"n": None}
    assert input_references("input.kind in ['a', 'b']") == {"kind": "str"}
    assert input_references("'a' in input.tags") == {"tags": None}
    assert input_references("input.c.tier == 'gold' and input.ok == true") == {
        "c": None,
        "ok": "bool",
    }
    assert input_references("input.n == -1") == {"n": "int"}
    assert input_references("results.a.x == input.y") == {"y": None}
    # undeclared inputs are fine here: this is how inputs are inferred
    assert input_references("input.undeclared != null") == {"undeclared": None}
    with pytest.raises(ValueError, match="column"):
        input_references("input.a ==")


# ---------------------------------------------------------------------------------------------
# The generated runtime's helpers


def load_runtime_conditions() -> ModuleType:
    spec = importlib.util.spec_from_file_location("runtime_conditions", RUNTIME / "conditions.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_runtime_semantics() -> None:
    c = load_runtime_conditions()
    missing = c.MISSING
    for helper in (c.eq, c.ne, c.lt, c.le, c.gt, c.ge, c.is_in, c.not_in):
        assert helper(missing, 1) is False
        assert helper(1, missing) is False
        assert helper(missing, missing) is False
    assert not c.ne(missing, 1) and (not c.eq(missing, 1))
    assert c.eq(1, 1) and c.eq(1, 1.0) and c.ne("a", "b") and c.eq([1, "a"], [1, "a"])
    # ordering between incomparable types is False, never an error
    for helper in (c.lt, c.le, c.gt, c.ge):
        assert helper("a", 1) is False
        assert helper(None, 0) is False
        assert helper({"a": 1}, {"a": 2}) is False
        assert helper([1], ["a"]) is False
    assert c.lt(1, 2) and c.le(2, 2) and c.gt("b", "a") and c.ge(2.5, 2)
    assert c.is_in("a", ["a"]) and c.is_in("a", "cat") and c.is_in("k", {"k": 1})
    assert c.not_in("z", ["a"]) and not c.not_in("a", ["a"])
    assert c.is_in(1, 5) is False and c.not_in(1, 5) is False  # TypeError
    assert c.is_in([1], {"a"}) is False  # unhashable: TypeError
    assert c.truthy(missing) is False
    assert c.truthy(0) is False and c.truthy([]) is False and c.truthy("x") is True
    assert repr(missing) == "MISSING" and not missing


def test_a_condition_is_parsed_once_and_shared() -> None:
    text = "input.row_count > 10 and results.analyzer.confidence >= 0.5"
    parsed = parse_condition(text)
    assert parse_condition(text) is parsed
    assert check(text) == []
    assert input_references(text) == {"row_count": "int"}
    assert not parsed.always and parse_condition(" always ").always


def test_the_oracle_reads_the_shared_parse() -> None:
    roots = {"input": {"amount": 11}, "results": {"analyzer": {"score": 0.5}}}
    assert condition_holds("input.amount > 10 and results.analyzer.score >= 0.5", roots)
    assert condition_holds("results.analyzer.score > 1", {"input": {}}) is None
    assert condition_holds("not input.missing == 1", {"input": {}}) is True
    with pytest.raises(ConditionError, match="column 1: the condition is empty"):
        condition_holds("  ", roots)
