"""Metrics per agent, as CloudWatch embedded metric format (EMF) lines on stdout.

The orchestrator records each agent as it finishes, in the namespace of the project slug
with the dimension ``agent``: AgentDuration (ms), AgentAttempts, AgentTokens, and
AgentSucceeded and AgentFailed (1 or 0, so their sums count agents), and AgentCost (USD,
left out when unpriced). A planner orchestrator's own model calls are recorded per run with
the orchestrator's name as ``agent``: PlannerTokens and PlannerCost. CloudWatch reads them
from a Lambda's log; elsewhere (local runs, the API served locally) nothing is printed, so
stdout stays the command's own.
"""

from __future__ import annotations

import os

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from ... import config
from ..records import AgentResult


def record_agent_metrics(result: AgentResult) -> None:
    """Emit one EMF line with ``result``'s metrics, when running in Lambda."""
    if not os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return
    metrics = EphemeralMetrics(namespace=config.PROJECT_SLUG)
    metrics.add_dimension(name="agent", value=result.agent)
    metrics.add_metric(name="AgentDuration", unit=MetricUnit.Milliseconds, value=result.duration_ms)
    metrics.add_metric(name="AgentAttempts", unit=MetricUnit.Count, value=result.attempts)
    metrics.add_metric(name="AgentTokens", unit=MetricUnit.Count, value=result.tokens)
    if result.cost_usd is not None:
        metrics.add_metric(name="AgentCost", unit=MetricUnit.NoUnit, value=result.cost_usd)
    metrics.add_metric(name="AgentSucceeded", unit=MetricUnit.Count, value=int(result.ok))
    metrics.add_metric(name="AgentFailed", unit=MetricUnit.Count, value=int(not result.ok))
    metrics.flush_metrics()


def record_planner_metrics(tokens: int, cost_usd: float | None) -> None:
    """Emit the tokens and cost of a planner's model calls in one run, when running in Lambda."""
    if not os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return
    metrics = EphemeralMetrics(namespace=config.PROJECT_SLUG)
    metrics.add_dimension(name="agent", value=config.ORCHESTRATOR)
    metrics.add_metric(name="PlannerTokens", unit=MetricUnit.Count, value=tokens)
    if cost_usd is not None:
        metrics.add_metric(name="PlannerCost", unit=MetricUnit.NoUnit, value=cost_usd)
    metrics.flush_metrics()
