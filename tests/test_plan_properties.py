"""Property tests: compiled plans behave as the oracle (extensions/oracle.py) says, and ruff
keeps them."""

from __future__ import annotations

import asyncio
import importlib
import itertools
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extensions.conditions import check_condition
from extensions.oracle import condition_holds
from extensions.plan_compiler import compile_plan

from .plan_rules import RUFF, Rule, Step

ROOT = Path(__file__).resolve().parents[1]

RUNTIME = ROOT / "template" / "src" / "{{ package_name }}" / "runtime"

# ---------------------------------------------------------------------------------------------
# Random specs


@dataclass(frozen=True)
class Spec:
    workers: list[str]
    rules: list[Rule]
    optional: frozenset[str]
    stop: bool
    strategy: str = "dynamic"


INPUTS = ["kind", "count", "score", "flag", "tags", "meta"]
FIELDS = ["label", "confidence", "items"]

ints = st.integers(-3, 3)
floats = st.sampled_from([-1.5, 0.0, 0.5, 2.5, 1e16, 3.25e-5])
words = st.sampled_from(["a", "b", "financial", "x y", "it's", 'say "hi"', "é", "\\n", ""])
scalars = st.one_of(ints, floats, words, st.booleans(), st.none())
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(FIELDS), inner, max_size=3)
    ),
    max_leaves=6,
)


def literal_text(value: Any, draw: Any) -> str:
    if isinstance(value, bool):
        return draw(st.sampled_from([str(value), str(value).lower()]))
    if value is None:
        return draw(st.sampled_from(["None", "null"]))
    if isinstance(value, list):
        return "[" + ", ".join(literal_text(item, draw) for item in value) + "]"
    return repr(value)


@st.composite
def literals(draw: Any, long_text: bool = False) -> str:
    if long_text and draw(st.booleans()):
        return repr(draw(st.text(st.sampled_from("abc xyz'\"\\é"), max_size=120)))
    value = draw(st.one_of(scalars, st.lists(scalars, max_size=4)))
    return literal_text(value, draw)


@st.composite
def paths(draw: Any, workers: list[str]) -> str:
    root = draw(st.sampled_from(["input", "input", "results", "prev_step"]))
    if root == "input":
        text = f"input.{draw(st.sampled_from(INPUTS))}"
    else:
        text = f"{root}.{draw(st.sampled_from(workers))}.{draw(st.sampled_from(FIELDS))}"
    for _ in range(draw(st.integers(0, 2))):
        text += draw(st.sampled_from([".label", "[0]", "[-1]", "['items']", ".items"]))
    return text


@st.composite
def conditions(draw: Any, workers: list[str], depth: int = 2, long_text: bool = False) -> str:
    choice = draw(st.integers(0, 5 if depth > 0 else 2))
    if choice <= 1:
        operands = [draw(paths(workers))]
        for _ in range(draw(st.sampled_from([1, 1, 1, 2]))):
            operand = draw(st.one_of(paths(workers), literals(long_text)))
            operands.append(operand)
        if draw(st.booleans()):
            operands[0], operands[1] = operands[1], operands[0]
        ops = [
            draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "not in"]))
            for _ in operands[1:]
        ]
        return " ".join(
            itertools.chain.from_iterable(zip(operands, [*ops, ""], strict=True))
        ).strip()
    if choice == 2:
        return draw(paths(workers))
    if choice == 3:
        return f"not ({draw(conditions(workers, depth - 1, long_text))})"
    op = draw(st.sampled_from(["and", "or"]))
    parts = [
        f"({draw(conditions(workers, depth - 1, long_text))})"
        for _ in range(draw(st.integers(2, 3)))
    ]
    return f" {op} ".join(parts)


