"""The condition language of selection rules.

A condition is a small, safe subset of Python expressions, parsed with :mod:`ast` (never
evaluated here) and compiled into Python source for the generated ``plan.py``:

- roots: ``input.<field>``, ``results.<agent>.<field>``, ``prev_step.<agent>.<field>``, then
  nested access with ``.name`` or ``[int or str literal]``;
- literals: strings, numbers (``-1`` included), ``True/False/true/false``, ``None/null``, lists
  and tuples of literals (tuples compile to lists); the whole text ``always``;
- operators: ``== != < <= > >= in not in`` (chains included), ``and or not``, parentheses, and a
  bare path (its truthiness).

Each condition text is parsed once (:func:`parse_condition`, cached) into a :class:`Condition`
that the checker, the compiler, the example inputs and the oracle (``oracle.py``) all read.

Public functions:

- :func:`parse_condition` returns the parsed :class:`Condition`, or raises
  :class:`ConditionError` (with the column) for a text that does not parse;
- :func:`check_condition` returns the problems of a condition (``"column N: ..."``, 1-based
  character column in the condition text), an empty list when it is valid;
- :func:`compile_condition` returns the Python expression of a checked condition;
- :func:`condition_tree` returns the same expression as a small tree (used by the plan
  compiler to lay it out the way ``ruff format`` does);
- :func:`helpers_used` names the runtime helpers (``eq``, ``truthy``...) that the compiled
  expression calls, for the imports of ``plan.py``;
- :func:`input_references` lists the ``input.<field>`` names a condition reads, with the type of
  a literal each one is compared with (to infer the inputs of specs that do not declare them).

The compiled expression reads a variable named ``run`` (a ``PlanRun``) and calls the helpers of
the generated ``runtime/conditions.py``, whose semantics (missing paths, incomparable types) are
documented there.
"""

from __future__ import annotations

import ast
import io
import math
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

__all__ = [
    "MAX_DEPTH",
    "Condition",
    "ConditionError",
    "MAX_LENGTH",
    "HELPERS",
    "InputInfo",
    "check_condition",
    "compile_condition",
    "condition_tree",
    "helpers_used",
    "input_references",
    "parse_condition",
    "quote",
    "render",
]

MAX_LENGTH = 500
MAX_DEPTH = 30
ROOTS = ("input", "results", "prev_step")
HELPERS = ("eq", "ne", "lt", "le", "gt", "ge", "is_in", "not_in", "truthy")
LITERAL_NAMES = {"true": True, "false": False, "null": None}

_COMPARE_HELPERS = {
    ast.Eq: "eq",
    ast.NotEq: "ne",
    ast.Lt: "lt",
    ast.LtE: "le",
    ast.Gt: "gt",
    ast.GtE: "ge",
    ast.In: "is_in",
    ast.NotIn: "not_in",
}
_OPERATOR_SYMBOLS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.MatMult: "@",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.Invert: "~",
    ast.UAdd: "unary +",
    ast.USub: "unary -",
}
_REJECTED = {
    ast.Call: "function calls are not allowed",
    ast.Lambda: "lambda expressions are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions (generator expressions) are not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.FormattedValue: "f-strings are not allowed",
    ast.NamedExpr: "assignment expressions (:=) are not allowed",
    ast.Starred: "starred expressions (*) are not allowed",
    ast.IfExp: "conditional expressions (x if c else y) are not allowed",
    ast.Dict: "dict literals are not allowed",
    ast.Set: "set literals are not allowed",
    ast.Slice: "slices are not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
}


class InputInfo(Protocol):
    """A declared input field: its type name, and for nested inputs (optional attributes)
    the ``fields`` of an object and the ``items`` of a list."""

    type: str


# --------------------------------------------------------------------------------------------
# Parsing


@dataclass(frozen=True)
class Condition:
    """A parsed condition. Its ``tree`` is shared: read it, never change it."""

    tree: ast.expr | None  # None for ``always``
    source: str  # the text that was parsed (newlines replaced by spaces)
    lead: int  # characters stripped on the left

    @property
    def always(self) -> bool:
        return self.tree is None


