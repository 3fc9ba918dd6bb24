"""Kill the orchestrator at a boundary of a job, and keep the books on what it did.

The boundaries of a job are the moments just before and just after each agent call, each
result write, each steps write and the finish. ``Boundaries(crash_at=n)`` raises ``Crash``
at the n-th boundary a run passes; ``CrashingStore`` and ``crashing_invoker`` put the
boundaries around the store's writes and the worker calls, and note in a ``Ledger`` every
call and every result actually written.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


class Crash(BaseException):
    """The orchestrator's process dies here. Not an Exception: no handler catches it, just as
    no handler runs in a process that was killed."""


class Boundaries:
    """Counts the boundaries runs pass; raises Crash at the ``crash_at``-th (None: never) and
    at every one after it: a dead process does nothing more (its ``finally`` blocks write
    nothing)."""

    def __init__(self, crash_at: int | None = None):
        self.crash_at = crash_at
        self.passed: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, name: str) -> None:
        with self._lock:
            self.passed.append(name)
            crash = self.crash_at is not None and len(self.passed) >= self.crash_at
        if crash:
            raise Crash(name)


@dataclass
class Ledger:
    """Agent calls, result writes that took effect, the agents whose written outcome is final
    (a success, or a failure with its attempts used up), and calls of such an agent."""

    calls: Counter = field(default_factory=Counter)
    writes: Counter = field(default_factory=Counter)
    final: set[str] = field(default_factory=set)
    reruns: list[str] = field(default_factory=list)


class CrashingStore:
    """A job store with boundaries around result writes, steps writes and the finish;
    ``workers`` is config.WORKERS (their retries tell which outcomes are final)."""

    def __init__(self, store: Any, boundaries: Boundaries, ledger: Ledger, workers: dict):
        self._store = store
        self._boundaries = boundaries
        self._ledger = ledger
        self._workers = workers

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def put_result(self, result: Any, *, claim: int | None = None) -> bool:
        self._boundaries(f"before the result write of {result.agent}")
        written = self._store.put_result(result, claim=claim)
        if written:
            self._ledger.writes[result.agent] += 1
            if result.ok or result.attempts > self._workers[result.agent].retries:
                self._ledger.final.add(result.agent)
        self._boundaries(f"after the result write of {result.agent}")
        return written

    def save_steps(self, job_id: str, *, attempt: int, steps: list[dict]) -> bool:
        last = ", ".join(steps[-1]["agents"]) if steps else "no agent"
        self._boundaries(f"before the steps write ending with {last}")
        saved = self._store.save_steps(job_id, attempt=attempt, steps=steps)
        self._boundaries(f"after the steps write ending with {last}")
        return saved

    def finish_job(self, job_id: str, **outcome: Any) -> bool:
        self._boundaries("before the finish")
        finished = self._store.finish_job(job_id, **outcome)
        self._boundaries("after the finish")
        return finished


def crashing_invoker(invoke: Any, boundaries: Boundaries, ledger: Ledger) -> Any:
    """``invoke`` (an Invoke of the runtime) with boundaries around each call."""

    async def call(agent: str, job_id: str, attempt: int, claim: int) -> Any:
        boundaries(f"before calling {agent}")
        if agent in ledger.final:
            ledger.reruns.append(agent)
        ledger.calls[agent] += 1
        result = await invoke(agent, job_id, attempt, claim)
        boundaries(f"after calling {agent}")
        return result

    return call
