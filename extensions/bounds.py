"""Bounds on the YAML a spec may hold, so that any file is accepted or refused in seconds.

PyYAML's loader is recursive (deep nesting ends in ``RecursionError``) and keeps aliases as
shared objects, so a few hundred bytes of nested aliases (a "billion laughs") expand to
billions of values for whatever walks them next (validation, JSON, rendering). The bounds:

- ``MAX_BYTES``: the file's size. PyYAML parses about 150 KB/s on a busy machine; 256 KiB is
  far above any real spec (the finance preset is under 5 KB) and parses within 2 s.
- ``MAX_DEPTH``: nesting of mappings and lists. A spec needs 6 levels
  (agents > agent > capabilities > tools > item), an input default a few more.
- ``MAX_VALUES``: values once aliases are expanded, counted as every walk of the data sees them.
- ``MAX_TEXT``: characters of all strings and keys once aliases are expanded.

:func:`load_yaml` applies them to a file's text (``make check``; ``make regen`` has its own
copy in the generated ``scripts/regen.py``); :func:`data_problem` to data already parsed
(``copier copy --data-file`` parses the file itself before the template runs).
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_BYTES = 256 * 1024
MAX_DEPTH = 32
MAX_VALUES = 50_000
MAX_TEXT = 1_000_000


class BoundsError(ValueError):
    """The YAML is too large, too deep or expands too much; the message says which."""


class _BoundedLoader(yaml.SafeLoader):
    """A safe loader that stops at ``MAX_DEPTH`` before Python's recursion limit does."""

    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise BoundsError(
                    f"nested more than {MAX_DEPTH} levels deep "
                    f"(line {mark.line + 1}, column {mark.column + 1})"
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    merges = 0

    def flatten_mapping(self, node: Any) -> None:
        """Merge keys (``<<: *defaults``) copy entries: bound their nesting and their size."""
        self.merges += 1
        try:
            if self.merges > MAX_DEPTH:
                raise BoundsError(f"nests merge keys (<<) more than {MAX_DEPTH} levels deep")
            super().flatten_mapping(node)
            if len(node.value) > MAX_VALUES:
                raise BoundsError(
                    f"holds more than {MAX_VALUES} values once its merge keys are expanded"
                )
        finally:
            self.merges -= 1


def data_problem(value: Any) -> str | None:
    """Why parsed data is out of bounds (depth, values or text once aliases expand), or None."""
    values = text = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        values += 1
        if values > MAX_VALUES:
            return (
                f"holds more than {MAX_VALUES} values once its aliases are expanded "
                "(nested YAML aliases expand exponentially)"
            )
        if depth > MAX_DEPTH:
            return f"is nested more than {MAX_DEPTH} levels deep"
        if isinstance(item, str):
            text += len(item)
        elif isinstance(item, dict):
            text += sum(len(key) for key in item if isinstance(key, str))
            stack.extend((inner, depth + 1) for inner in item.values())
        elif isinstance(item, list):
            stack.extend((inner, depth + 1) for inner in item)
        if text > MAX_TEXT:
            return f"holds more than {MAX_TEXT} characters of text once its aliases are expanded"
    return None


def load_yaml(text: str) -> Any:
    """The data of a YAML document within the bounds; ``BoundsError`` or ``yaml.YAMLError``."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise BoundsError(f"is {size} bytes; a spec may have at most {MAX_BYTES}")
    loader = _BoundedLoader(text)
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    problem = data_problem(data)
    if problem:
        raise BoundsError(problem)
    return data
