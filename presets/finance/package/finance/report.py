"""The figures of the portfolio report, as Markdown tables (the reporter adds the words)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .charts import label, to_cents
from .knowledge import Passage
from .portfolio import Portfolio

TOP_ROWS = 6


def money(value: float) -> str:
    return f"${value:,.2f}"


def percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


def table(headers: list[str], rows: Iterable[list[str]]) -> str:
    lines = [f"| {' | '.join(headers)} |", f"| {' | '.join('---' for _ in headers)} |"]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    return "\n".join(lines)


def breakdown_table(
    title: str, values: Mapping[str, float], total: float, names: Callable[[str], str] = label
) -> str:
    """The largest rows of a breakdown, the rest summed up; the amounts add up to total."""
    amounts = to_cents(values, total)
    ordered = sorted(amounts, key=lambda name: -amounts[name])
    shown = ordered[:TOP_ROWS]
    rows = [[names(name), money(amounts[name]), percent(amounts[name], total)] for name in shown]
    rest = sum(amounts[name] for name in ordered[TOP_ROWS:])
    if rest:
        rows.append(["All others", money(rest), percent(rest, total)])
    return table([title, "Value", "Share"], rows)


def figures(portfolio: Portfolio, job_input: Mapping[str, Any]) -> str:
    """The report's figures: value, allocations, accounts, largest holdings, the goal."""
    total = portfolio.total_value
    names = {h.symbol: h.instrument.name for h in portfolio.holdings}
    by_symbol = portfolio.by_symbol()
    largest = sorted(by_symbol, key=lambda symbol: -by_symbol[symbol])[:TOP_ROWS]
    return "\n\n".join(
        [
            "## Summary",
            table(
                ["Figure", "Value"],
                [
                    ["Portfolio value", money(total)],
                    ["Invested", money(portfolio.invested_value)],
                    ["Cash", money(portfolio.cash_value)],
                    ["Accounts", str(len(portfolio.cash))],
                    ["Instruments", str(len(by_symbol))],
                    ["Years until retirement", str(job_input["years_until_retirement"])],
                    ["Target retirement income", money(job_input["target_retirement_income"])],
                    ["Annual contribution", money(job_input["annual_contribution"])],
                ],
            ),
            "## Allocation",
            breakdown_table("Asset class", portfolio.by_asset_class(), total),
            breakdown_table("Region", portfolio.by_region(), total),
            breakdown_table("Sector", portfolio.by_sector(), total),
            "## Accounts",
            breakdown_table("Account", portfolio.by_account(), total, names=str),
            "## Largest holdings",
            table(
                ["Symbol", "Name", "Value", "Share"],
                [[s, names[s], money(by_symbol[s]), percent(by_symbol[s], total)] for s in largest],
            ),
        ]
    )


def research_notes(found: list[Passage]) -> str:
    if not found:
        return "## Research notes\n\nThe knowledge base has no notes on these holdings."
    quotes = [f"> {p.text}\n>\n> {p.source}, {p.heading or 'introduction'}" for p in found]
    return "## Research notes\n\n" + "\n\n".join(quotes)