@st.composite
def specs(draw: Any, long_text: bool = False) -> Spec:
    count = draw(st.integers(3, 8))
    if long_text:
        workers = [f"agent_{index}_" + "x" * draw(st.integers(0, 25)) for index in range(count)]
    else:
        workers = [f"w{index}" for index in range(count)]

    def steps(minimum: int) -> Any:
        return st.lists(
            st.builds(
                Step, st.booleans(), st.lists(st.sampled_from(workers), min_size=1, max_size=4)
            ),
            min_size=minimum,
            max_size=3,
        )

    rules = []
    for index in range(draw(st.integers(1, 5))):
        condition = draw(
            st.one_of(st.just("always"), conditions(workers, long_text=long_text))
            if not long_text
            else conditions(workers, long_text=True).filter(lambda text: len(text) <= 500)
        )
        name = f"rule_{index}" + ("_" + "y" * draw(st.integers(0, 30)) if long_text else "")
        otherwise = draw(steps(0)) if condition != "always" else []
        rules.append(Rule(name, condition, draw(steps(1)), otherwise))
    optional = frozenset(draw(st.lists(st.sampled_from(workers), max_size=3)))
    return Spec(workers, rules, optional, draw(st.booleans()))


# ---------------------------------------------------------------------------------------------
# The reference: extensions/oracle.py decides each condition (independent of the compiler and of
# runtime/steps.py), and the walk below follows the steps.


@dataclass
class State:
    job_input: dict[str, Any]
    outputs: dict[str, dict[str, Any]]
    previous: set[str] = field(default_factory=set)

    def roots(self) -> dict[str, Any]:
        previous = {name: self.outputs[name] for name in self.previous if name in self.outputs}
        return {"input": self.job_input, "results": self.outputs, "prev_step": previous}


@dataclass
class Job:
    job_input: dict[str, Any]
    outputs: dict[str, dict[str, Any]]
    failing: frozenset[str]
    # Outcomes an interrupted run recorded: an output, or None for a failure.
    earlier: dict[str, dict[str, Any] | None]


def reference(spec: Spec, job: Job) -> tuple[list[dict[str, Any]], list[str], list[str], bool]:
    state = State(job.job_input, {})
    steps: list[dict[str, Any]] = []
    failed: list[str] = []
    failed_optional: list[str] = []
    for rule in spec.rules:
        chosen = rule.steps if condition_holds(rule.condition, state.roots()) else rule.otherwise
        for step in chosen:
            names = list(dict.fromkeys(step.agents))
            ran: list[str] = []
            stop = False
            for agent in names:
                if agent in state.outputs:
                    continue
                if agent in job.earlier:  # replayed where the plan reaches it, not run
                    output = job.earlier[agent]
                else:
                    ran.append(agent)
                    output = None if agent in job.failing else job.outputs[agent]
                bucket = failed_optional if agent in spec.optional else failed
                if agent in bucket:
                    bucket.remove(agent)
                if output is None:
                    bucket.append(agent)
                    if agent not in spec.optional and spec.stop:
                        stop = True
                        if not step.parallel:
                            break
                else:
                    state.outputs[agent] = output
            if ran:
                steps.append({"rule": rule.name, "parallel": step.parallel, "agents": ran})
            state.previous = set(names)
            if stop:
                return steps, failed, failed_optional, True
    return steps, failed, failed_optional, False


# ---------------------------------------------------------------------------------------------
# Running compiled plans


