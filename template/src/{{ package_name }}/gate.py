"""The input gate: every job input passes here first, whichever way it comes (`run` and
`submit` on the command line, the HTTP API, a Lambda event), before `inputs.check_input`
checks it against agents.yaml.

It admits JSON that every job store holds exactly as sent (SQLite, PostgreSQL, the Data
API, DynamoDB): the rules of I-JSON (RFC 7493) for numbers, surrogates and keys, no NUL,
which PostgreSQL cannot store, and limits of size and depth. Anything else is refused with
one problem naming its field, as in ``input.accounts[0].positions[2].symbol``:

- text as sent: UTF-8 JSON, at most ``MAX_TEXT_BYTES`` (whitespace and escapes included);
- size: at most ``MAX_INPUT_BYTES`` as canonical JSON (compact, UTF-8). PostgreSQL's text of
  it is at most 1.5 times as much (a space after each comma and colon): 48 KiB, within the
  Data API's 64 KB per row with the job's other fields; stored with every character escaped,
  at most three times as much: 96 KiB, within a DynamoDB item;
- depth: arrays and objects nested at most ``MAX_DEPTH`` deep, checked on the text before
  it is parsed;
- numbers: finite (no NaN or Infinity), integers within +-(2**53 - 1);
- strings and keys: no NUL (U+0000) and no lone surrogate (U+D800 to U+DFFF);
- keys: unique within their object.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any

MAX_INPUT_BYTES = 32 * 1024
MAX_TEXT_BYTES = 256 * 1024  # as sent: pretty-printed JSON of the largest input fits
MAX_DEPTH = 32
MAX_INTEGER = 2**53 - 1

_JOB_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_USER_ID = re.compile(r"[^\x00-\x1f\x7f-\x9f\ud800-\udfff]{1,256}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")
_SHOWN_KEY = 40
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Strings (an unterminated one runs to the end) and the characters that give the nesting.
_STRING = r'"(?:[^"\\]|\\.)*+"?'
_TOKEN = re.compile(_STRING + r"|[\[\]{},:]", re.DOTALL)
_NOT_BRACKET = re.compile(_STRING + r"|[^\[\]{}]+", re.DOTALL)
_INNERMOST = re.compile(r"[\[{][\]}]")
_LONG_INTEGER = re.compile(r"[0-9]{17}")


class InvalidInput(ValueError):
    """A refused job input: each problem is (field, message), the field as ``input.a[2].b``."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))
        self.problems = problems


class NotJson(InvalidInput):
    """Text that is not JSON at all: not UTF-8, or not JSON syntax."""


class TooLarge(InvalidInput):
    """Text over ``MAX_TEXT_BYTES``, or an input over ``MAX_INPUT_BYTES`` as JSON."""


def field_path(parts: Iterable[str | int], root: str = "input") -> str:
    """``input.accounts[0]["a key"]``: indexes and keys other than short names in brackets."""
    path = root
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _NAME.fullmatch(part):
            path += f".{part}"
        else:
            shown = part if len(part) <= _SHOWN_KEY else part[:_SHOWN_KEY] + "..."
            path += f"[{json.dumps(shown)}]"
    return path


def json_type(value: object) -> str:
    """The JSON name of a parsed value's type: object, array, string, number, boolean or null."""
    if value is None:
        return "null"
    kinds = ((bool, "boolean"), (dict, "object"), (list, "array"), (str, "string"))
    return next((name for kind, name in kinds if isinstance(value, kind)), "number")


def is_job_id(value: object) -> bool:
    """Whether ``value`` has the shape of a job id (the store is not asked)."""
    return isinstance(value, str) and _JOB_ID.fullmatch(value) is not None


def is_user_id(value: object) -> bool:
    """Whether ``value`` can be a user id: 1 to 256 characters, no control character."""
    return isinstance(value, str) and _USER_ID.fullmatch(value) is not None


class _Refused:
    """A value of the text that the gate refuses, left in place for ``check_json`` to name."""

    def __init__(self, message: str):
        self.message = message


def _constant(name: str) -> _Refused:
    return _Refused(f"{name} is not a JSON number")


def _integer(digits: str) -> int | _Refused:
    if len(digits.lstrip("-")) > len(str(MAX_INTEGER)):
        return _Refused(_integer_problem())
    return int(digits)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                value[key] = _Refused("this key appears more than once in its object")
            seen.add(key)
    return value


def _integer_problem() -> str:
    return f"integer beyond +-{MAX_INTEGER} (2**53 - 1), where JSON numbers stop being exact"


def _maybe_too_deep(text: str) -> bool:
    """False when ``text`` surely nests at most MAX_DEPTH deep; fast, on the brackets alone."""
    brackets = _NOT_BRACKET.sub("", text)
    for _ in range(MAX_DEPTH):
        brackets, removed = _INNERMOST.subn("", brackets)
        if not removed:
            break
    return bool(brackets)


