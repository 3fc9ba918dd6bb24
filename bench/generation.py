"""Generation time against the number of agents (a figure, not a test).

Times validation (``load_project``) and the derived context the templates read
(``template_context``: compiled plan, diagram, examples, scenarios) for synthetic specs of
5, 10, 40 and 200 workers, each with a few rules that have conditions and parallel steps.
Prints the median of several runs as a table. Run with ``make bench`` or
``uv run python bench/generation.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extensions.validation import load_project  # noqa: E402

try:
    from extensions.derive import template_context as derive

    DERIVED = "template_context"
except Exception:  # noqa: BLE001 - another engineer may be changing derive.py
    from extensions.plan_compiler import compile_plan
    from extensions.spec import effective_rules

    def derive(project: Any) -> Any:
        rules = effective_rules(project.orchestration, list(project.workers))
        return compile_plan(
            rules,
            on_failure=project.orchestration.on_failure,
            strategy=project.orchestration.strategy,
            workers=list(project.workers),
        )

    DERIVED = "compile_plan"

SIZES = (5, 10, 40, 200)
RUNS = 7
SCALARS = {
    "project_name": "Bench",
    "project_slug": "bench",
    "aws_region": "us-east-1",
    "database": "dynamodb",
    "llm_provider": "bedrock",
    "llm_model": "us.amazon.nova-pro-v1:0",
}


def synthetic_spec(count: int) -> dict[str, Any]:
    """``count`` workers split into up to 8 rules of a sequential and a parallel step."""
    names = [f"agent_{index:03d}" for index in range(count)]
    agents = {
        name: {
            "description": f"Synthetic worker {name}",
            "runtime": {"timeout": 60, "memory": 512, "retries": 1},
            "capabilities": {"tools": ["lookup", "summarize"]},
            "outputs": {"key": f"{name}_out", "schema": {"score": "float", "label": "str"}},
            "optional": index % 5 == 4,
        }
        for index, name in enumerate(names)
    }
    groups = min(8, max(1, count // 5))
    size = count // groups
    rules = []
    for group in range(groups):
        chunk = names[group * size : (group + 1) * size if group < groups - 1 else count]
        first, rest = chunk[:1], chunk[1:]
        rule: dict[str, Any] = {
            "name": f"rule_{group}",
            "condition": "always"
            if group == 0
            else (
                f"input.kind in ['a', 'b'] and input.count > {group} "
                f"and results.{names[0]}.score >= 0.{group}"
            ),
            "agents": [{"sequential": first}, {"parallel": rest}] if rest else first,
        }
        if group % 2 == 1:
            rule["else"] = [{"sequential": first}]
        rules.append(rule)
    return {
        **SCALARS,
        "inputs": {
            "kind": {"type": "str", "enum": ["a", "b", "c"], "required": True},
            "count": {"type": "int", "default": 0},
        },
        "agents": agents,
        "orchestration": {"strategy": "dynamic", "selection_rules": rules},
    }


def median_ms(function: Any, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    print(f"generation time, median of {RUNS} runs (ms); derived context: {DERIVED}")
    header = f"{'agents':>6}  {'rules':>5}  {'load_project':>12}  {DERIVED:>16}  {'total':>8}"
    print(header)
    print("-" * len(header))
    for count in SIZES:
        answers = synthetic_spec(count)
        project = load_project(answers)
        derive(project)  # warm caches and imports once
        load_ms = median_ms(lambda answers=answers: load_project(answers))
        derive_ms = median_ms(lambda project=project: derive(project))
        rules = len(answers["orchestration"]["selection_rules"])
        print(
            f"{count:>6}  {rules:>5}  {load_ms:>12.2f}  {derive_ms:>16.2f}  "
            f"{load_ms + derive_ms:>8.2f}"
        )


if __name__ == "__main__":
    main()
