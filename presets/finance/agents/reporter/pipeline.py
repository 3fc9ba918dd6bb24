"""The reporter's pipeline: the report's figures as Markdown tables and research notes from
the knowledge base, in code; the model writes the assessment and the recommendations."""

from __future__ import annotations

from typing import Any

from ...finance import report
from ...finance.charts import label
from ...finance.knowledge import market_insights
from ...finance.portfolio import Portfolio
from ...runtime.records import Ask, JobContext
from .prompts import report_task


def research_query(portfolio: Portfolio) -> str:
    """What the research notes are looked up for: the portfolio's largest exposures."""
    largest = []
    for values in (portfolio.by_asset_class(), portfolio.by_region(), portfolio.by_sector()):
        largest += sorted(values, key=lambda name: -values[name])[:2]
    return " ".join(label(name) for name in largest)


async def run(job: JobContext, ask: Ask) -> dict[str, Any]:
    portfolio = Portfolio.from_job(job.input, job.results)
    figures = report.figures(portfolio, job.input)
    research = report.research_notes(market_insights(research_query(portfolio)))
    narrative = await ask(report_task(figures, research))
    sections = ["# Portfolio report", figures, "## Assessment", narrative.assessment]
    if narrative.recommendations:
        sections += ["## Recommendations", "\n".join(f"- {r}" for r in narrative.recommendations)]
    return {
        "content": "\n\n".join([*sections, research]),
        "portfolio_value": round(portfolio.total_value, 2),
    }