def _too_deep(text: str) -> list[str | int] | None:
    """The path to the first array or object of ``text`` nested deeper than MAX_DEPTH."""
    kinds: list[str] = []
    parts: list[str | int] = []  # per open container: the current index, or the last key
    awaiting_key = False
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            if len(kinds) == MAX_DEPTH:
                return parts
            kinds.append(token)
            parts.append(0 if token == "[" else "")
            awaiting_key = token == "{"
        elif token in ("]", "}"):
            if kinds:
                kinds.pop()
                parts.pop()
            awaiting_key = False
        elif token == ",":
            if kinds and kinds[-1] == "[":
                parts[-1] += 1  # type: ignore[operator]
            awaiting_key = bool(kinds) and kinds[-1] == "{"
        elif token == ":":
            awaiting_key = False
        elif awaiting_key:
            parts[-1] = _key(token)
            awaiting_key = False
    return None


def _key(token: str) -> str:
    try:
        return json.loads(token)
    except ValueError:
        return token.strip('"')


def parse_json(data: bytes, root: str = "input") -> Any:
    """The value of a JSON text from outside, once it has passed the gate.

    Raises TooLarge, NotJson, or InvalidInput naming the field at fault.
    """
    if len(data) > MAX_TEXT_BYTES:
        raise TooLarge([(root, f"the text is over the {MAX_TEXT_BYTES // 1024} KiB limit")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        where = f"byte {data[error.start]:#04x} at offset {error.start}"
        raise NotJson([(root, f"not UTF-8 text ({where})")]) from None
    if _maybe_too_deep(text) and (path := _too_deep(text)) is not None:
        raise InvalidInput([(field_path(path, root), _depth_problem())])
    # Integers of more digits than MAX_INTEGER are caught while parsing (Python refuses to
    # parse those of 4300 digits); the others are checked with the rest of the value.
    long_integers = _integer if _LONG_INTEGER.search(text) else None
    try:
        value = json.loads(
            text, parse_constant=_constant, parse_int=long_integers, object_pairs_hook=_object
        )
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise NotJson([(root, f"not JSON: {error.msg} at {where}")]) from None
    check_size(value, root)  # first: a large text is refused before it is walked
    _check_values(value, root)
    return value


def _depth_problem() -> str:
    return f"nested deeper than {MAX_DEPTH} arrays and objects"


def _text_problem(text: str) -> str | None:
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "contains NUL (U+0000), which the job stores cannot hold"
    return f"contains a lone surrogate (U+{ord(found.group()):04X}), which is not Unicode text"


def _problem(value: Any, path: list[str | int], depth: int) -> tuple[list, str] | None:
    """The first value under ``value`` that the gate refuses: its path and why."""
    if isinstance(value, _Refused):
        return path, value.message
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if abs(value) <= MAX_INTEGER else (path, _integer_problem())
    if isinstance(value, float):
        return None if math.isfinite(value) else (path, f"{value} is not a JSON number")
    if isinstance(value, str):
        problem = _text_problem(value)
        return (path, problem) if problem else None
    if not isinstance(value, dict | list):
        return path, f"a {type(value).__name__} is not a JSON value"
    if depth > MAX_DEPTH:
        return path, _depth_problem()
    if isinstance(value, list):
        items = enumerate(value)
    else:
        for key in value:
            if not isinstance(key, str):
                return path, f"the key {key!r} is not a string"
            if problem := _text_problem(key):
                return [*path, key], f"its key {problem}"
        items = value.items()
    for key, item in items:
        if found := _problem(item, [*path, key], depth + 1):
            return found
    return None


def _size(value: Any) -> int:
    """Bytes of ``value`` as canonical JSON: compact separators, UTF-8, nothing escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=repr)
    return len(text.encode("utf-8", "surrogatepass"))


def check_size(value: Any, root: str = "input", max_bytes: int = MAX_INPUT_BYTES) -> None:
    """Raise TooLarge when ``value`` (nested at most MAX_DEPTH) is over ``max_bytes``."""
    size = _size(value)
    if size <= max_bytes:
        return
    field = root
    if isinstance(value, dict) and value:
        field = field_path([max(value, key=lambda key: _size(value[key]))], root)
    limit = f"{size / 1024:.1f} KiB as JSON, over the {max_bytes // 1024} KiB limit"
    message = limit if field == root else f"makes the {root} {limit}"
    raise TooLarge([(field, message)])


def _check_values(value: Any, root: str) -> None:
    if found := _problem(value, [], 1):
        path, message = found
        raise InvalidInput([(field_path(path, root), message)])


def check_json(value: Any, root: str = "input", max_bytes: int = MAX_INPUT_BYTES) -> None:
    """Refuse a value that a job store could not hold exactly as it is (see above); an
    agent's output passes here too, under its own size limit (runtime/worker/output.py)."""
    _check_values(value, root)
    check_size(value, root, max_bytes)


def load_stored(text: str | bytes) -> Any:
    """JSON as PostgreSQL gives it back: it writes every number as a plain decimal (1e+23 as
    100000000000000000000000). The gate admits no integer beyond MAX_INTEGER, so a longer
    one was a float, and is read as the float it was."""
    return json.loads(text, parse_int=_stored_integer)


def _stored_integer(digits: str) -> int | float:
    number = int(digits)
    return number if abs(number) <= MAX_INTEGER else float(digits)
