"""The finance preset's Monte Carlo projection: time for 500 and 5000 simulations (figures,
not a test). The module is the one generated projects get (standard library only); the
portfolio is the preset's example mix, 25 years to retirement, then 30 years of retirement.

Run: uv run python bench/montecarlo.py
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from pathlib import Path

MODULE = Path(__file__).resolve().parent.parent / "presets/finance/package/finance/montecarlo.py"
WEIGHTS = {"equity": 0.77, "fixed_income": 0.105, "cash": 0.069, "commodities": 0.029}
WEIGHTS["real_estate"] = 1 - sum(WEIGHTS.values())
REPEATS = 7
WIDTHS = (12, 12, 10, 10, 22)


def load_montecarlo():
    spec = importlib.util.spec_from_file_location("montecarlo", MODULE)
    module = importlib.util.module_from_spec(spec)
    sys.modules["montecarlo"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def main() -> None:
    montecarlo = load_montecarlo()
    header = ("simulations", "median ms", "min ms", "success", "median at retirement")
    print("".join(f"{title:>{width}}" for title, width in zip(header, WIDTHS, strict=True)))
    for simulations in (500, 5000):
        times, projection = [], None
        for _ in range(REPEATS):
            started = time.perf_counter()
            projection = montecarlo.simulate(
                207_257.50,
                WEIGHTS,
                years_until_retirement=25,
                annual_contribution=10_000,
                target_income=80_000,
                simulations=simulations,
            )
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"{simulations:>12}{statistics.median(times):>12.1f}{min(times):>10.1f}"
            f"{projection.success_probability:>10.3f}{projection.at_retirement['p50']:>22,.0f}"
        )


if __name__ == "__main__":
    main()