class ConditionError(Exception):
    """The first problem that stops a condition from parsing, at a 1-based column."""

    def __init__(self, column: int, message: str) -> None:
        super().__init__(f"column {column}: {message}")
        self.column = column
        self.message = message


def parse_condition(text: str) -> Condition:
    """The parsed condition; ``ConditionError`` for the first problem that stops parsing."""
    if not isinstance(text, str):
        raise ConditionError(1, f"a condition must be a string, not {type(text).__name__}")
    return _parse(text)


@lru_cache(maxsize=4096)
def _parse(text: str) -> Condition:
    if not text.strip():
        raise ConditionError(
            1, "the condition is empty (write `always` for a rule that always runs)"
        )
    if len(text) > MAX_LENGTH:
        raise ConditionError(
            1, f"the condition is {len(text)} characters long; at most {MAX_LENGTH} are allowed"
        )
    # Line breaks (from YAML block scalars) are whitespace; each is one character, so the
    # columns stay those of the original text.
    source = text.replace("\r", " ").replace("\n", " ").replace("\f", " ")
    stripped = source.lstrip()
    lead = len(source) - len(stripped)
    if stripped.rstrip() == "always":
        return Condition(None, source, lead)
    try:
        module = ast.parse(stripped, mode="eval")
    except SyntaxError as error:
        starred = _starred_problem(stripped, lead)
        if starred is not None:
            raise starred from None
        column = (error.offset or 1) + lead
        column = max(1, min(column, len(text) + 1))
        message = (error.msg or "invalid syntax").removesuffix(" (<unknown>, line 1)")
        raise ConditionError(column, f"syntax error: {message}") from None
    except (RecursionError, MemoryError, ValueError, OverflowError):
        raise ConditionError(1, "the condition is too complex to parse") from None
    parsed = Condition(module.body, source, lead)
    if _depth(module.body) > MAX_DEPTH:
        raise ConditionError(1, f"the condition is nested more than {MAX_DEPTH} levels deep")
    try:
        nesting = 0
        for token in tokenize.generate_tokens(io.StringIO(stripped).readline):
            if token.type == tokenize.OP and token.string in "([":
                nesting += 1
                if nesting > MAX_DEPTH:
                    message = f"brackets are nested more than {MAX_DEPTH} levels deep"
                    raise ConditionError(token.start[1] + lead + 1, message)
            elif token.type == tokenize.OP and token.string in ")]":
                nesting -= 1
            elif token.type == tokenize.COMMENT:
                raise ConditionError(token.start[1] + lead + 1, "comments (#) are not allowed")
    except (tokenize.TokenError, SyntaxError):  # pragma: no cover - it parsed above
        raise ConditionError(1, "the condition cannot be tokenized") from None
    return parsed


def _starred_problem(stripped: str, lead: int) -> ConditionError | None:
    """A clearer message than "invalid syntax" for a starred expression (``*input.a``)."""
    try:
        module = ast.parse(f"[{stripped}]", mode="eval")
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None
    for node in ast.walk(module):
        if isinstance(node, ast.Starred):
            prefix = f"[{stripped}]".encode()[: node.col_offset].decode("utf-8", "replace")
            return ConditionError(len(prefix) + lead, "starred expressions (*) are not allowed")
    return None


def _depth(node: ast.AST) -> int:
    deepest, stack = 0, [(node, 1)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(current))
    return deepest


def _column(parsed: Condition, byte_offset: int) -> int:
    """1-based character column in the original text of a UTF-8 byte offset of the AST."""
    body = parsed.source[parsed.lead :]
    prefix = body.encode("utf-8", "surrogatepass")[:byte_offset]
    return len(prefix.decode("utf-8", "replace")) + parsed.lead + 1


def _at(parsed: Condition, node: ast.AST) -> int:
    return _column(parsed, getattr(node, "col_offset", 0))


