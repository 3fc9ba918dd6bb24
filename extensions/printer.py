"""A small document printer with the semantics of ruff's (Prettier-style groups).

The plan compiler lays the generated ``plan.py`` out with it, line for line as ``ruff format``
would, so a generated project passes ``ruff format --check``. A document is
str | list | Group | Indent | Line | IfBreak; ``condition_doc`` makes the document of a compiled
condition (``conditions.condition_tree``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .conditions import Tree

__all__ = ["bracketed", "condition_doc", "if_lines", "print_doc"]


@dataclass
class Group:
    contents: list[Any]


@dataclass
class Indent:
    contents: list[Any]


@dataclass(frozen=True)
class Line:
    space: bool  # printed as a space (True) or nothing (False) when its group is flat


@dataclass(frozen=True)
class IfBreak:
    broken: str
    flat: str = ""


SOFT = Line(False)
SPACE = Line(True)
_FLAT, _BREAK = 0, 1


def _fits(next_cmd: tuple[int, int, Any], rest: list[tuple[int, int, Any]], width: int) -> bool:
    stack = [next_cmd]
    rest_index = len(rest)
    while width >= 0:
        if not stack:
            if rest_index == 0:
                return True
            rest_index -= 1
            stack.append(rest[rest_index])
            continue
        indent, mode, doc = stack.pop()
        if isinstance(doc, str):
            width -= len(doc)
        elif isinstance(doc, list):
            stack.extend((indent, mode, item) for item in reversed(doc))
        elif isinstance(doc, Group | Indent):
            stack.extend((indent, mode, item) for item in reversed(doc.contents))
        elif isinstance(doc, IfBreak):
            width -= len(doc.broken if mode == _BREAK else doc.flat)
        elif isinstance(doc, Line):
            if mode == _BREAK:
                return True
            width -= 1 if doc.space else 0
    return False


def print_doc(doc: Any, indent: int, width: int) -> list[str]:
    """Print a document whose first line starts at ``indent`` columns."""
    lines: list[str] = []
    current = " " * indent
    stack: list[tuple[int, int, Any]] = [(indent, _BREAK, doc)]
    while stack:
        level, mode, item = stack.pop()
        if isinstance(item, str):
            current += item
        elif isinstance(item, list):
            stack.extend((level, mode, part) for part in reversed(item))
        elif isinstance(item, Indent):
            stack.extend((level + 4, mode, part) for part in reversed(item.contents))
        elif isinstance(item, Group):
            flat = mode == _FLAT or _fits((level, _FLAT, item), stack, width - len(current))
            chosen = _FLAT if flat else _BREAK
            stack.extend((level, chosen, part) for part in reversed(item.contents))
        elif isinstance(item, IfBreak):
            current += item.broken if mode == _BREAK else item.flat
        elif isinstance(item, Line):
            if mode == _BREAK:
                lines.append(current.rstrip())
                current = " " * level
            elif item.space:
                current += " "
    lines.append(current.rstrip())
    return lines


def _join(items: list[Any], separator: str) -> list[Any]:
    joined: list[Any] = []
    for index, item in enumerate(items):
        if index:
            joined += [separator, SPACE]
        joined.append(item)
    return joined


def bracketed(opening: str, items: list[Any], closing: str, *, inner_group: bool) -> Any:
    if not items:
        return opening + closing
    content: list[Any] = [*_join(items, ","), IfBreak(",")]
    body: Any = Group(content) if inner_group else content
    return Group([opening, Indent([SOFT, body]), SOFT, closing])


def condition_doc(tree: Tree, *, bool_breaks: bool = True) -> Any:
    """The document of a compiled condition (see ``conditions.condition_tree``)."""
    kind = tree[0]
    if kind == "atom":
        return tree[1]
    if kind == "call":
        return bracketed(
            f"{tree[1]}(", [condition_doc(arg) for arg in tree[2]], ")", inner_group=True
        )
    if kind == "list":
        return bracketed("[", [condition_doc(item) for item in tree[1]], "]", inner_group=False)
    if kind == "not":
        return ["not ", condition_doc(tree[1])]
    if kind == "paren":
        return Group(["(", Indent([SOFT, condition_doc(tree[1])]), SOFT, ")"])
    if kind == "bool":
        parts: list[Any] = [condition_doc(tree[2][0])]
        for operand in tree[2][1:]:
            parts += [SPACE if bool_breaks else " ", f"{tree[1]} ", condition_doc(operand)]
        return Group(parts) if bool_breaks else parts
    raise ValueError(f"unknown tree node {kind!r}")


def if_lines(tree: Tree, indent: int, width: int) -> list[str]:
    """``if <condition>:`` as ruff formats it."""
    flat = print_doc(["if ", condition_doc(tree), ":"], indent, 10**9)
    if len(flat) == 1 and len(flat[0]) <= width:
        return flat
    if tree[0] != "bool":
        return print_doc(["if ", condition_doc(tree), ":"], indent, width)
    parenthesized = Group([IfBreak("("), Indent([SOFT, condition_doc(tree)]), SOFT, IfBreak(")")])
    with_parentheses = print_doc(["if ", parenthesized, ":"], indent, width)
    if len(tree[2]) > 2:
        return with_parentheses
    # With two operands, ruff omits the optional parentheses when splitting the operands'
    # own brackets is enough, or when nothing fits anyway.
    omitted = print_doc(["if ", condition_doc(tree, bool_breaks=False), ":"], indent, width)
    if all(len(line) <= width for line in omitted):
        return omitted
    if all(len(line) <= width for line in with_parentheses):
        return with_parentheses
    return omitted
