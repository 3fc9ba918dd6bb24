"""Validate the answers and agents.yaml into one ``Project``, collecting every problem.

Each problem is one line that names the offending item. Validation never raises anything
but ``SpecError``, whose ``problems`` lists all of them.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from .answers import (
    ARCHITECTURES,
    DATABASES,
    DEFAULTS,
    LLM_PROVIDERS,
    OBSERVABILITY,
    PRESETS,
    PYTHON_VERSIONS,
)
from .blocks import PlanSettings, load_blocks
from .conditions import check_condition, input_references
from .preset_code import code_problems, ships_own_task
from .reserved import generated_test_modules
from .spec import (
    EXTERNAL_API_PREFIX,
    IDENTIFIER_PATTERN,
    INPUT_TYPES,
    NAME_PATTERN,
    RESERVED_NAMES,
    Agent,
    InputField,
    Orchestration,
    Rule,
    api_variable,
    field_name_problem,
)
from .timing import timing_problems
from .values import (
    client_id_problem,
    data_problem,
    issuer_problem,
    model_problem,
    slug_problem,
    text_problem,
)

DEFAULT_ORCHESTRATOR = "orchestrator"
# Function names are "<slug>-<agent>-<stage>"; stages are at most 8 characters.
MAX_STAGE_LENGTH = 8
LAMBDA_NAME_LIMIT = 64 - MAX_STAGE_LENGTH - 1
# A job's view holds every agent's output (at most 32 KiB each, the worker's limit) and a
# deployed API answers at most 6 MB: 100 agents keep the largest view near 3.3 MB.
MAX_AGENTS = 100


class SpecError(Exception):
    """agents.yaml or the answers are invalid; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]):
        problems = [" ".join(problem.splitlines()) for problem in problems]
        super().__init__("\n".join(problems))
        self.problems = problems


class Answers(BaseModel):
    """The scalar answers of copier.yml."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    project_name: str = Field(min_length=1, max_length=80)
    project_slug: str = Field(min_length=2, max_length=40)
    description: str = Field(DEFAULTS["description"], max_length=300)
    aws_region: str = Field(pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
    database: Literal[DATABASES]
    llm_provider: Literal[LLM_PROVIDERS]
    llm_model: str = Field(min_length=1)
    llm_fallback_model: str = DEFAULTS["llm_fallback_model"]
    observability: Literal[OBSERVABILITY] = DEFAULTS["observability"]
    lambda_architecture: Literal[ARCHITECTURES] = DEFAULTS["lambda_architecture"]
    python_version: Literal[PYTHON_VERSIONS] = DEFAULTS["python_version"]
    api: bool = DEFAULTS["api"]
    jwt_issuer: str = DEFAULTS["jwt_issuer"]
    jwt_audience: str = Field("", max_length=200)
    jwt_client_id: str = Field(DEFAULTS["jwt_client_id"], max_length=200)
    preset: Literal[PRESETS] = DEFAULTS["preset"]

    @field_validator("project_name", "description", "jwt_audience")
    @classmethod
    def _one_line(cls, text: str) -> str:
        problem = text_problem(text)
        if problem:
            raise ValueError(problem)
        return text

    @field_validator("project_slug")
    @classmethod
    def _slug(cls, slug: str) -> str:
        problem = slug_problem(slug)
        if problem:
            raise ValueError(problem)
        return slug

    @field_validator("llm_model", "llm_fallback_model")
    @classmethod
    def _model(cls, model: str, info: ValidationInfo) -> str:
        provider = info.data.get("llm_provider")
        if provider is None or (not model and info.field_name == "llm_fallback_model"):
            return model  # an invalid provider is reported on its own; no fallback is fine
        problem = model_problem(model, provider)
        if problem:
            raise ValueError(f"{model!r} {problem}")
        return model

    @field_validator("jwt_client_id")
    @classmethod
    def _client_id(cls, client_id: str) -> str:
        problem = client_id_problem(client_id)
        if problem:
            raise ValueError(f"{client_id!r} {problem}")
        return client_id

    @field_validator("jwt_issuer")
    @classmethod
    def _issuer(cls, issuer: str) -> str:
        problem = issuer_problem(issuer)
        if problem:
            raise ValueError(f"{issuer!r} {problem}")
        return issuer


@dataclass(frozen=True)
class Project:
    """Everything the template needs, validated."""

    answers: Answers
    inputs: dict[str, InputField]
    inputs_inferred: bool
    workers: dict[str, Agent]
    orchestrator_name: str
    orchestrator: Agent
    orchestration: Orchestration
    settings: PlanSettings = PlanSettings()

    @property
    def package_name(self) -> str:
        return self.answers.project_slug.replace("-", "_")


def _location_part(part: Any) -> str:
    if isinstance(part, int) or (isinstance(part, str) and IDENTIFIER_PATTERN.match(part)):
        return str(part)
    return repr(part)


def _format_pydantic(prefix: str, error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        location = ".".join(_location_part(part) for part in item["loc"] if part != "__root__")
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        elif item["type"] == "literal_error":
            message = f"{message} (got {item['input']!r})"
        separator = " " if prefix.endswith("'") else "."
        where = f"{prefix}{separator + location if location else ''}"
        problems.append(f"{where}: {message}")
    return problems


def _check_name(kind: str, name: Any, problems: list[str]) -> bool:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        problems.append(f"{kind} {name!r}: name must match ^[a-z][a-z0-9_]*$")
        return False
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        problems.append(f"{kind} {name!r}: name is a Python keyword")
        return False
    return True


def _parse_inputs(raw: Any, problems: list[str], invalid: set[str]) -> dict[str, InputField]:
    """The valid inputs; ``invalid`` receives the names of inputs that failed validation."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append("inputs: must be a mapping of field name to {type: ...}")
        return {}
    inputs = {}
    for name, spec in raw.items():
        if not _check_name("input", name, problems):
            continue
        reason = field_name_problem(name)
        if reason:
            problems.append(f"input {name!r}: name not allowed: {reason}")
            continue
        if isinstance(spec, str):
            spec = {"type": spec}
        try:
            inputs[name] = InputField.model_validate(spec)
        except ValidationError as error:
            problems.extend(_format_pydantic(f"input {name!r}", error))
            invalid.add(name)
    return inputs


