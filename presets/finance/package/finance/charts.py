"""Alex's charts, computed: what a frontend draws with Recharts.

A chart is ``{key, title, type, description, data: [{name, value, color}]}``, ``type`` one
of pie, bar, donut, horizontalBar, and ``value`` an amount in the portfolio's currency. The
values of each chart are rounded to cents so that they add up to the portfolio's value to
the cent (largest remainder first).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Literal

from .portfolio import Portfolio

ChartType = Literal["pie", "bar", "donut", "horizontalBar"]
PALETTE = (
    "#3B82F6",
    "#10B981",
    "#F59E0B",
    "#EF4444",
    "#8B5CF6",
    "#14B8A6",
    "#F97316",
    "#EC4899",
    "#6366F1",
    "#84CC16",
    "#0EA5E9",
    "#A855F7",
)
OTHER_COLOR = "#6B7280"
# Names as people read them, where title case of the key is not enough.
LABELS = {"global": "Global (not split)", "international": "International (not split)"}


def label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " ").title())


def to_cents(values: Mapping[str, float], total: float) -> dict[str, float]:
    """Each value rounded to cents, the rounded values adding up to ``total`` in cents."""
    if not values:
        return {}
    exact = {name: value * 100 for name, value in values.items()}
    cents = {name: math.floor(value) for name, value in exact.items()}
    missing = round(total * 100) - sum(cents.values())
    by_remainder = sorted(exact, key=lambda name: exact[name] - cents[name], reverse=True)
    for index in range(abs(missing)):
        cents[by_remainder[index % len(by_remainder)]] += 1 if missing > 0 else -1
    return {name: amount / 100 for name, amount in cents.items()}


def chart(
    key: str,
    title: str,
    chart_type: ChartType,
    description: str,
    values: Mapping[str, float],
    total: float,
    names: Callable[[str], str] = label,
) -> dict[str, Any]:
    """One chart of ``values`` (largest first), in cents that add up to ``total``."""
    amounts = to_cents(values, total)
    ordered = sorted((name for name in amounts if amounts[name]), key=lambda n: -amounts[n])
    return {
        "key": key,
        "title": title,
        "type": chart_type,
        "description": description,
        "data": [
            {
                "name": names(name),
                "value": amounts[name],
                "color": PALETTE[index] if index < len(PALETTE) else OTHER_COLOR,
            }
            for index, name in enumerate(ordered)
        ],
    }


def portfolio_charts(portfolio: Portfolio) -> list[dict[str, Any]]:
    """The asset class, region, sector and account charts of a portfolio."""
    total = portfolio.total_value
    return [
        chart(
            "asset_class_distribution",
            "Asset Class Distribution",
            "pie",
            "Value by asset class; cash balances count as cash",
            portfolio.by_asset_class(),
            total,
        ),
        chart(
            "geographic_exposure",
            "Geographic Exposure",
            "bar",
            "Value by region, from each fund's regional split",
            portfolio.by_region(),
            total,
        ),
        chart(
            "sector_breakdown",
            "Sector Breakdown",
            "donut",
            "Value by sector, from each fund's sector split",
            portfolio.by_sector(),
            total,
        ),
        chart(
            "account_distribution",
            "Account Distribution",
            "horizontalBar",
            "Value held in each account, cash included",
            portfolio.by_account(),
            total,
            names=str,
        ),
    ]
