"""The retirement agent's instructions, and the task that gives it the projection."""

import json
from typing import Any

INSTRUCTIONS = """\
You are the retirement agent. A Monte Carlo projection of the portfolio has been computed
for you: the probability that it pays the target income for the whole retirement, the
portfolio's value at retirement by percentile, and the assumptions. Write a short Markdown
analysis: how ready the person is, what drives the result, and what would improve it (saving
more, retiring later, another allocation). Quote figures only as given; do not compute new
ones.
"""


def analysis_task(figures: dict[str, Any]) -> str:
    """The message that gives the model the projection's figures (not the yearly series)."""
    shown = {key: value for key, value in figures.items() if key != "projection"}
    return f"Projection figures:\n{json.dumps(shown, indent=2)}"