# --------------------------------------------------------------------------------------------
# Paths and literals


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Constant):
        return f"a {type(node.value).__name__} literal"
    if isinstance(node, ast.Name):
        return f"the name {node.id!r}"
    return f"a {type(node).__name__} expression"


def _literal_value(node: ast.AST) -> tuple[bool, object]:
    """(True, value) for a literal node, (False, None) otherwise; no validation messages."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float | type(None)):
        if isinstance(node.value, float) and not math.isfinite(node.value):
            return False, None
        return True, node.value
    if isinstance(node, ast.Name) and node.id in LITERAL_NAMES:
        return True, LITERAL_NAMES[node.id]
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) in (int, float)
        and math.isfinite(node.operand.value)
    ):
        return True, -node.operand.value
    if isinstance(node, ast.List | ast.Tuple):
        values = []
        for element in node.elts:
            ok, value = _literal_value(element)
            if not ok:
                return False, None
            values.append(value)
        return True, values
    return False, None


def _is_path_like(node: ast.AST) -> bool:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return isinstance(node, ast.Name) and node.id in ROOTS


def _split_path(node: ast.AST) -> tuple[ast.AST, list[ast.AST]]:
    """The base of an attribute/subscript chain and the chain's nodes, outermost last."""
    chain: list[ast.AST] = []
    while isinstance(node, ast.Attribute | ast.Subscript):
        chain.append(node)
        node = node.value
    chain.reverse()
    return node, chain


# --------------------------------------------------------------------------------------------
# Checking


