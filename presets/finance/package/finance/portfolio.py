"""The portfolio of a job, valued: positions times prices, plus each account's cash.

It reads Alex's input (``accounts`` with ``account_name``, ``cash_balance`` and ``positions``
of ``symbol`` and ``quantity``) and the tagger's result (a classification and a price per
symbol). Breakdowns are in currency and each sums to the portfolio's value: cash balances
count as the ``cash`` asset class, region and sector.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .instruments import InstrumentClassification

TAGGER = "tagger"
CASH = "cash"


class MissingFigures(RuntimeError):
    """An earlier result this computation needs is not there."""


@dataclass(frozen=True)
class Holding:
    account: str
    symbol: str
    quantity: float
    price: float
    instrument: InstrumentClassification

    @property
    def value(self) -> float:
        return self.quantity * self.price


@dataclass(frozen=True)
class Portfolio:
    holdings: tuple[Holding, ...]
    cash: Mapping[str, float]  # cash balance by account, in the order of the input

    @classmethod
    def from_job(cls, job_input: Mapping[str, Any], results: Mapping[str, Any]) -> Portfolio:
        """The job's accounts, valued with the tagger's classifications and prices."""
        tagged = results.get(TAGGER)
        if not tagged:
            raise MissingFigures(f"the {TAGGER} agent's classifications are not in this job")
        classifications = {
            item["symbol"]: InstrumentClassification.model_validate(item)
            for item in tagged["classifications"]
        }
        prices = tagged["prices"]
        holdings, cash = [], {}
        for account, name in zip(job_input["accounts"], account_labels(job_input), strict=True):
            cash[name] = float(account.get("cash_balance") or 0)
            for position in account.get("positions") or []:
                symbol = position["symbol"].upper()
                if symbol not in classifications or symbol not in prices:
                    raise MissingFigures(f"the {TAGGER} agent did not classify and price {symbol}")
                holdings.append(
                    Holding(
                        account=name,
                        symbol=symbol,
                        quantity=float(position["quantity"]),
                        price=float(prices[symbol]),
                        instrument=classifications[symbol],
                    )
                )
        return cls(holdings=tuple(holdings), cash=cash)

    @property
    def total_value(self) -> float:
        return self.invested_value + self.cash_value

    @property
    def invested_value(self) -> float:
        return sum(holding.value for holding in self.holdings)

    @property
    def cash_value(self) -> float:
        return sum(self.cash.values())

    def _split(self, breakdown: str) -> dict[str, float]:
        values: dict[str, float] = {}
        for holding in self.holdings:
            shares = getattr(holding.instrument, breakdown).shares()
            whole = sum(shares.values())  # 100, give or take the tolerance of the check
            for name, share in shares.items():
                if share:
                    values[name] = values.get(name, 0.0) + holding.value * share / whole
        if self.cash_value:
            values[CASH] = values.get(CASH, 0.0) + self.cash_value
        return values

    def by_asset_class(self) -> dict[str, float]:
        return self._split("allocation_asset_class")

    def by_region(self) -> dict[str, float]:
        return self._split("allocation_regions")

    def by_sector(self) -> dict[str, float]:
        return self._split("allocation_sectors")

    def by_account(self) -> dict[str, float]:
        values = dict(self.cash)
        for holding in self.holdings:
            values[holding.account] += holding.value
        return values

    def by_symbol(self) -> dict[str, float]:
        values: dict[str, float] = {}
        for holding in self.holdings:
            values[holding.symbol] = values.get(holding.symbol, 0.0) + holding.value
        return values

    def asset_class_weights(self) -> dict[str, float]:
        """Each asset class's fraction of the value; an empty portfolio counts as cash."""
        total = self.total_value
        if total <= 0:
            return {CASH: 1.0}
        return {name: value / total for name, value in self.by_asset_class().items()}


def account_labels(job_input: Mapping[str, Any]) -> list[str]:
    """Account names, made unique (``401k``, ``401k (2)``) so no two share a label."""
    labels: list[str] = []
    for account in job_input["accounts"]:
        name, number = account["account_name"], 2
        label = name
        while label in labels:
            label, number = f"{name} ({number})", number + 1
        labels.append(label)
    return labels


def symbols(job_input: Mapping[str, Any]) -> list[str]:
    """Every symbol the job holds, upper-cased, in order of first appearance."""
    found = [
        position["symbol"].upper()
        for account in job_input["accounts"]
        for position in account.get("positions") or []
    ]
    return list(dict.fromkeys(found))