def _parse_agents(raw: Any, slug: str, problems: list[str], invalid: set[str]) -> dict[str, Agent]:
    """The valid agents; ``invalid`` receives the names of agents that failed validation."""
    if not isinstance(raw, dict) or not raw:
        problems.append("agents: must be a mapping that defines at least one agent")
        return {}
    if len(raw) > MAX_AGENTS:
        problems.append(
            f"agents: {len(raw)} agents, at most {MAX_AGENTS}: a job's view holds every agent's"
            " output, and the deployed API answers at most 6 MB"
        )
    agents = {}
    for name, spec in raw.items():
        if not _check_name("agent", name, problems):
            continue
        try:
            agents[name] = Agent.model_validate({} if spec is None else spec)
        except ValidationError as error:
            problems.extend(_format_pydantic(f"agent {name!r}", error))
            invalid.add(name)
            continue
        if name in RESERVED_NAMES and not (
            name == DEFAULT_ORCHESTRATOR and agents[name].type == "orchestrator"
        ):
            problems.append(f"agent {name!r}: name is reserved by the generated layout")
        if f"test_{name}" in generated_test_modules():
            problems.append(
                f"agent {name!r}: its tests/agents/test_{name}.py would clash with the generated"
                f" tests/test_{name}.py: choose another name"
            )
        capabilities = agents[name].capabilities
        schema = capabilities.output_schema or output_schema_name(name)
        if capabilities.structured_output and schema in capabilities.tools:
            problems.append(
                f"agent {name!r}: output_schema {schema!r} is also the name of one of its tools"
            )
        function_name = f"{slug}-{name}"
        if len(function_name) > LAMBDA_NAME_LIMIT:
            problems.append(
                f"agent {name!r}: Lambda name {function_name!r} is {len(function_name)} "
                f"characters; with the stage suffix it must fit 64 (at most {LAMBDA_NAME_LIMIT} "
                "here): shorten the agent name or the project slug"
            )
    return agents


def output_schema_name(agent: str) -> str:
    """The output schema class an agent gets by default (``reporter`` -> ``ReporterOutput``)."""
    return "".join(part.capitalize() for part in agent.split("_")) + "Output"


