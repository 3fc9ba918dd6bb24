"""The job and agent-result records every store reads and writes, and what an agent's code
is given of a job (light: tools and pipelines import it without loading the Agents SDK)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

JobStatus = Literal["pending", "running", "completed", "failed"]
ResultStatus = Literal["ok", "error"]

# An error message is kept to this many characters (at most 8 KB as UTF-8) in every store.
MAX_ERROR_CHARS = 2000
# Escaped in error messages: NUL and lone surrogates (no store holds them), and the control
# characters but tab and newline (a terminal or a log would act on them).
_ESCAPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def utcnow() -> datetime:
    return datetime.now(UTC)


def storable_error(message: str, limit: int = MAX_ERROR_CHARS) -> str:
    """An error message as every store holds and a terminal shows it: NUL, lone surrogates
    and control characters but tab and newline written as escapes (``\\x00``, ``\\ud800``,
    ``\\x1b``), and cut to ``limit`` characters, saying how many more there were.

    Unlike outputs, which are stored exactly or refused, an error message is a diagnosis
    (often an exception quoting what it choked on): a readable, bounded copy serves better
    than losing the error."""
    text = _ESCAPED.sub(lambda found: ascii(found.group())[1:-1], message)
    if len(text) <= limit:
        return text
    return f"{text[:limit]} ... ({len(text) - limit} more characters)"


@dataclass(frozen=True)
class JobContext:
    """What an agent's run can read: the job and the outputs of agents that ran before."""

    job_id: str
    input: dict[str, Any]
    results: dict[str, dict[str, Any]]


# Run the agent on a task and return its final output (a pipeline's way to the model).
Ask = Callable[[str], Awaitable[Any]]


@dataclass(frozen=True)
class Job:
    id: str
    user_id: str
    input: dict[str, Any]
    job_type: str = "default"
    status: JobStatus = "pending"
    error: str | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)
    attempt: int = 0
    lease_until: datetime | None = None
    created_at: datetime = field(default_factory=utcnow)
    started_at: datetime | None = None
    completed_at: datetime | None = None
    updated_at: datetime = field(default_factory=utcnow)


# The result row holding a planner orchestrator's own model calls (tokens, cost, and its runs
# as ``attempts``); no agent can have this name. Job views show it apart from the agents.
PLANNER_USAGE = "(planner)"


@dataclass(frozen=True)
class AgentResult:
    job_id: str
    agent: str
    status: ResultStatus
    output: dict[str, Any] | None = None
    error: str | None = None
    duration_ms: int = 0
    attempts: int = 1
    # The tokens and cost of the model calls of every attempt so far, failed ones included.
    tokens: int = 0
    # USD; None when unknown: a model it called is not in the price table (or an older record).
    cost_usd: float | None = None
    created_at: datetime = field(default_factory=utcnow)

    @property
    def ok(self) -> bool:
        return self.status == "ok"