@pytest.fixture(scope="module")
def plan_package(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("plans")
    name = f"plan_pkg_{uuid.uuid4().hex[:8]}"
    package = root / name
    for folder in ("runtime/llm", "orchestrator"):
        (package / folder).mkdir(parents=True)
    for folder in ("", "runtime", "runtime/llm", "orchestrator"):
        (package / folder / "__init__.py").write_text("")
    for module in ("conditions.py", "steps.py", "llm/cost.py"):  # what steps.py imports
        shutil.copy(RUNTIME / module, package / "runtime" / module)
    sys.path.insert(0, str(root))
    counter = itertools.count()

    def load(source: str) -> Any:
        module = f"plan_{next(counter)}"
        (package / "orchestrator" / f"{module}.py").write_text(source)
        return importlib.import_module(f"{name}.orchestrator.{module}")

    steps = importlib.import_module(f"{name}.runtime.steps")
    yield load, steps
    sys.path.remove(str(root))


@st.composite
def jobs(draw: Any, spec: Spec) -> Job:
    job_input = {key: draw(values) for key in draw(st.lists(st.sampled_from(INPUTS), unique=True))}
    outputs = {
        worker: draw(st.dictionaries(st.sampled_from(FIELDS), values, max_size=3))
        for worker in spec.workers
    }
    failing = frozenset(draw(st.lists(st.sampled_from(spec.workers), max_size=4)))
    earlier_names = draw(st.lists(st.sampled_from(spec.workers), max_size=3, unique=True))
    earlier = {worker: draw(st.sampled_from([outputs[worker], None])) for worker in earlier_names}
    return Job(job_input, outputs, failing, earlier)


def outcome_of(steps_module: Any, output: dict[str, Any] | None) -> Any:
    if output is None:
        return steps_module.AgentOutcome(ok=False, error="failed earlier")
    return steps_module.AgentOutcome(ok=True, output=output)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_compiled_plan_matches_reference(plan_package: Any, data: st.DataObject) -> None:
    load, steps_module = plan_package
    spec = data.draw(specs())
    job = data.draw(jobs(spec))
    source = compile_plan(
        spec.rules,
        on_failure="stop" if spec.stop else "continue",
        strategy="dynamic",
        workers=spec.workers,
    )
    plan = load(source)
    executed: list[str] = []

    async def execute(agent: str) -> Any:
        executed.append(agent)
        await asyncio.sleep(0)
        if agent in job.failing:
            return steps_module.AgentOutcome(ok=False, error=f"{agent} failed")
        return steps_module.AgentOutcome(ok=True, output=job.outputs[agent])

    run = steps_module.PlanRun(
        job.job_input,
        execute=execute,
        earlier={agent: outcome_of(steps_module, o) for agent, o in job.earlier.items()},
        optional=spec.optional,
        stop_on_failure=spec.stop,
    )
    stopped = False
    try:
        asyncio.run(plan.run_plan(run))
    except steps_module.StopPlan:
        stopped = True
    expected_steps, expected_failed, expected_optional, expected_stop = reference(spec, job)
    assert run.steps == expected_steps
    assert run.failed == expected_failed
    assert run.failed_optional == expected_optional
    assert stopped == expected_stop == run.stopped
    assert not set(executed) & set(job.earlier), "an agent recorded earlier ran again"
    assert sorted(executed) == sorted(a for step in expected_steps for a in step["agents"])


class Crash(BaseException):
    """The orchestrator's process dies (not an Exception: nothing in the plan catches it)."""


@dataclass
class Attempt:
    """One run of a plan: what it recorded and saved, the agents it called, where it died."""

    run: Any = None
    recorded: dict[str, Any] = field(default_factory=dict)
    called: list[str] = field(default_factory=list)
    saved: list[dict[str, Any]] = field(default_factory=list)
    boundaries: dict[str, int] = field(default_factory=lambda: {"call": 0, "save": 0})
    crashed: bool = False


def attempt_plan(
    steps_module: Any,
    plan: Any,
    spec: Spec,
    job: Job,
    *,
    earlier: dict[str, Any],
    unlisted: set[str],
    crash_at: tuple[str, int] | None,
) -> Attempt:
    """Run the plan, dying at the ``crash_at`` boundary: ("call", n) before the n-th agent
    call, ("save", n) before the n-th save of the steps (after an outcome was recorded)."""
    attempt = Attempt()

    def boundary(kind: str) -> None:
        attempt.boundaries[kind] += 1
        if crash_at == (kind, attempt.boundaries[kind]):
            raise Crash(kind)

    async def execute(agent: str) -> Any:
        boundary("call")
        attempt.called.append(agent)
        await asyncio.sleep(0)
        output = None if agent in job.failing else job.outputs[agent]
        attempt.recorded[agent] = outcome_of(steps_module, output)
        return attempt.recorded[agent]

    def save_steps(steps: list[dict[str, Any]]) -> None:
        boundary("save")
        attempt.saved = [dict(step, agents=list(step["agents"])) for step in steps]

    attempt.run = steps_module.PlanRun(
        job.job_input,
        execute=execute,
        earlier=earlier,
        unlisted=unlisted,
        optional=spec.optional,
        stop_on_failure=spec.stop,
        on_steps=save_steps,
    )
    try:
        asyncio.run(plan.run_plan(attempt.run))
    except steps_module.StopPlan:
        pass
    except Crash:
        attempt.crashed = True
    return attempt


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_plan_resumed_after_a_crash_ends_as_if_never_interrupted(
    plan_package: Any, data: st.DataObject
) -> None:
    """Crash at any boundary, resume with what was recorded: no recorded agent runs again,
    and the job ends with the steps, failures and outputs of an uninterrupted run."""
    load, steps_module = plan_package
    spec = data.draw(specs())
    job = data.draw(jobs(spec))
    job.earlier.clear()
    source = compile_plan(
        spec.rules,
        on_failure="stop" if spec.stop else "continue",
        strategy="dynamic",
        workers=spec.workers,
    )
    plan = load(source)
    run = partial(attempt_plan, steps_module, plan, spec, job)
    whole = run(earlier={}, unlisted=set(), crash_at=None)
    kind = data.draw(st.sampled_from(["call", "save"]))
    if whole.boundaries[kind] == 0:
        return  # no agent runs: nothing to crash
    first = run(
        earlier={},
        unlisted=set(),
        crash_at=(kind, data.draw(st.integers(1, whole.boundaries[kind]))),
    )
    assert first.crashed
    listed = {agent for step in first.saved for agent in step["agents"]}
    resumed = run(earlier=first.recorded, unlisted=set(first.recorded) - listed, crash_at=None)

    assert not set(resumed.called) & set(first.recorded), "an agent recorded earlier ran again"
    if len(set(whole.called)) < len(whole.called):
        return  # an agent attempted twice in one run: only its last outcome is recorded
    assert [a for step in first.saved + resumed.run.steps for a in step["agents"]] == [
        a for step in whole.run.steps for a in step["agents"]
    ]
    assert first.recorded | resumed.recorded == whole.recorded
    assert resumed.run.failed == whole.run.failed
    assert resumed.run.failed_optional == whole.run.failed_optional
    assert (resumed.run.stopped, resumed.run.selected) == (whole.run.stopped, whole.run.selected)
    assert resumed.run.outputs == whole.run.outputs


# ---------------------------------------------------------------------------------------------
# ruff keeps compiled plans as they are


def ruff_problems(sources: list[str], directory: Path, line_length: int) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "ruff.toml").write_text(
        f'line-length = {line_length}\ntarget-version = "py312"\n'
        '[lint]\nselect = ["E", "F", "W", "I", "B", "UP", "SIM"]\n'
    )
    for index, source in enumerate(sources):
        (directory / f"plan_{index}.py").write_text(source)
    report = ""
    for command in (["format", "--check", "--diff", "."], ["check", "--no-cache", "."]):
        result = subprocess.run(
            [RUFF, *command], cwd=directory, capture_output=True, text=True, check=False
        )
        if result.returncode:
            report += result.stdout[-6000:] + result.stderr[-2000:]
    return report


