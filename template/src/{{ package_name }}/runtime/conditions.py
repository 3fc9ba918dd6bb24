"""Helpers for the conditions compiled into ``orchestrator/plan.py``.

Semantics:

- A path that does not exist in the job (missing key, wrong container type, index out
  of range, an agent without a result) reads as ``MISSING``.
- A comparison with ``MISSING`` on either side is False, whatever the operator (``ne``
  included), so ``not (input.x == 1)`` is True when ``input.x`` is missing.
- Ordering between incomparable types (``"a" < 1``) is False, never an error.
- ``is_in(x, c)`` / ``not_in(x, c)`` are False when either side is ``MISSING`` or the
  membership test raises ``TypeError`` (``1 in 5``).
- ``truthy(MISSING)`` is False; otherwise it is Python's truthiness.
"""

from collections.abc import Callable
from typing import Any, Final


class _Missing:
    """The value of a path that does not exist."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()


def _compare(left: Any, right: Any, test: Callable[[Any, Any], Any]) -> bool:
    if left is MISSING or right is MISSING:
        return False
    try:
        return bool(test(left, right))
    except TypeError:
        return False


def eq(left: Any, right: Any) -> bool:
    return _compare(left, right, lambda a, b: a == b)


def ne(left: Any, right: Any) -> bool:
    return _compare(left, right, lambda a, b: a != b)


def lt(left: Any, right: Any) -> bool:
    return _compare(left, right, lambda a, b: a < b)


def le(left: Any, right: Any) -> bool:
    return _compare(left, right, lambda a, b: a <= b)


def gt(left: Any, right: Any) -> bool:
    return _compare(left, right, lambda a, b: a > b)


def ge(left: Any, right: Any) -> bool:
    return _compare(left, right, lambda a, b: a >= b)


def is_in(item: Any, container: Any) -> bool:
    return _compare(item, container, lambda a, b: a in b)


def not_in(item: Any, container: Any) -> bool:
    return _compare(item, container, lambda a, b: a not in b)


def truthy(value: Any) -> bool:
    return value is not MISSING and bool(value)
