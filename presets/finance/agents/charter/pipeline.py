"""The charter's pipeline: Alex's charts computed from the positions, prices and
classifications; the model only writes the summary."""

from __future__ import annotations

from typing import Any

from ...finance.charts import portfolio_charts
from ...finance.portfolio import Portfolio
from ...runtime.records import Ask, JobContext
from .prompts import notes_task


async def run(job: JobContext, ask: Ask) -> dict[str, Any]:
    portfolio = Portfolio.from_job(job.input, job.results)
    charts = portfolio_charts(portfolio)
    notes = await ask(notes_task(charts, portfolio.total_value))
    return {
        "charts": charts,
        "portfolio_value": round(portfolio.total_value, 2),
        "summary": notes.summary,
    }