@pytest.mark.skipif(RUFF is None, reason="ruff is not installed")
@pytest.mark.parametrize("line_length", [88, 100])
def test_compiled_plans_are_ruff_clean(tmp_path: Path, line_length: int) -> None:
    sources: list[str] = []

    @settings(max_examples=150, deadline=None, database=None)
    @given(st.one_of(specs(long_text=True), specs()))
    def collect(spec: Spec) -> None:
        sources.append(
            compile_plan(
                spec.rules,
                on_failure="stop",
                strategy="dynamic",
                workers=spec.workers,
                line_length=line_length,
            )
        )

    collect()
    assert ruff_problems(sources, tmp_path, line_length) == ""


def test_generated_conditions_are_valid() -> None:
    """The strategies only produce conditions that the checker accepts."""

    @settings(max_examples=100, deadline=None, database=None)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        workers = ["w0", "w1", "w2"]
        text = data.draw(conditions(workers, long_text=data.draw(st.booleans())))

        class Info:  # any JSON object: the strategies read nested paths of inputs
            type = "dict"

        problems = check_condition(
            text,
            inputs={name: Info() for name in INPUTS},
            agents={worker: None for worker in workers},
            prev_step_agents=frozenset(workers),
        )
        assert problems == [], (text, problems)

    check()