@dataclass
class _Checker:
    parsed: Condition
    inputs: Mapping[str, InputInfo]
    agents: Mapping[str, frozenset[str] | None]
    prev_step_agents: frozenset[str]
    problems: list[tuple[int, str]]

    def add(self, node: ast.AST | int, message: str) -> None:
        column = node if isinstance(node, int) else _at(self.parsed, node)
        self.problems.append((column, message))

    def condition(self, node: ast.AST) -> None:
        """A node in boolean position."""
        if isinstance(node, ast.BoolOp):
            for value in node.values:
                self.condition(value)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            self.condition(node.operand)
        elif isinstance(node, ast.Compare):
            self.compare(node)
        elif _is_path_like(node) or isinstance(node, ast.Attribute | ast.Subscript):
            self.path(node)
        elif isinstance(node, ast.Name) and node.id not in LITERAL_NAMES:
            self.name(node)
        elif _literal_value(node)[0]:
            self.add(
                node,
                "a literal alone is not a condition: compare a path with it, "
                "or write `always` as the whole condition",
            )
        else:
            self.other(node)

    def compare(self, node: ast.Compare) -> None:
        for op in node.ops:
            if isinstance(op, ast.Is | ast.IsNot):
                word = "is not" if isinstance(op, ast.IsNot) else "is"
                instead = "!=" if isinstance(op, ast.IsNot) else "=="
                self.add(node, f"`{word}` is not allowed: use {instead}")
                return
        for operand in (node.left, *node.comparators):
            self.operand(operand)

    def operand(self, node: ast.AST) -> None:
        """A node compared with something: a path or a literal."""
        if isinstance(node, ast.Attribute | ast.Subscript) or _is_path_like(node):
            self.path(node)
        elif isinstance(node, ast.Name) and node.id not in LITERAL_NAMES:
            self.name(node)
        elif isinstance(node, ast.List | ast.Tuple):
            for element in node.elts:
                if isinstance(element, ast.List | ast.Tuple):
                    self.operand(element)
                elif not _literal_value(element)[0]:
                    if _is_path_like(element) or isinstance(element, ast.Name):
                        self.add(element, "list items must be literals, not paths or names")
                    else:
                        self.literal_or_other(element)
        else:
            self.literal_or_other(node)

    def literal_or_other(self, node: ast.AST) -> None:
        if _literal_value(node)[0]:
            return
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bytes):
                self.add(node, "bytes literals are not allowed")
            elif value is Ellipsis:
                self.add(node, "`...` (Ellipsis) is not allowed")
            elif isinstance(value, complex):
                self.add(node, "complex numbers are not allowed")
            elif isinstance(value, float):
                self.add(node, "this number is out of range")
            else:  # pragma: no cover - every Constant type is listed above
                self.add(node, f"{type(value).__name__} literals are not allowed")
        elif isinstance(node, ast.BoolOp | ast.Compare) or (
            isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)
        ):
            self.add(
                node,
                "a comparison compares a path with a literal or another path; "
                "combine comparisons with and/or instead of comparing their results",
            )
        else:
            self.other(node)

    def other(self, node: ast.AST) -> None:
        if isinstance(node, ast.BinOp):
            symbol = _OPERATOR_SYMBOLS.get(type(node.op), type(node.op).__name__)
            self.add(node, f"arithmetic ({symbol}) is not allowed")
        elif isinstance(node, ast.UnaryOp):
            symbol = _OPERATOR_SYMBOLS.get(type(node.op), type(node.op).__name__)
            self.add(
                node, f"arithmetic ({symbol}) is not allowed; only number literals can be negative"
            )
        elif isinstance(node, ast.Constant):
            self.literal_or_other(node)
        elif type(node) in _REJECTED:
            self.add(node, _REJECTED[type(node)])
        else:
            self.add(node, f"this expression ({type(node).__name__}) is not allowed")

    def name(self, node: ast.Name) -> None:
        if node.id == "always":
            self.add(node, "`always` must be the whole condition")
        elif node.id in ROOTS:
            hint = {"input": "input.<field>", "results": "results.<agent>.<field>"}.get(
                node.id, "prev_step.<agent>.<field>"
            )
            self.add(node, f"`{node.id}` needs a field: write {hint}")
        else:
            self.add(
                node,
                f"unknown name {node.id!r}: a condition reads input.<field>, "
                "results.<agent>.<field> or prev_step.<agent>.<field>",
            )

    def path(self, node: ast.AST) -> None:
        base, chain = _split_path(node)
        ok = True
        for link in chain:  # forbidden parts first: they are what an attack looks like
            if isinstance(link, ast.Attribute) and link.attr.startswith("_"):
                column = _column(self.parsed, link.end_col_offset or 0) - len(link.attr)
                self.add(column, f"attribute names starting with _ are not allowed ({link.attr})")
                ok = False
            elif isinstance(link, ast.Subscript) and not self._index_ok(link.slice):
                ok = False
        if not isinstance(base, ast.Name) or base.id not in ROOTS:
            if isinstance(base, ast.Name):
                self.name(base)
            elif type(base) in _REJECTED or isinstance(base, ast.BinOp | ast.UnaryOp):
                self.other(base)
            else:
                self.add(
                    base,
                    f"a path must start with input, results or prev_step (found {_describe(base)})",
                )
            return
        if not ok:
            return
        self._root(base, chain)

    def _index_ok(self, index: ast.AST) -> bool:
        ok, value = _literal_value(index)
        if ok and isinstance(value, int | str) and not isinstance(value, bool):
            return True
        if isinstance(index, ast.Slice):
            self.add(index, "slices are not allowed")
        elif ok:
            self.add(index, f"an index must be an int or str literal, not {value!r}")
        elif isinstance(index, ast.Name):
            self.add(index, f"an index must be an int or str literal, not the name {index.id!r}")
        else:
            self.add(index, "an index must be an int or str literal")
        return False

    def _root(self, base: ast.Name, chain: list[ast.AST]) -> None:
        def attribute(position: int) -> str | None:
            if position < len(chain) and isinstance(chain[position], ast.Attribute):
                return chain[position].attr  # type: ignore[attr-defined]
            return None

        def column_of(position: int) -> int:
            link = chain[position]
            if isinstance(link, ast.Attribute):
                return _column(self.parsed, link.end_col_offset or 0) - len(link.attr)
            return _at(self.parsed, link)

        if base.id == "input":
            field = attribute(0)
            if field is None:
                self.add(base, "write input.<field> (a declared input field)")
            elif field not in self.inputs:
                declared = ", ".join(sorted(self.inputs)) or "none"
                self.add(
                    column_of(0),
                    f"input.{field}: {field!r} is not a declared input (declared: {declared})",
                )
            else:
                self._nested_input(self.inputs[field], f"input.{field}", chain)
            return
        agent, field = attribute(0), attribute(1)
        if agent is None or field is None:
            self.add(base, f"write {base.id}.<agent>.<field>")
            return
        if agent not in self.agents:
            defined = ", ".join(sorted(self.agents)) or "none"
            self.add(
                column_of(0),
                f"{base.id}.{agent}: {agent!r} is not a defined worker (workers: {defined})",
            )
            return
        if base.id == "prev_step" and agent not in self.prev_step_agents:
            if not self.prev_step_agents:
                self.add(
                    base,
                    f"prev_step.{agent}: this rule has no previous step "
                    f"(use results.{agent} to read an earlier result)",
                )
            else:
                can_run = ", ".join(sorted(self.prev_step_agents))
                self.add(
                    base,
                    f"prev_step.{agent}: {agent!r} cannot be in the step just before this rule "
                    f"(that step can run: {can_run}); use results.{agent} to read any "
                    "earlier result",
                )
            return
        fields = self.agents[agent]
        if fields is not None and field not in fields:
            declared = ", ".join(sorted(fields)) or "none"
            self.add(
                column_of(1),
                f"{base.id}.{agent}.{field}: agent {agent!r} declares no output field "
                f"{field!r} (fields: {declared})",
            )

    def _nested_input(self, declared: InputInfo, where: str, chain: list[ast.AST]) -> None:
        """Check the path below a declared input against its nested ``fields`` and ``items``."""

        def column_of(position: int) -> int:  # the name after the dot, or the bracket
            link = chain[position]
            if isinstance(link, ast.Attribute):
                return _column(self.parsed, link.end_col_offset or 0) - len(link.attr)
            return _at(self.parsed, link.slice) - 1  # type: ignore[attr-defined]

        for position in range(1, len(chain)):
            link = chain[position]
            if isinstance(link, ast.Attribute):
                key: str | int = link.attr
            else:
                key = _literal_value(link.slice)[1]  # type: ignore[attr-defined]
            kind = declared.type
            if kind == "object":
                fields = getattr(declared, "fields", None) or {}
                if not isinstance(key, str):
                    self.add(column_of(position), f"{where} is an object: write {where}.<field>")
                    return
                if key not in fields:
                    names = ", ".join(sorted(fields))
                    self.add(
                        column_of(position),
                        f"{where}.{key}: {key!r} is not a field of {where} (fields: {names})",
                    )
                    return
                declared, where = fields[key], f"{where}.{key}"
            elif kind == "list":
                if not isinstance(key, int):
                    shown = f".{key}" if isinstance(link, ast.Attribute) else f"[{key!r}]"
                    self.add(
                        column_of(position),
                        f"{where}{shown}: {where} is a list: index it with [<int>]",
                    )
                    return
                items = getattr(declared, "items", None)
                if items is None:
                    return  # a list of any JSON values
                declared, where = items, f"{where}[{key}]"
            elif kind == "dict":
                return  # any JSON object
            else:
                self.add(column_of(position), f"{where} is a {kind}: it has no fields or items")
                return


