"""Evals: each agent's cases in ``evals/<agent>.yaml``, run on the model MODEL_MODE selects
(offline, live, or replay of recordings) and scored with pydantic-evals.

A file holds ``cases``; a case has a ``name``, an ``input`` and the earlier agents' outputs as
``results`` (each a JSON object, or the path of a JSON file) or ``after``, the agents to run
first on the same input and model (their outputs join ``results``; their tokens and cost count
in the case's), and ``checks`` on the agent's output, each naming a field by its dotted path
(``a.b.0.c``):

- ``equals: {path: risk, value: low}``: the field equals the value;
- ``contains: {path: summary, value: retire}``: the field (text or list) contains the value;
- ``range: {path: success_probability, min: 0, max: 1}``: the field is a number in the range;
- ``schema: true``: the output validates against the agent's output type.

A case may also have a ``rubric``: on a live model, a judge agent (the default model) reads the
output and decides whether it meets it; offline or in replay, the rubric is not judged and
the report says so. The judge's model calls count in the report's tokens and cost, apart
(``judge_tokens``, ``judge_cost_usd``) and in the agent's totals. A case passes when the agent
succeeds and every check (and judged rubric) holds. An agent's ``eval_threshold`` in
agents.yaml is the pass rate below which the command fails.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from agents import Agent, AgentOutputSchema, AgentOutputSchemaBase, RunConfig, Runner
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_evals import Case, Dataset
from pydantic_evals.evaluators import Evaluator, EvaluatorContext

from . import config, gate
from .inputs import check_input
from .runtime.llm.clients import model_for, model_settings
from .runtime.llm.cost import Spend, as_usd, total
from .runtime.records import AgentResult
from .runtime.settings import Settings
from .runtime.worker.alone import check_results, run_alone
from .runtime.worker.run import load_worker

MISSING = object()


class InvalidEvals(ValueError):
    """An eval file that cannot be run: the message names the file and the item."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Compare(Strict):
    path: str
    value: Any


class Range(Strict):
    path: str
    min: float | None = None
    max: float | None = None


class Check(Strict):
    equals: Compare | None = None
    contains: Compare | None = None
    range: Range | None = None
    schema_: bool | None = Field(default=None, alias="schema")

    @model_validator(mode="after")
    def _one_kind(self) -> Check:
        kinds = (self.equals, self.contains, self.range, self.schema_)
        if sum(kind is not None for kind in kinds) != 1:
            raise ValueError("a check is one of equals, contains, range, schema")
        return self


class EvalCase(Strict):
    name: str
    input: dict[str, Any] | str
    results: dict[str, Any] | str = {}
    after: list[str] = []
    checks: list[Check] = []
    rubric: str | None = None


class EvalFile(Strict):
    cases: list[EvalCase] = Field(min_length=1)


def value_at(output: Any, path: str) -> Any:
    """The value at ``path`` (dotted; numbers index lists) in ``output``, or MISSING."""
    value = output
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
    return value


@dataclass
class Holds(Evaluator):
    """One check of a case on the agent's output (False when the agent failed)."""

    check: Check
    agent: str

    def evaluate(self, ctx: EvaluatorContext) -> bool:
        output = ctx.output["output"]
        if ctx.output["status"] != "ok":
            return False
        check = self.check
        if check.schema_ is not None:
            return self._fits_schema(output) == check.schema_
        if check.range:
            value = value_at(output, check.range.path)
            if isinstance(value, bool) or not isinstance(value, int | float):
                return False
            low, high = check.range.min, check.range.max
            return (low is None or value >= low) and (high is None or value <= high)
        compare = check.equals or check.contains
        value = value_at(output, compare.path)
        if check.equals:
            return value == compare.value
        return isinstance(value, str | list) and compare.value in value

    def _fits_schema(self, output: dict[str, Any]) -> bool:
        output_type = load_worker(self.agent).agent.output_type
        if output_type is None:
            return True
        if not isinstance(output_type, AgentOutputSchemaBase):
            output_type = AgentOutputSchema(output_type)
        try:
            output_type.validate_json(json.dumps(output))
        except Exception:  # the SDK raises its own error for an output that does not fit
            return False
        return True


class Verdict(BaseModel):
    meets_rubric: bool
    reason: str


JUDGE = Agent(
    name="judge",
    instructions=(
        "You judge an AI agent's output against a rubric. Decide whether the output meets"
        " every point of the rubric, and say why in one sentence."
    ),
    output_type=Verdict,
)


