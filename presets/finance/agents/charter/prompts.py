"""The charter's instructions, and the task that gives it the computed charts."""

import json
from typing import Any

INSTRUCTIONS = """\
You are the charter agent. The portfolio's charts are computed for you, in currency: by
asset class, region, sector and account. Describe in two or three plain sentences what they
show (concentration, balance, what stands out). Quote figures only as they appear in the
charts; do not compute new ones.
"""


def notes_task(charts: list[dict[str, Any]], portfolio_value: float) -> str:
    """The message that gives the model the charts to describe."""
    shown = [
        {"title": c["title"], "data": [{d["name"]: d["value"]} for d in c["data"]]} for c in charts
    ]
    return (
        f"Portfolio value: {portfolio_value:,.2f}\n\n"
        f"Charts (values in currency):\n{json.dumps(shown, indent=2)}"
    )