def _check_models(agents: dict[str, Agent], provider: Any, problems: list[str]) -> None:
    if provider not in ("bedrock", "openai", "anthropic"):
        return  # reported with the answers
    for name, agent in agents.items():
        if agent.model is not None:
            problem = model_problem(agent.model, provider)
            if problem:
                problems.append(f"agent {name!r} model: {agent.model!r} {problem}")


def _check_plan_blocks(answers: dict[str, Any], problems: list[str]) -> None:
    """The original plan's project, infrastructure and llm blocks hold text only."""
    for block in ("project", "infrastructure", "llm"):
        problem = data_problem(answers.get(block), block)
        if problem:
            problems.append(problem)


def _parse_orchestration(raw: Any, problems: list[str]) -> tuple[Orchestration, bool]:
    """The orchestration, and whether it is valid (when not, its rules are still checked)."""
    raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        problems.append("orchestration: must be a mapping")
        return Orchestration(), False
    raw = dict(raw)
    rules_raw = raw.pop("selection_rules", None)
    rules_raw = [] if rules_raw is None else rules_raw
    valid = True
    try:
        orchestration = Orchestration.model_validate(raw)
    except ValidationError as error:
        problems.extend(_format_pydantic("orchestration", error))
        orchestration, valid = Orchestration(), False
    if not isinstance(rules_raw, list):
        problems.append("orchestration.selection_rules: must be a list of rules")
        return orchestration, False
    rules = []
    seen: set[str] = set()
    for index, rule_raw in enumerate(rules_raw):
        name = rule_raw.get("name") if isinstance(rule_raw, dict) else None
        label = f"rule {name!r}" if isinstance(name, str) else f"rule #{index + 1}"
        if not isinstance(rule_raw, dict):
            problems.append(f"{label}: must be a mapping with name, condition and agents")
            continue
        if name is None:
            problems.append(f"{label}: needs a name")
            continue
        if not _check_name("rule", name, problems):
            continue
        if name in seen:
            problems.append(f"rule {name!r}: duplicate rule name")
            continue
        seen.add(name)
        try:
            rules.append(Rule.model_validate(rule_raw))
        except ValidationError as error:
            problems.extend(_format_pydantic(label, error))
            valid = False
    return orchestration.model_copy(update={"selection_rules": rules}), valid


def _infer_inputs(rules: list[Rule]) -> dict[str, InputField]:
    """Specs in the original plan's format declare no inputs: take them from the conditions."""
    found: dict[str, str | None] = {}
    for rule in rules:
        try:
            references = input_references(rule.condition)
        except ValueError:  # reported by check_condition
            continue
        for name, type_name in references.items():
            if found.get(name) is None:
                found[name] = type_name
    return {name: InputField(type=type_name or "str") for name, type_name in found.items()}


def _previous_step_agents(rules: list[Rule], index: int) -> frozenset[str]:
    """Agents that can be in the last step reached before rule ``index`` is evaluated."""
    agents: set[str] = set()
    for rule in reversed(rules[:index]):
        for branch in (rule.steps, rule.otherwise):
            if branch:
                agents.update(branch[-1].agents)
        if rule.condition.strip() == "always" or rule.otherwise:
            break
    return frozenset(agents)


def _check_rules(
    rules: list[Rule],
    workers: dict[str, Agent],
    orchestrator_name: str,
    inputs: dict[str, InputField],
    problems: list[str],
    invalid: frozenset[str] = frozenset(),
) -> None:
    """Check the rules; agents in ``invalid`` failed validation and are not reported again."""
    declared: dict[str, frozenset[str] | None] = {name: None for name in invalid}
    declared.update(
        {name: frozenset(agent.outputs.output_fields) or None for name, agent in workers.items()}
    )
    for index, rule in enumerate(rules):
        for branch_name, branch in (("agents", rule.steps), ("else", rule.otherwise)):
            for number, step in enumerate(branch, start=1):
                where = f"rule {rule.name!r} {branch_name} step {number}"
                if len(set(step.agents)) != len(step.agents):
                    problems.append(f"{where}: names an agent twice")
                for name in step.agents:
                    if name == orchestrator_name:
                        problems.append(
                            f"{where}: {name!r} is the orchestrator; rules run workers only"
                        )
                    elif name not in workers and name not in invalid:
                        problems.append(f"{where}: agent {name!r} is not defined")
        for message in check_condition(
            rule.condition,
            inputs=inputs,
            agents=declared,
            prev_step_agents=_previous_step_agents(rules, index),
        ):
            problems.append(f"rule {rule.name!r} condition: {message}")


