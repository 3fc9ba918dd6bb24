"""Response bodies, as the OpenAPI document shows them (the same shape as the CLI's --json)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ..runtime.records import JobStatus, ResultStatus


class Step(BaseModel):
    rule: str
    parallel: bool
    agents: list[str]


class AgentResultView(BaseModel):
    status: ResultStatus
    output: dict[str, Any] | None
    error: str | None
    attempts: int
    duration_ms: int


class JobView(BaseModel):
    job_id: str
    status: JobStatus
    error: str | None
    steps: list[Step]
    results: dict[str, AgentResultView]


class JobPage(BaseModel):
    jobs: list[JobView]
    next_cursor: str | None = None


class Health(BaseModel):
    status: str = "ok"
