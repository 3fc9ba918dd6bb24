"""Escaping filters: one per syntax a value from the answers or agents.yaml may land in.

Every answer or spec value that reaches a generated file goes through the filter for the
syntax at that spot (tests/test_template_interpolations.py parses every ``{{ ... }}`` of
``template/`` and enforces it). Validation refuses control characters in text before rendering
(see ``values.py``); these filters are still safe on any text, so that a value that slips
past validation can break neither the syntax nor the meaning of the file it lands in.

| filter            | target                                                        |
| ----------------- | ------------------------------------------------------------- |
| ``pyrepr``        | a Python literal (str, number, bool, None, list, dict)         |
| ``py_assign``     | ``NAME = <literal>``, wrapped as ruff wraps a long one          |
| ``py_block``      | a Python literal laid out one item per line (ruff's magic comma) |
| ``pytext``        | the text of a docstring or a ``\"\"\"`` string, wrapped           |
| ``py_comment``    | the text of a ``#`` comment (Python, YAML, Terraform)          |
| ``toml_string``   | a TOML basic string                                            |
| ``as_yaml``       | a YAML document (PyYAML's safe dumper)                         |
| ``yaml_comment``  | the text of a YAML ``#`` comment                               |
| ``make_comment``  | the text of a Makefile ``#`` comment                           |
| ``hcl_string``    | a Terraform (HCL) quoted string, with no interpolation         |
| ``to_pretty_json``| a JSON document                                                |
| ``md_text``       | Markdown inline text (a heading, a paragraph)                  |
| ``md_cell``       | one cell of a Markdown table                                   |
| ``md_code``       | a Markdown code span                                           |
| ``mermaid_label`` | a quoted Mermaid label                                         |
"""

from __future__ import annotations

import json as _json
import math
import re
import unicodedata
from typing import Any

import yaml

from .conditions import quote

# ---------------------------------------------------------------------------------------------
# Characters


def is_line_break(char: str) -> bool:
    """A character some target reads as the end of a line (Python, YAML and Make differ)."""
    return char in "\n\r\v\f\x1c\x1d\x1e\x85" or unicodedata.category(char) in ("Zl", "Zp")


def visible(char: str) -> str:
    """A character as it shows on one line: itself when printable, else its escape."""
    if char == " " or char.isprintable():
        return char
    return repr(char)[1:-1]


def one_line(text: Any) -> str:
    """Text on one line: whitespace runs become one space, other unprintables their escape."""
    printable = []
    for char in str(text):
        if char.isspace() or is_line_break(char):
            printable.append(" ")
        else:
            printable.append(visible(char))
    return re.sub(r" +", " ", "".join(printable)).strip()


# ---------------------------------------------------------------------------------------------
# Python


def _python_float(value: float) -> str:
    """A float the way ``ruff format`` writes it (``1e16``, not ``1e+16``)."""
    if not math.isfinite(value):
        raise ValueError(f"{value!r} has no Python literal")
    return repr(value).replace("e+", "e")