def _check_orchestrator_tools(
    name: str,
    agent: Agent,
    workers: dict[str, Agent],
    problems: list[str],
    invalid: frozenset[str] = frozenset(),
) -> None:
    for tool in agent.capabilities.tools:
        target = tool.removeprefix("invoke_")
        if not tool.startswith("invoke_"):
            problems.append(f"agent {name!r}: orchestrator tool {tool!r} must be invoke_<worker>")
        elif target not in workers and target not in invalid:
            problems.append(f"agent {name!r}: tool {tool!r} names unknown worker {target!r}")


def _check_code(workers: dict[str, Agent], problems: list[str]) -> None:
    """Agents with ``code:`` must name existing preset code, and match its tools and schema."""
    for name, agent in workers.items():
        if agent.code is None:
            continue
        schema = None
        if agent.capabilities.structured_output:
            default = "".join(part.capitalize() for part in name.split("_")) + "Output"
            schema = agent.capabilities.output_schema or default
        problems.extend(code_problems(name, agent.code, agent.capabilities.tools, schema))


def _check_output_keys(workers: dict[str, Agent], problems: list[str]) -> None:
    """Results are filed under their output key in the job JSON: one agent per key."""
    owners: dict[str, str] = {}
    for name, agent in workers.items():
        key = agent.outputs.key or name
        if key in owners:
            problems.append(
                f"agent {name!r}: outputs.key {key!r} is already the output key of agent "
                f"{owners[key]!r}; each agent's result needs its own key"
            )
        else:
            owners[key] = name


def _check_external_apis(agents: dict[str, Agent], problems: list[str]) -> None:
    """External API names become environment names: two may not become the same one."""
    spelled: dict[str, str] = {}
    for name, agent in agents.items():
        for api in agent.dependencies.external_apis:
            variable = api_variable(api)
            if spelled.setdefault(variable, api) != api:
                problems.append(
                    f"agent {name!r}: external API {api!r} and {spelled[variable]!r} both "
                    f"become the settings {variable}_URL and {variable}_KEY: rename one"
                )
        for variable in agent.runtime.environment:
            if variable.startswith(EXTERNAL_API_PREFIX):
                problems.append(
                    f"agent {name!r}: runtime.environment {variable!r}: names starting with "
                    f"{EXTERNAL_API_PREFIX} are the settings of dependencies.external_apis"
                )


def _check_reads(
    workers: dict[str, Agent],
    inputs: dict[str, InputField],
    orchestrator_name: str,
    problems: list[str],
    invalid: frozenset[str] = frozenset(),
) -> None:
    """``reads:`` names declared inputs and other workers, and only where a task reads it."""
    for name, agent in workers.items():
        reads = agent.reads
        if reads is None:
            continue
        if agent.code is not None and ships_own_task(agent.code):
            problems.append(
                f"agent {name!r}: reads has no effect: its code {agent.code!r} makes its own "
                "task (its prompts.py or pipeline.py)"
            )
        for field in reads.inputs or ():
            if field not in inputs:
                known = ", ".join(inputs) or "none"
                problems.append(
                    f"agent {name!r}: reads.inputs names unknown input {field!r} (inputs: {known})"
                )
        for other in reads.results or ():
            if other == name:
                problems.append(
                    f"agent {name!r}: reads.results names the agent itself; "
                    "an agent reads the results of others"
                )
            elif other == orchestrator_name:
                problems.append(
                    f"agent {name!r}: reads.results names the orchestrator {other!r}, "
                    "which stores no result"
                )
            elif other not in workers and other not in invalid:
                known = ", ".join(worker for worker in workers if worker != name) or "none"
                problems.append(
                    f"agent {name!r}: reads.results names unknown worker {other!r} "
                    f"(workers: {known})"
                )


def _check_orchestrator_settings(name: str, agent: Agent, planner: bool, problems: list[str]):
    """Settings that only a worker acts on are refused on the orchestrator."""
    if agent.outputs.key or agent.outputs.output_fields:
        problems.append(
            f"agent {name!r}: outputs is not supported on the orchestrator: it stores no result"
        )
    if agent.model and not planner:
        problems.append(
            f"agent {name!r}: model is not supported here: the orchestrator runs the compiled "
            "rules and calls no model (only strategy planner does)"
        )


