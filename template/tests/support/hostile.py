"""Hostile job inputs for the input gate (src/<package>/gate.py).

- ``hostile_inputs``: texts as a client sends them, to every entry point (CLI, API, Lambda).
  Each one is refused with one line naming ``field``: the command line exits 2, the API
  answers ``status`` with a problem naming it, and nothing is stored.
- ``INPUTS``: arbitrary job inputs as values, with the characters (NUL, lone surrogates),
  numbers, sizes and depths that the stores mind: refused, or stored and read back equal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from hypothesis import strategies as st

TRAP = "@trap@"


@dataclass(frozen=True)
class Hostile:
    name: str
    text: bytes
    field: str
    status: int


def _under(valid: dict, name: str, trap: str) -> bytes:
    """A valid input whose field ``name`` holds the JSON text ``trap``."""
    return json.dumps({**valid, name: TRAP}).replace(json.dumps(TRAP), trap).encode()


def hostile_inputs(valid: dict, name: str) -> list[Hostile]:
    """The hostile inputs, built on a valid input and one of its fields, ``name``: the gate
    refuses them before the fields are checked against agents.yaml."""
    field = f"input.{name}"
    traps = [
        ("500 levels of arrays", "[" * 500 + "]" * 500, field + "[0]" * 31, 422),
        ("40 levels of objects", '{"a": ' * 40 + "1" + "}" * 40, field + ".a" * 31, 422),
        (
            "NaN",
            '{"accounts": [{"positions": [1, 2, {"value": NaN}]}]}',
            f"{field}.accounts[0].positions[2].value",
            422,
        ),
        ("Infinity", "[0, Infinity]", f"{field}[1]", 422),
        ("-Infinity", "-Infinity", field, 422),
        ("a number beyond floats", "1e400", field, 422),
        ("an integer of 5000 digits", "9" * 5000, field, 422),
        ("2**53", str(2**53), field, 422),
        (
            "NUL in a value",
            '{"accounts": [{"positions": [{}, {}, {"symbol": "A\\u0000"}]}]}',
            f"{field}.accounts[0].positions[2].symbol",
            422,
        ),
        ("NUL in a key", '{"a\\u0000b": 1}', field + '["a\\u0000b"]', 422),
        ("a lone high surrogate", '"\\ud83d"', field, 422),
        ("a lone low surrogate in a key", '{"\\udc00": 1}', field + '["\\udc00"]', 422),
        ("a surrogate pair reversed", '["\\ude00\\ud83d"]', f"{field}[0]", 422),
        ("a key twice", '{"a": 1, "b": 2, "a": 3}', f"{field}.a", 422),
        ("80 KiB as JSON", json.dumps("é" * 40_000), field, 413),
    ]
    cases = [
        Hostile(title, _under(valid, name, trap), path, status)
        for title, trap, path, status in traps
    ]
    cases += [
        Hostile("3 KB of brackets", b"[" * 3000, "input" + "[0]" * 32, 422),
        Hostile("300 KB of text", json.dumps({name: "x" * 300_000}).encode(), "input", 413),
        Hostile(
            "latin-1 text",
            json.dumps({name: "café"}, ensure_ascii=False).encode("latin-1"),
            "input",
            400,
        ),
        Hostile("not JSON", b"{not json", "input", 400),
        Hostile("no text at all", b"", "input", 400),
        Hostile("an array", b"[1, 2]", "input", 422),
    ]
    return cases


# Mostly text that every store holds: hypothesis favours NUL and surrogates when it may draw
# them, so text of any characters is one branch in six, and one in six is a known trap.
CLEAN_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
TRAPS = st.sampled_from(["\x00", "a\x00b", "\ud800", "a\udfffb", "\ude00\ud83d"])
TEXT = st.one_of(CLEAN_TEXT, CLEAN_TEXT, CLEAN_TEXT, CLEAN_TEXT, ANY_TEXT, TRAPS)
# Keys come in numbers: one in twenty is of any characters, or a trap.
KEYS = st.integers(0, 19).flatmap(lambda draw: CLEAN_TEXT if draw > 1 else ANY_TEXT | TRAPS)
NUMBERS = st.integers() | st.floats() | st.sampled_from([2**53 - 1, -(2**53), 1e23, 5e-324])
HUGE = st.integers(30_000, 40_000).map(lambda length: "é" * length)
DEEP = st.integers(25, 40).map(lambda depth: json.loads("[" * depth + "]" * depth))
SCALARS = st.none() | st.booleans() | NUMBERS | TEXT | HUGE | DEEP
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=10,
)
INPUTS = st.dictionaries(KEYS, VALUES, max_size=4)