def pyrepr(value: Any) -> str:
    """A Python literal for a JSON-like value, double-quoted as ruff formats it."""
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        return _python_float(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(pyrepr(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{pyrepr(k)}: {pyrepr(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"{type(value).__name__} has no Python literal here")


def _width(text: str) -> int:
    """Columns ``text`` takes as ruff counts them (wide characters 2, combining marks 0)."""
    return sum(
        0
        if unicodedata.combining(char)
        else 2
        if unicodedata.east_asian_width(char) in ("W", "F")
        else 1
        for char in text
    )


def py_assign(value: Any, name: str, line_length: int = 100) -> str:
    """``name = <literal>`` at column 0, laid out as ``ruff format`` lays it out.

    A line too long for ``line_length`` gets its value in parentheses on a line of its own,
    when that line fits; a value too long for any line stays as it is.
    """
    literal = pyrepr(value)
    line = f"{name} = {literal}"
    if _width(line) > line_length and 4 + _width(literal) <= line_length:
        return f"{name} = (\n    {literal}\n)"
    return line


def py_block(value: Any, indent: int = 0) -> str:
    """A literal whose lists and dicts hold one item per line, each with a trailing comma.

    ``ruff format`` keeps a collection with a trailing comma expanded, so the result is
    formatted whatever its length; ``indent`` is the column of the line it starts on.
    """
    inner = " " * (indent + 4)
    if isinstance(value, list | tuple) and value:
        items = "".join(f"{inner}{py_block(item, indent + 4)},\n" for item in value)
        return f"[\n{items}{' ' * indent}]"
    if isinstance(value, dict) and value:
        items = "".join(
            f"{inner}{pyrepr(key)}: {py_block(item, indent + 4)},\n" for key, item in value.items()
        )
        return f"{{\n{items}{' ' * indent}}}"
    return pyrepr(value)


def _docstring_units(text: str) -> list[list[str]]:
    """The words of ``text``, each as its escaped characters."""
    line = " ".join(str(text).split())
    words: list[list[str]] = [[]]
    for index, char in enumerate(line):
        if char == " ":
            words.append([])
        elif char == "\\":
            words[-1].append("\\\\")
        elif char == '"' and (index == 0 or line[index + 1 : index + 2] in ('"', "")):
            # A quote that starts the text, ends it or precedes another quote is escaped: no
            # run of three can form, the string cannot end early, and ruff adds no space.
            words[-1].append('\\"')
        else:
            words[-1].append(visible(char))
    return [word for word in words if word]


def pytext(text: Any, width: int = 88, first_line_used: int = 0) -> str:
    """Text for a module docstring or a triple-quoted string at column 0: escaped, wrapped.

    ``first_line_used`` is how much of the first line the text before it takes. Whitespace
    (line breaks included) becomes single spaces and lines break between words only, so the
    string holds the words as written; a word longer than a line stays whole.
    """
    lines: list[str] = []
    current, room = "", width - first_line_used
    for units in _docstring_units(text):
        word = "".join(units)
        if current and len(current) + 1 + len(word) > room:
            lines.append(current)
            current, room = "", width
        current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return "\n".join(lines)


def py_comment(text: Any) -> str:
    """Text for a ``#`` comment: one line, unprintable characters escaped."""
    return one_line(text)


# ---------------------------------------------------------------------------------------------
# TOML, YAML, Make, HCL, JSON

_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n"}
_TOML_ESCAPES.update({"\f": "\\f", "\r": "\\r"})


def toml_string(value: Any) -> str:
    """A TOML basic string (``"..."``): quotes, backslashes and control characters escaped."""
    body = []
    for char in str(value):
        if char in _TOML_ESCAPES:
            body.append(_TOML_ESCAPES[char])
        elif unicodedata.category(char) in ("Cc", "Cs") or is_line_break(char):
            body.append(f"\\u{ord(char):04X}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08X}")
        else:
            body.append(char)
    return '"' + "".join(body) + '"'


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, with a string holding a YAML 1.1 line break double-quoted.

    In plain or single-quoted style PyYAML writes NEL, LS and PS raw, and reads them back as
    spaces; double-quoted, it escapes them (``\\N``, ``\\L``, ``\\P``).
    """

    def represent_str(self, data: str) -> yaml.ScalarNode:
        if any(is_line_break(char) and char not in "\n" for char in data):
            return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
        return super().represent_str(data)


_Dumper.add_representer(str, _Dumper.represent_str)


def as_yaml(value: Any) -> str:
    """A YAML document (PyYAML's safe dumper quotes and escapes what needs it)."""
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def yaml_comment(text: Any) -> str:
    """Text for a YAML ``#`` comment: one line (YAML 1.1 also breaks lines at NEL, LS, PS)."""
    return one_line(text)


def make_comment(text: Any) -> str:
    """Text for a Makefile ``#`` comment: one line, and no backslash that continues it."""
    line = one_line(text)
    return f"{line} " if line.endswith("\\") else line


_HCL_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def hcl_string(value: Any) -> str:
    """A Terraform quoted string: escapes, and ``${`` / ``%{`` kept literal (``$${``, ``%%{``)."""
    body = []
    text = str(value)
    for index, char in enumerate(text):
        following = text[index + 1 : index + 2]
        if char in _HCL_ESCAPES:
            body.append(_HCL_ESCAPES[char])
        elif char in "$%" and following == "{":
            body.append(char * 2)
        elif unicodedata.category(char) in ("Cc", "Cs") or is_line_break(char):
            body.append(f"\\u{ord(char):04X}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08X}")
        else:
            body.append(char)
    return '"' + "".join(body) + '"'


def to_pretty_json(value: Any) -> str:
    """A JSON document; non-ASCII characters are escaped, so any text is safe in it."""
    return _json.dumps(value, indent=2)


# ---------------------------------------------------------------------------------------------
# Markdown and Mermaid

# CommonMark lets any ASCII punctuation be escaped with a backslash; these change inline
# text (emphasis, code, links, HTML, entities, tables, a heading's closing #s, GitHub's
# strikethrough and math).
_MARKDOWN_INLINE = set("\\`*_[]<>|~$&#")
# At the start of a line these open a block (list item, thematic break, setext underline).
_MARKDOWN_BLOCK_START = re.compile(r"^([-+=]|\d+[.)])")


def md_text(text: Any) -> str:
    """Markdown inline text: one line, markup characters escaped, read as plain text."""
    line = "".join(f"\\{char}" if char in _MARKDOWN_INLINE else char for char in one_line(text))
    match = _MARKDOWN_BLOCK_START.match(line)
    if match:
        marker = match.group(1)
        line = f"{marker[:-1]}\\{marker[-1]}{line[len(marker) :]}"
    return line


def md_cell(value: Any, json: bool = False) -> str:
    """One Markdown table cell: text, or with ``json`` any value as JSON; ``|`` cannot split it."""
    text = _json.dumps(value, ensure_ascii=False) if json or not isinstance(value, str) else value
    return md_text(text)


def md_code(text: Any) -> str:
    """A Markdown code span around one line of text, fenced by enough backticks."""
    line = one_line(text)
    if not line:
        return "` `"
    fence = "`" * (max((len(run) for run in re.findall(r"`+", line)), default=0) + 1)
    padded = f" {line} " if line.startswith("`") or line.endswith("`") else line
    return fence + padded + fence


_MERMAID_ENTITIES = {
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "#": "#35;",
    "[": "#91;",
    "]": "#93;",
    "{": "#123;",
    "}": "#125;",
    "|": "#124;",
    "`": "#96;",
}


def mermaid_label(text: Any) -> str:
    """Text for a quoted Mermaid label: one line, quotes and markup characters as entities."""
    return "".join(_MERMAID_ENTITIES.get(char, char) for char in one_line(text))


FILTERS = {
    "pyrepr": pyrepr,
    "py_assign": py_assign,
    "py_block": py_block,
    "pytext": pytext,
    "py_comment": py_comment,
    "toml_string": toml_string,
    "as_yaml": as_yaml,
    "yaml_comment": yaml_comment,
    "make_comment": make_comment,
    "hcl_string": hcl_string,
    "to_pretty_json": to_pretty_json,
    "md_text": md_text,
    "md_cell": md_cell,
    "md_code": md_code,
    "mermaid_label": mermaid_label,
}
