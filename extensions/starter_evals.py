"""The starter eval file of each worker, ``evals/<agent>.yaml``: one case on the first example.

The case gives the agent the first example's input (by its path, so it follows the example
file) and runs first, as ``after``, the agents that run before it in that example's plan (all
of that plan's agents when the plan does not reach it): their outputs may come from preset code
(a ``pipeline.py``) that only running it tells. Its checks hold on the offline model's answer
(``examples.offline_output``), so the generated tests run the file offline and expect it to
pass; the user then edits the case for what the agent must do. An agent whose preset code makes
its output answers with what that code computes: its case checks that it succeeds.
"""

from __future__ import annotations

from typing import Any

from .examples import offline_output
from .spec import Agent


def earlier_agents(agent: str, steps: list[dict[str, Any]]) -> list[str]:
    """The agents that ``steps`` run before ``agent``: those of the steps before its first one,
    and those before it in that step when it is sequential (all of them, if none runs it)."""
    before: list[str] = []
    for step in steps:
        if agent in step["agents"]:
            if not step["parallel"]:
                before.extend(step["agents"][: step["agents"].index(agent)])
            break
        before.extend(step["agents"])
    return list(dict.fromkeys(before))


def offline_checks(name: str, agent: Agent) -> list[dict[str, Any]]:
    """Checks that the offline model's answer for ``agent`` passes: the first field it answers
    equals its offline value, and a structured answer fits the agent's output type."""
    output = offline_output(name, agent)
    field, value = next(iter(output.items()))
    checks: list[dict[str, Any]] = [{"equals": {"path": field, "value": value}}]
    if agent.capabilities.structured_output:
        checks.append({"schema": True})
    return checks


def starter_evals(
    workers: dict[str, Agent],
    example: str,
    steps: list[dict[str, Any]],
    pipelines: set[str],
) -> dict[str, dict[str, Any]]:
    """The document of ``evals/<agent>.yaml`` for each worker: one case on ``example`` (the
    first example's name), after the agents that ``steps`` (its plan) runs before it."""
    documents = {}
    for name, agent in workers.items():
        case: dict[str, Any] = {"name": f"the {example} example"}
        case["input"] = f"examples/{example}.json"
        after = [before for before in earlier_agents(name, steps) if before in workers]
        if after:
            case["after"] = after
        if name not in pipelines:
            case["checks"] = offline_checks(name, agent)
        documents[name] = {"cases": [case]}
    return documents