def load_project(answers: dict[str, Any]) -> Project:
    """Validate the answers and the spec; raise ``SpecError`` listing every problem."""
    problems: list[str] = []
    try:
        scalar = Answers.model_validate(answers)
    except ValidationError as error:
        problems.extend(_format_pydantic("answer", error))
        scalar = None
    slug = scalar.project_slug if scalar else str(answers.get("project_slug", ""))

    raw_agents = answers.get("agents")
    invalid_inputs: set[str] = set()
    inputs = _parse_inputs(answers.get("inputs"), problems, invalid_inputs)
    invalid_agents: set[str] = set()
    agents = _parse_agents(raw_agents, slug, problems, invalid_agents)
    orchestration, orchestration_valid = _parse_orchestration(
        answers.get("orchestration"), problems
    )
    _check_models(agents, answers.get("llm_provider"), problems)
    _check_plan_blocks(answers, problems)
    # An agent that failed validation still counts as defined (once reported, not again).
    invalid_orchestrators = {
        name
        for name in invalid_agents
        if isinstance(raw_agents[name], dict) and raw_agents[name].get("type") == "orchestrator"
    }
    invalid = frozenset(invalid_agents - invalid_orchestrators)

    orchestrators = [name for name, agent in agents.items() if agent.type == "orchestrator"]
    workers = {name: agent for name, agent in agents.items() if agent.type == "worker"}
    if len(orchestrators) + len(invalid_orchestrators) > 1:
        found = ", ".join(sorted([*orchestrators, *invalid_orchestrators]))
        problems.append(f"agents: at most one orchestrator agent (found {found})")
    if agents and not workers and not invalid:
        problems.append("agents: define at least one worker")
    for name, agent in workers.items():
        invoking = [t for t in agent.capabilities.tools if t.startswith("invoke_")]
        if invoking:
            problems.append(
                f"agent {name!r}: tool {invoking[0]!r}: only the orchestrator invokes workers"
            )
    _check_code(workers, problems)
    orchestrator_name = orchestrators[0] if orchestrators else DEFAULT_ORCHESTRATOR
    orchestrator = agents[orchestrators[0]] if orchestrators else Agent(type="orchestrator")
    _check_orchestrator_tools(orchestrator_name, orchestrator, workers, problems, invalid)
    _check_output_keys(workers, problems)
    _check_external_apis(agents, problems)
    settings = load_blocks(answers, problems)

    inputs_inferred = answers.get("inputs") is None
    rules = orchestration.selection_rules
    if inputs_inferred:
        inputs = _infer_inputs(rules)
    if orchestration_valid:
        if orchestration.strategy == "planner":
            if len(orchestrators) + len(invalid_orchestrators) != 1:
                problems.append(
                    "orchestration.strategy: planner needs exactly one agent of type orchestrator"
                )
            if rules:
                problems.append(
                    "orchestration.selection_rules: the planner decides at run time; "
                    "remove the rules or use strategy dynamic"
                )
        if orchestrators:
            planner = orchestration.strategy == "planner"
            _check_orchestrator_settings(orchestrator_name, orchestrator, planner, problems)
        if orchestration.strategy == "dynamic" and not rules:
            problems.append(
                "orchestration.selection_rules: strategy dynamic needs at least one rule"
            )
    # An input that failed validation is still declared: conditions may read it (any path).
    condition_inputs = {**{name: InputField(type="dict") for name in invalid_inputs}, **inputs}
    _check_rules(rules, workers, orchestrator_name, condition_inputs, problems, invalid)
    _check_reads(workers, condition_inputs, orchestrator_name, problems, invalid)

    if problems:
        raise SpecError(problems)
    assert scalar is not None
    project = Project(
        answers=scalar,
        inputs=inputs,
        inputs_inferred=inputs_inferred,
        workers=workers,
        orchestrator_name=orchestrator_name,
        orchestrator=orchestrator,
        orchestration=orchestration,
        settings=settings,
    )
    problems.extend(timing_problems(project))
    if problems:
        raise SpecError(problems)
    return project


__all__ = [
    "INPUT_TYPES",
    "Answers",
    "Project",
    "SpecError",
    "load_project",
]
