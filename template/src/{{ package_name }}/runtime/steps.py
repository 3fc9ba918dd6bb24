"""The step API that the compiled ``orchestrator/plan.py`` drives.

``plan.py`` evaluates each rule's condition with ``run.input()``, ``run.result()`` and
``run.prev_step()``, then calls ``run.sequential()`` / ``run.parallel()`` for its steps.
This module decides what actually runs:

- An agent that succeeded earlier in this plan is skipped: its output is reused, never
  recomputed.
- ``earlier`` holds the outcomes that interrupted runs of this job recorded (successes, and
  failures whose attempts were used up). They are replayed: where the plan names such an
  agent, its recorded outcome is taken instead of running it, and conditions see it from
  that point on, as they did in the interrupted run. So a resumed run takes the same path
  and runs none of these agents again (a failed one is not attempted again either).
- An agent of ``unlisted`` (its outcome was recorded by a run that died before saving its
  steps) is listed in the step where the plan first reaches it, as if it ran there.
- An agent that failed in this run may be attempted again if the plan names it again later.
  ``failed`` and ``failed_optional`` list the agents whose latest attempt failed, in the
  order of those failures.
- A failed optional agent never stops anything. When a required agent fails and
  ``stop_on_failure`` is set, the rest of a sequential step is not run, a parallel step
  still waits for all of its agents, and :class:`StopPlan` is raised after the step.
- ``steps`` records each step that ran at least one agent. ``prev_step()`` reads the
  step most recently reached, even when all of its agents were skipped (their existing
  outputs are read); a failed agent has no output.
- An agent named twice in one step runs once.
- ``selected`` tells whether the plan named any agent at all (a rule fired, or an ``else``).

Two optional hooks let the caller follow and bound a run: ``before_agents(agents)`` is
called before each agent call of a sequential step and before a parallel step starts, with
the agents about to run, and may raise to interrupt the plan there (the orchestrator hands
the job over to a fresh invocation when the next call might not fit its remaining time);
``interrupted`` keeps what it raised, for a planner whose tools report it to its model;
``on_steps(steps)`` is called each time an agent's outcome is recorded in ``steps``, so the
steps can be saved as they happen.
"""

import asyncio
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from .conditions import MISSING
from .llm.cost import Spend


@dataclass(frozen=True)
class AgentOutcome:
    """What running one agent gave: its structured output, or an error."""

    ok: bool
    output: dict[str, Any] | None = None
    error: str | None = None


class StopPlan(Exception):
    """Raised after a step where a required agent failed, when stopping on failure."""

    def __init__(self, failed: list[str]) -> None:
        super().__init__(f"required agents failed: {', '.join(failed)}")
        self.failed = failed


def _lookup(value: Any, path: tuple[str | int, ...]) -> Any:
    for key in path:
        if isinstance(key, str):
            found = isinstance(value, dict) and key in value
        else:
            found = isinstance(value, list) and -len(value) <= key < len(value)
        if not found:
            return MISSING
        value = value[key]
    return value


