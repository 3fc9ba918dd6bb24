"""How long the orchestrator may wait for its agents, stated once.

The generated runtime waits between an agent's attempts with tenacity's
``wait_exponential_jitter``: ``min(2 ** (n - 1) + uniform(0, BACKOFF_JITTER_SECONDS),
BACKOFF_MAX_SECONDS)`` after attempt ``n``. These constants are generated into the project's
config.py, which runtime/invoke.py reads, so the worst case computed here is the runtime's own.
"""

from __future__ import annotations

import math

from .spec import Agent, Step, effective_rules

# The longest wait between two attempts of an agent, and the random part added to each wait.
BACKOFF_MAX_SECONDS = 30
BACKOFF_JITTER_SECONDS = 1
# Time the orchestrator keeps for itself around each step (claiming, storing, handing over),
# and beyond its own timeout before another may take over its job (orchestrator/lease.py).
ORCHESTRATOR_MARGIN_SECONDS = 30


def backoff_worst_seconds(retry: int) -> float:
    """The longest wait after attempt ``retry`` (1 for the first attempt)."""
    return min(2 ** (retry - 1) + BACKOFF_JITTER_SECONDS, BACKOFF_MAX_SECONDS)


def agent_worst_seconds(agent: Agent) -> int:
    """Worst time the orchestrator may wait for one agent: every attempt times out."""
    retries = agent.runtime.retries
    backoff = sum(backoff_worst_seconds(retry) for retry in range(1, retries + 1))
    return agent.runtime.timeout * (retries + 1) + math.ceil(backoff)


def step_worst_seconds(step: Step, workers: dict[str, Agent]) -> int:
    times = [agent_worst_seconds(workers[name]) for name in step.agents if name in workers]
    if not times:
        return 0
    return max(times) if step.parallel else sum(times)


def worst_case_path_seconds(project) -> int:
    """Sequential sums, parallel maxima, the longer branch of each rule, every rule firing.

    An agent counts once on the path: one that already has a result is not run again, so a
    later step that names it again waits only for its other agents.
    """
    total = 0
    counted: set[str] = set()
    for rule in effective_rules(project.orchestration, list(project.workers)):
        best, best_agents = 0, set()
        for branch in (rule.steps, rule.otherwise):
            seconds, ran = 0, set(counted)
            for step in branch:
                fresh = [name for name in step.agents if name not in ran]
                seconds += step_worst_seconds(
                    Step(parallel=step.parallel, agents=fresh), project.workers
                )
                ran.update(fresh)
            if seconds >= best:
                best, best_agents = seconds, ran
        total += best
        counted = best_agents
    return total


def timing_problems(project) -> list[str]:
    """Each agent call must fit one orchestrator invocation.

    The orchestrator stores every result as it arrives and hands the job to a fresh
    invocation when the next call might not fit, so a job may take longer than one
    invocation; a single call (every attempt timing out) may not.
    """
    problems = []
    budget = project.orchestrator.runtime.timeout - ORCHESTRATOR_MARGIN_SECONDS
    for name, agent in project.workers.items():
        seconds = agent_worst_seconds(agent)
        if seconds > budget:
            problems.append(
                f"agent {name!r}: worst case {seconds} s (timeout {agent.runtime.timeout} s x "
                f"{agent.runtime.retries + 1} attempts + backoff) exceeds what orchestrator "
                f"{project.orchestrator_name!r} can wait in one invocation "
                f"({project.orchestrator.runtime.timeout} s timeout - "
                f"{ORCHESTRATOR_MARGIN_SECONDS} s margin)"
            )
    return problems