def check_condition(
    text: str,
    *,
    inputs: Mapping[str, InputInfo],
    agents: Mapping[str, frozenset[str] | None],
    prev_step_agents: frozenset[str],
) -> list[str]:
    """Return the problems of a condition, each ``"column N: message"``; [] when it is valid.

    ``inputs`` maps the declared input fields to their declaration (``.type``); ``agents`` maps
    every worker to its declared output fields (None: any field); ``prev_step_agents`` are the
    agents that can have run in the step just before the rule.
    """
    try:
        parsed = parse_condition(text)
    except ConditionError as problem:
        return [str(problem)]
    if parsed.tree is None:
        return []
    checker = _Checker(parsed, inputs, agents, prev_step_agents, [])
    checker.condition(parsed.tree)
    seen: set[str] = set()
    messages = []
    for column, message in sorted(checker.problems, key=lambda item: item[0]):
        line = f"column {column}: {message}"
        if line not in seen:
            seen.add(line)
            messages.append(line)
    return messages


# --------------------------------------------------------------------------------------------
# Compiling
#
# The compiled expression is a tree of tuples, which the plan compiler lays out:
#   ("atom", text) | ("call", function, [args]) | ("list", [items])
#   | ("bool", "and" | "or", [operands]) | ("not", operand) | ("paren", operand)

