"""Response bodies, as the OpenAPI document shows them (the same shape as the CLI's --json)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ..runtime.records import JobStatus, ResultStatus


class Step(BaseModel):
    rule: str
    parallel: bool
    agents: list[str]


class AgentResultView(BaseModel):
    key: str = Field(description="The agent's outputs.key in agents.yaml (its name by default)")
    status: ResultStatus
    output: dict[str, Any] | None
    error: str | None
    attempts: int
    duration_ms: int
    tokens: int = Field(description="The model tokens the agent used (0 when unknown)")
    cost_usd: float | None = Field(
        description="What its model calls cost in USD; null if a model is not in the price table"
    )


class PlannerUsage(BaseModel):
    tokens: int = Field(description="The model tokens of the planner's calls, every run")
    cost_usd: float | None = Field(
        description="What the planner's calls cost in USD; null if a model is not in the table"
    )


class JobView(BaseModel):
    job_id: str
    status: JobStatus
    error: str | None
    steps: list[Step]
    results: dict[str, AgentResultView] = Field(description="Each agent's result, by agent name")
    outputs: dict[str, dict[str, Any]] = Field(
        description="The output of each agent that succeeded, by its outputs.key"
    )
    planner: PlannerUsage | None = Field(
        description="A planner orchestrator's own model calls (null when they used nothing)"
    )
    tokens: int = Field(description="The tokens of every model call: the agents' and planner's")
    cost_usd: float | None = Field(
        description="What the job's model calls cost in USD; null if any of them is unpriced"
    )


class JobPage(BaseModel):
    jobs: list[JobView]
    next_cursor: str | None = None


class Health(BaseModel):
    status: str = "ok"