@dataclass
class MeetsRubric(Evaluator):
    """A judge agent, on the live default model, finds that the output meets ``rubric``; what
    its model calls used is added to ``spend``."""

    rubric: str
    settings: Settings
    spend: Spend = field(default_factory=Spend)

    async def evaluate(self, ctx: EvaluatorContext) -> bool:
        if ctx.output["status"] != "ok":
            return False
        task = f"Rubric:\n{self.rubric}\n\nOutput:\n{json.dumps(ctx.output['output'], indent=2)}"
        run = await Runner.run(
            JUDGE,
            task,
            run_config=RunConfig(
                model=model_for("judge", None, self.settings, self.spend),
                model_settings=model_settings(self.settings),
                tracing_disabled=True,
            ),
        )
        return run.final_output.meets_rubric


@dataclass
class Succeeded(Evaluator):
    """The agent succeeded."""

    def evaluate(self, ctx: EvaluatorContext) -> bool:
        return ctx.output["status"] == "ok"


MAX_EVAL_FILE_BYTES = 1024 * 1024


def _read_text(path: Path, limit: int, where: str) -> str:
    """The UTF-8 text of ``path``, read no further than ``limit`` bytes (``/dev/zero`` ends too)."""
    try:
        with path.open("rb") as file:
            data = file.read(limit + 1)
        if len(data) > limit:
            raise InvalidEvals(f"{where}: over the {limit // 1024} KiB limit")
        return data.decode("utf-8")
    except OSError as error:
        raise InvalidEvals(f"{where}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise InvalidEvals(f"{where}: not UTF-8 (byte {error.start})") from None


def _json_object(value: dict[str, Any] | str, base: Path, where: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    path = base / value
    text = _read_text(path, gate.MAX_TEXT_BYTES, f"{where}: {path}")
    try:
        loaded = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise InvalidEvals(f"{where}: {path}: not JSON: {error}") from None
    if not isinstance(loaded, dict):
        raise InvalidEvals(f"{where}: {path} must hold a JSON object")
    return loaded


def load_cases(
    agent: str, path: Path, project: Path, settings: Settings | None = None
) -> list[Case]:
    """The cases of ``path`` for ``agent``, checked; paths in them are relative to ``project``.
    Their rubrics are judged with ``settings`` when it is live."""
    try:
        text = _read_text(path, MAX_EVAL_FILE_BYTES, str(path))
        spec = EvalFile.model_validate(yaml.safe_load(text))
    except yaml.YAMLError as error:
        raise InvalidEvals(f"{path}: not YAML: {error}") from None
    except RecursionError:
        raise InvalidEvals(f"{path}: nested too deep to read") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the file"
        raise InvalidEvals(f"{path}: {where}: {first['msg']}") from None
    cases = []
    for number, case in enumerate(spec.cases):
        where = f"{path}: cases.{number}"
        try:
            job_input = check_input(_json_object(case.input, project, f"{where}.input"))
            results = check_results(agent, _json_object(case.results, project, f"{where}.results"))
        except InvalidEvals:
            raise
        except ValueError as error:  # InvalidInput is one too
            raise InvalidEvals(f"{where}: {error}") from None
        if any(other.name == case.name for other in spec.cases[:number]):
            raise InvalidEvals(f"{where}.name: {case.name!r}: an earlier case has this name")
        for index, earlier in enumerate(case.after):
            if earlier not in config.WORKERS or earlier == agent:
                raise InvalidEvals(f"{where}.after: {earlier!r}: not another worker of agents.yaml")
            if earlier in case.after[:index]:
                raise InvalidEvals(f"{where}.after: {earlier!r}: named twice")
        evaluators = [Succeeded(), *(Holds(check, agent) for check in case.checks)]
        judged = case.rubric is not None and settings is not None and settings.model_mode == "live"
        if judged:
            evaluators.append(MeetsRubric(case.rubric, settings))
        rubric = "judged" if judged else "not judged" if case.rubric is not None else None
        cases.append(
            Case(
                name=case.name,
                inputs=(job_input, results, tuple(case.after)),
                metadata={"rubric": rubric},
                evaluators=tuple(evaluators),
            )
        )
    return cases


@dataclass
class AgentScore:
    agent: str
    cases: int
    passed: int
    threshold: float | None
    mean_latency_ms: int
    tokens: int  # the agent's and the rubric judge's
    cost_usd: float | None  # the agent's and the rubric judge's
    judge_cost_usd: float | None
    results: list[dict[str, Any]]

    @property
    def pass_rate(self) -> float:
        return self.passed / self.cases

    @property
    def below_threshold(self) -> bool:
        return self.threshold is not None and self.pass_rate < self.threshold


def judge_spend(case: Case) -> Spend:
    """What the rubric judge of ``case`` used (nothing when its rubric is not judged)."""
    judges = [evaluator for evaluator in case.evaluators if isinstance(evaluator, MeetsRubric)]
    return judges[0].spend if judges else Spend()


def evaluate(agent: str, cases: list[Case], settings: Settings) -> AgentScore:
    """Run ``agent`` on each case and score it."""

    async def task(inputs: tuple[dict[str, Any], dict[str, Any], tuple[str, ...]]) -> dict:
        job_input, given, after = inputs
        results, first = dict(given), []
        for earlier in after:
            first.append(await run_alone(earlier, job_input, dict(results), settings))
            if not first[-1].ok:
                error = f"{earlier}, run first, failed: {first[-1].error}"
                result = AgentResult("", agent, "error", error=error, cost_usd=0.0)
                break
            results[earlier] = first[-1].output or {}
        else:
            result = await run_alone(agent, job_input, results, settings)
        return asdict(result) | {
            "created_at": None,
            "tokens": sum(spent.tokens for spent in [*first, result]),
            "cost_usd": as_usd(total(spent.cost_usd for spent in [*first, result])),
        }

    report = Dataset(name=agent, cases=cases).evaluate_sync(task, progress=False)
    judges = {case.name: judge_spend(case) for case in cases}
    results = [
        {
            "case": case.name,
            "passed": all(check.value for check in case.assertions.values()),
            "status": case.output["status"],
            "error": case.output["error"],
            "checks": {name: check.value for name, check in case.assertions.items()},
            "rubric": case.metadata["rubric"],
            "duration_ms": case.output["duration_ms"],
            "tokens": case.output["tokens"],
            "cost_usd": case.output["cost_usd"],
            "judge_tokens": judges[case.name].tokens,
            "judge_cost_usd": as_usd(judges[case.name].cost),
        }
        for case in report.cases
    ]
    judge_cost = total(result["judge_cost_usd"] for result in results)
    return AgentScore(
        agent=agent,
        cases=len(results),
        passed=sum(result["passed"] for result in results),
        threshold=config.EVAL_THRESHOLDS.get(agent),
        mean_latency_ms=round(sum(r["duration_ms"] for r in results) / len(results)),
        tokens=sum(result["tokens"] + result["judge_tokens"] for result in results),
        cost_usd=as_usd(total([*(result["cost_usd"] for result in results), judge_cost])),
        judge_cost_usd=as_usd(judge_cost),
        results=results,
    )


def table(scores: list[AgentScore]) -> str:
    """One line per agent: cases, pass rate, threshold, mean latency, tokens and cost."""
    lines = [
        f"{'agent':<20} {'cases':>5} {'passed':>6} {'rate':>6} {'threshold':>9} "
        f"{'latency ms':>10} {'tokens':>8} {'cost':>12}"
    ]
    for score in scores:
        threshold = "-" if score.threshold is None else f"{score.threshold:.0%}"
        cost = "unpriced" if score.cost_usd is None else f"${score.cost_usd:.6f}"
        lines.append(
            f"{score.agent:<20} {score.cases:>5} {score.passed:>6} {score.pass_rate:>6.0%} "
            f"{threshold:>9} {score.mean_latency_ms:>10} {score.tokens:>8} {cost:>12}"
        )
    return "\n".join(lines)


def report(scores: list[AgentScore], mode: str) -> dict[str, Any]:
    """The JSON report: per agent, its figures and every case's outcome."""
    return {
        "mode": mode,
        "agents": {
            score.agent: {
                "cases": score.cases,
                "passed": score.passed,
                "pass_rate": score.pass_rate,
                "threshold": score.threshold,
                "below_threshold": score.below_threshold,
                "mean_latency_ms": score.mean_latency_ms,
                "tokens": score.tokens,
                "cost_usd": score.cost_usd,
                "judge_cost_usd": score.judge_cost_usd,
                "results": score.results,
            }
            for score in scores
        },
    }