Tree = tuple


def quote(value: str) -> str:
    """A Python string literal, in the quotes ``ruff format`` prefers."""
    quote = "'" if value.count('"') > value.count("'") else '"'
    body = []
    for char in value:
        if char == "\\":
            body.append("\\\\")
        elif char == quote:
            body.append("\\" + quote)
        elif char in "'\"":
            body.append(char)
        else:
            body.append(repr(char)[1:-1])
    return quote + "".join(body) + quote


def _literal_tree(value: object) -> Tree:
    if isinstance(value, list):
        return ("list", [_literal_tree(item) for item in value])
    if isinstance(value, str):
        return ("atom", quote(value))
    if isinstance(value, float):  # written the way ruff format writes it: 1e16, not 1e+16
        return ("atom", repr(value).replace("e+", "e"))
    return ("atom", repr(value))


def _operand_tree(node: ast.AST) -> Tree:
    ok, value = _literal_value(node)
    if ok:
        return _literal_tree(value)
    base, chain = _split_path(node)
    assert isinstance(base, ast.Name) and base.id in ROOTS, "call check_condition first"
    parts: list[Tree] = []
    for link in chain:
        if isinstance(link, ast.Attribute):
            parts.append(_literal_tree(link.attr))
        else:
            parts.append(_literal_tree(_literal_value(link.slice)[1]))  # type: ignore[attr-defined]
    method = {"input": "input", "results": "result", "prev_step": "prev_step"}[base.id]
    return ("call", f"run.{method}", parts)


def _condition_tree(node: ast.AST) -> Tree:
    if isinstance(node, ast.BoolOp):
        op = "and" if isinstance(node.op, ast.And) else "or"
        operands: list[Tree] = []
        for value in node.values:
            tree = _condition_tree(value)
            if tree[0] == "bool" and tree[1] == op:
                operands.extend(tree[2])
            elif tree[0] == "bool":
                operands.append(("paren", tree))
            else:
                operands.append(tree)
        return ("bool", op, operands)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        operand = _condition_tree(node.operand)
        if operand[0] == "not":  # every helper returns a bool: `not not x` is x
            return operand[1] if operand[1][0] != "paren" else operand[1][1]
        return ("not", ("paren", operand) if operand[0] == "bool" else operand)
    if isinstance(node, ast.Compare):
        sides = [_operand_tree(side) for side in (node.left, *node.comparators)]
        calls = [
            ("call", _COMPARE_HELPERS[type(op)], [sides[index], sides[index + 1]])
            for index, op in enumerate(node.ops)
        ]
        return calls[0] if len(calls) == 1 else ("bool", "and", calls)
    return ("call", "truthy", [_operand_tree(node)])


def condition_tree(text: str) -> Tree:
    """The compiled expression of a checked condition, as a tree (see the comment above)."""
    parsed = parse_condition(text)
    if parsed.tree is None:
        return ("atom", "True")
    return _condition_tree(parsed.tree)


