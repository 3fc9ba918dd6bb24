"""Costs in USD: their sum, None (unpriced) as soon as one of them is unknown.

``pricing`` prices each model call; a cost is unknown when the price table lacks the model
(never guessed), or for a result recorded before costs were.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal


def total(costs: Iterable[Decimal | float | None]) -> Decimal | None:
    """The sum of ``costs``, or None (unpriced) if any of them is."""
    spent = Decimal(0)
    for cost in costs:
        if cost is None:
            return None
        spent += Decimal(str(cost))
    return spent


def as_usd(cost: Decimal | None) -> float | None:
    """A cost as the number stored and shown (USD, to a millionth of a cent)."""
    return None if cost is None else round(float(cost), 8)


class Spend:
    """What an agent's model calls used so far: tokens, and cost (None once one is unpriced).

    It may start from what earlier attempts of the same agent spent.
    """

    def __init__(self, cost: Decimal | float | None = 0, tokens: int = 0) -> None:
        self.cost: Decimal | None = total([cost])
        self.tokens = tokens

    def add(self, cost: Decimal | None, tokens: int) -> None:
        self.cost = total([self.cost, cost])
        self.tokens += tokens
