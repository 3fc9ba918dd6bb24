"""The retirement agent's pipeline: the Monte Carlo projection in code (Alex's assumptions,
500 simulations, a fixed seed so a job's figures never change); the model writes the
analysis."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ...finance import montecarlo
from ...finance.portfolio import Portfolio
from ...runtime.records import Ask, JobContext
from .prompts import analysis_task


async def run(job: JobContext, ask: Ask) -> dict[str, Any]:
    portfolio = Portfolio.from_job(job.input, job.results)
    weights = portfolio.asset_class_weights()
    projection = montecarlo.simulate(
        portfolio.total_value,
        weights,
        years_until_retirement=job.input["years_until_retirement"],
        annual_contribution=job.input["annual_contribution"],
        target_income=job.input["target_retirement_income"],
    )
    figures = {
        "success_probability": projection.success_probability,
        "portfolio_value": round(portfolio.total_value, 2),
        "percentiles_at_retirement": projection.at_retirement,
        "projection": projection.yearly,
        "asset_class_weights": {name: round(weight, 4) for name, weight in weights.items()},
        "expected_return": round(projection.expected_return, 4),
        "volatility": round(projection.volatility, 4),
        "assumptions": {
            "returns": {name: asdict(a) for name, a in montecarlo.ASSUMPTIONS.items()},
            "other_classes_as": montecarlo.FALLBACK_CLASS,
            "retirement_years": montecarlo.RETIREMENT_YEARS,
            "inflation": montecarlo.INFLATION,
            "simulations": montecarlo.SIMULATIONS,
            "seed": montecarlo.SEED,
        },
    }
    narrative = await ask(analysis_task(figures))
    return {**figures, "analysis": narrative.analysis}