def render(tree: Tree) -> str:
    """The one-line Python source of a condition tree."""
    kind = tree[0]
    if kind == "atom":
        return tree[1]
    if kind == "call":
        return f"{tree[1]}({', '.join(render(arg) for arg in tree[2])})"
    if kind == "list":
        return f"[{', '.join(render(item) for item in tree[1])}]"
    if kind == "bool":
        return f" {tree[1]} ".join(render(operand) for operand in tree[2])
    if kind == "not":
        return f"not {render(tree[1])}"
    if kind == "paren":
        return f"({render(tree[1])})"
    raise ValueError(f"unknown tree node {kind!r}")


def compile_condition(text: str) -> str:
    """Python source of a condition that :func:`check_condition` accepted.

    The expression reads ``run`` (a ``PlanRun``) and calls the helpers of
    ``runtime/conditions.py``; ``always`` compiles to ``True``.
    """
    return render(condition_tree(text))


def helpers_used(text: str) -> set[str]:
    """The runtime helpers (``eq``, ``truthy``...) that the compiled condition calls."""
    used: set[str] = set()
    stack = [condition_tree(text)]
    while stack:
        tree = stack.pop()
        if tree[0] == "call":
            if tree[1] in HELPERS:
                used.add(tree[1])
            stack.extend(tree[2])
        elif tree[0] == "list":
            stack.extend(tree[1])
        elif tree[0] == "bool":
            stack.extend(tree[2])
        elif tree[0] in ("not", "paren"):
            stack.append(tree[1])
    return used


# --------------------------------------------------------------------------------------------
# Input inference


def _type_name(value: object) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    return None


def _merge(old: str | None, new: str | None) -> str | None:
    if old == new:
        return old
    if {old, new} == {"int", "float"}:
        return "float"
    return None


def input_references(text: str) -> dict[str, str | None]:
    """The ``input.<field>`` names a parsable condition reads, with an inferred type.

    A field compared directly with a literal (``input.n > 0``, ``input.kind in ['a', 'b']``)
    maps to that literal's type (``str``, ``int``, ``float`` or ``bool``; int and float merge
    to float); any other use maps to None. Fields appear in the order they are first read.
    Raises ValueError for a condition that does not parse.
    """
    try:
        parsed = parse_condition(text)
    except ConditionError as problem:
        raise ValueError(str(problem)) from None
    found: dict[str, str | None] = {}
    compared: dict[str, list[str | None]] = {}
    if parsed.tree is None:
        return found

    def field_of(node: ast.AST) -> str | None:
        base, chain = _split_path(node)
        if isinstance(base, ast.Name) and base.id == "input" and chain:
            first = chain[0]
            if isinstance(first, ast.Attribute):
                return first.attr
        return None

    for node in ast.walk(parsed.tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            for index, op in enumerate(node.ops):
                pairs = ((sides[index], sides[index + 1]), (sides[index + 1], sides[index]))
                for mine, other in pairs:
                    direct = (
                        isinstance(mine, ast.Attribute)
                        and isinstance(mine.value, ast.Name)
                        and mine.value.id == "input"
                    )
                    if not direct:
                        continue
                    name = mine.attr
                    ok, value = _literal_value(other)
                    if not ok:
                        continue
                    if isinstance(op, ast.In | ast.NotIn) and mine is sides[index]:
                        if isinstance(value, list) and value:
                            types = {_type_name(item) for item in value}
                            kind = types.pop() if len(types) == 1 else None
                            if types | {kind} == {"int", "float"}:
                                kind = "float"
                            compared.setdefault(name, []).append(kind)
                    elif not isinstance(op, ast.In | ast.NotIn) and not isinstance(value, list):
                        compared.setdefault(name, []).append(_type_name(value))

    # order of first appearance in the text
    positions = []
    for node in ast.walk(parsed.tree):
        name = field_of(node) if isinstance(node, ast.Attribute | ast.Subscript) else None
        if name is not None:
            positions.append((node.col_offset, name))
    for _, name in sorted(positions):
        if name in found:
            continue
        kinds = compared.get(name)
        kind: str | None = None
        if kinds:
            kind = kinds[0]
            for other in kinds[1:]:
                kind = _merge(kind, other)
        found[name] = kind
    return found