class PlanRun:
    """One execution of the plan for one job."""

    def __init__(
        self,
        job_input: dict[str, Any],
        *,
        execute: Callable[[str], Awaitable[AgentOutcome]],
        earlier: Mapping[str, AgentOutcome] | None = None,
        unlisted: Collection[str] = (),
        optional: frozenset[str] = frozenset(),
        stop_on_failure: bool = True,
        before_agents: Callable[[list[str]], None] | None = None,
        on_steps: Callable[[list[dict[str, Any]]], None] | None = None,
        spend: Spend | None = None,
    ) -> None:
        self._input = job_input
        self._execute = execute
        self._outputs: dict[str, dict[str, Any]] = {}
        self._earlier = dict(earlier or {})
        self._unlisted = set(unlisted)
        self._optional = optional
        self._stop_on_failure = stop_on_failure
        self._before_agents = before_agents
        self._on_steps = on_steps
        # What the plan's own model calls (a planner's) use; the caller counts it in the job.
        self.spend = spend or Spend()
        self._previous: frozenset[str] = frozenset()
        self.steps: list[dict[str, Any]] = []
        self.failed: list[str] = []
        self.failed_optional: list[str] = []
        self.stopped = False
        self.selected = False
        self.interrupted: Exception | None = None

    def input(self, *path: str | int) -> Any:
        """A value of the job's input, or MISSING."""
        return _lookup(self._input, path)

    def result(self, agent: str, *path: str | int) -> Any:
        """A value of the output of an agent that succeeded in this job, or MISSING."""
        if agent not in self._outputs:
            return MISSING
        return _lookup(self._outputs[agent], path)

    def prev_step(self, agent: str, *path: str | int) -> Any:
        """Like :meth:`result`, for an agent of the step reached just before."""
        if agent not in self._previous:
            return MISSING
        return self.result(agent, *path)

    @property
    def outputs(self) -> dict[str, dict[str, Any]]:
        """The outputs of the agents that succeeded in this job, by agent."""
        return dict(self._outputs)

    async def sequential(self, rule: str, agents: list[str]) -> None:
        """Run agents one after another."""
        names = list(dict.fromkeys(agents))
        self.selected = self.selected or bool(names)
        step: dict[str, Any] | None = None
        stop = False
        for agent in names:
            if agent in self._outputs:
                continue
            outcome = self._earlier.get(agent)  # replayed, or None: run it
            listed = outcome is None or agent in self._unlisted
            self._unlisted.discard(agent)
            if outcome is None:
                self._check_before([agent])
                outcome = await self._execute(agent)
            ok = self._record(agent, outcome)
            if listed:
                step = self._add_to_step(step, rule, False, [agent])
            if not ok:
                stop = True
                break
        self._finish(names, stop)

    async def parallel(self, rule: str, agents: list[str]) -> None:
        """Run agents concurrently; all of them are awaited, even after a failure."""
        names = list(dict.fromkeys(agents))
        self.selected = self.selected or bool(names)
        pending = [agent for agent in names if agent not in self._outputs]
        outcomes = {agent: self._earlier.get(agent) for agent in pending}
        ran = [agent for agent, outcome in outcomes.items() if outcome is None]
        if ran:
            self._check_before(ran)
        executed = await asyncio.gather(
            *(self._execute(agent) for agent in ran), return_exceptions=True
        )
        for outcome in executed:
            if isinstance(outcome, BaseException):
                raise outcome
        outcomes.update(zip(ran, executed, strict=True))
        listed = [agent for agent in pending if agent in ran or agent in self._unlisted]
        self._unlisted.difference_update(pending)
        stop = False
        for agent, outcome in outcomes.items():
            if not self._record(agent, outcome):
                stop = True
        if listed:
            self._add_to_step(None, rule, True, listed)
        self._finish(names, stop)

    def _check_before(self, agents: list[str]) -> None:
        if not self._before_agents:
            return
        try:
            self._before_agents(agents)
        except Exception as interruption:
            self.interrupted = interruption
            raise

    def _record(self, agent: str, outcome: AgentOutcome) -> bool:
        """Store an outcome; False when it should stop the plan."""
        failed = self.failed_optional if agent in self._optional else self.failed
        if agent in failed:
            failed.remove(agent)
        if outcome.ok:
            self._outputs[agent] = dict(outcome.output or {})
            return True
        failed.append(agent)
        return agent in self._optional or not self._stop_on_failure

    def _add_to_step(
        self, step: dict[str, Any] | None, rule: str, parallel: bool, agents: list[str]
    ) -> dict[str, Any]:
        """Record agents that ran in ``step``, starting it on its first agent."""
        if step is None:
            step = {"rule": rule, "parallel": parallel, "agents": []}
            self.steps.append(step)
        step["agents"].extend(agents)
        if self._on_steps:
            self._on_steps(self.steps)
        return step

    def _finish(self, names: list[str], stop: bool) -> None:
        self._previous = frozenset(names)
        if stop:
            self.stopped = True
            raise StopPlan(list(self.failed))