# ---------------------------------------------------------------------------------------------
# PlanRun on its own


def test_plan_run_unit_semantics(plan_package: Any) -> None:
    _, steps_module = plan_package
    started: list[str] = []
    finished: list[str] = []

    async def execute(agent: str) -> Any:
        started.append(agent)
        await asyncio.sleep(0.01 if agent == "slow" else 0)
        finished.append(agent)
        if agent.startswith("bad"):
            return steps_module.AgentOutcome(ok=False, error="boom")
        return steps_module.AgentOutcome(ok=True, output={"name": agent, "list": [1, {"k": 2}]})

    async def scenario() -> Any:
        run = steps_module.PlanRun(
            {"a": {"b": [10, 20]}},
            execute=execute,
            earlier={"done": steps_module.AgentOutcome(ok=True, output={"x": 1})},
            optional=frozenset({"bad_optional"}),
        )
        assert run.input("a", "b", -1) == 20
        assert run.input("a", "b", 5) is run.input("nope") is run.input("a", "b", "x")
        assert run.result("done", "x") is run.input("nope")  # replayed where it is reached
        await run.sequential("r1", ["done"])  # reached, nothing ran
        assert run.steps == [] and run.prev_step("done", "x") == 1 == run.result("done", "x")
        await run.parallel("r2", ["ok", "bad_optional", "ok"])
        assert run.steps == [{"rule": "r2", "parallel": True, "agents": ["ok", "bad_optional"]}]
        assert run.failed_optional == ["bad_optional"] and run.failed == []
        assert run.prev_step("ok", "list", 1, "k") == 2
        assert run.prev_step("bad_optional", "name") is run.input("nope")
        assert run.prev_step("done", "x") is run.input("nope")
        try:
            await run.parallel("r3", ["bad_required", "slow"])
        except steps_module.StopPlan as stop:
            assert stop.failed == ["bad_required"]
        else:
            raise AssertionError("StopPlan expected")
        assert "slow" in finished, "a parallel step awaits all of its agents"
        assert run.failed == ["bad_required"] and run.stopped
        return run

    asyncio.run(scenario())

    async def sequential_stop() -> Any:
        run = steps_module.PlanRun({}, execute=execute)
        with pytest.raises(steps_module.StopPlan):
            await run.sequential("r", ["first", "bad_one", "never"])
        return run

    started.clear()
    run = asyncio.run(sequential_stop())
    assert started == ["first", "bad_one"]
    assert run.steps == [{"rule": "r", "parallel": False, "agents": ["first", "bad_one"]}]

    async def keep_going() -> Any:
        run = steps_module.PlanRun({}, execute=execute, stop_on_failure=False)
        await run.sequential("r", ["bad_x", "after"])
        return run

    run = asyncio.run(keep_going())
    assert run.failed == ["bad_x"] and run.result("after", "name") == "after" and not run.stopped
