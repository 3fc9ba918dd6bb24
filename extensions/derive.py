"""The context the templates read, derived from the validated ``Project``."""

from __future__ import annotations

from typing import Any

from .examples import OFFLINE_SAMPLES, example_inputs, nested_leaf, offline_output
from .infrastructure import terraform_variables
from .layout import layout
from .oracle import NOTHING_SELECTED, expected_run
from .pins import copier_tool
from .plan_compiler import compile_plan, mermaid_diagram
from .preset_code import GENERIC_AGENT_FILES, agent_files, shared_files
from .reads import agent_reads, receives, task_fields, task_text
from .spec import SECRET_NAME_PATTERN, Agent, InputField, Rule, Step, api_variable, effective_rules
from .starter_evals import starter_evals
from .timing import (
    BACKOFF_JITTER_SECONDS,
    BACKOFF_MAX_SECONDS,
    ORCHESTRATOR_MARGIN_SECONDS,
    agent_worst_seconds,
    worst_case_path_seconds,
)
from .validation import Project

# ruff's line length in the generated project (template/pyproject.toml.jinja).
GENERATED_LINE_LENGTH = 100
# The error of a job in which the LLM planner called no worker (orchestrator/run.py).
PLANNER_CALLED_NOBODY = "the planner called no agent"

ANNOTATIONS = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "list": "list[Any]",
    "dict": "dict[str, Any]",
}


def sentence(text: str) -> str:
    """Text that ends like a sentence, for docstrings and instructions."""
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else f"{text}."


def class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _agent_context(name: str, agent: Agent, project: Project) -> dict[str, Any]:
    environment = agent.runtime.environment
    return {
        "name": name,
        "class_name": class_name(name),
        "description": sentence(agent.description or name.replace("_", " ").capitalize()),
        "model": agent.model or project.answers.llm_model,
        "model_override": agent.model,
        "timeout": agent.runtime.timeout,
        "memory": agent.runtime.memory,
        "max_turns": agent.runtime.max_turns,
        "retries": agent.runtime.retries,
        "worst_seconds": agent_worst_seconds(agent),
        "secret_environment": [n for n in environment if SECRET_NAME_PATTERN.search(n)],
        "plain_environment": [n for n in environment if not SECRET_NAME_PATTERN.search(n)],
        "tools": list(agent.capabilities.tools),
        "structured_output": agent.capabilities.structured_output,
        "output_schema": agent.capabilities.output_schema or f"{class_name(name)}Output",
        "output_fields": [
            {"name": field, "type": type_name, "annotation": ANNOTATIONS[type_name]}
            for field, type_name in agent.outputs.output_fields.items()
        ],
        "output_key": agent.outputs.key or name,
        "optional": agent.optional,
        "database": agent.dependencies.database,
        "storage": agent.dependencies.storage,
        "queue": agent.dependencies.queue,
        "external_apis": list(agent.dependencies.external_apis),
        **_code_context(agent, project),
    }


def _external_apis(project: Project) -> list[dict[str, Any]]:
    """Each API that agents.yaml names, its settings and the agents that declare it."""
    agents = {project.orchestrator_name: project.orchestrator, **project.workers}
    found: dict[str, dict[str, Any]] = {}
    for name, agent in agents.items():
        for api in agent.dependencies.external_apis:
            variable = api_variable(api)
            entry = found.setdefault(
                api,
                {
                    "name": api,
                    "variable": variable,
                    "url_variable": f"{variable}_URL",
                    "key_variable": f"{variable}_KEY",
                    "agents": [],
                },
            )
            entry["agents"].append(name)
    return list(found.values())


def _path_answers(project: Project) -> dict[str, Any]:
    """What a preset's path conditions may read: the answers and the package name."""
    return {**project.answers.model_dump(), "package_name": project.package_name}


def _code_context(agent: Agent, project: Project) -> dict[str, Any]:
    """The preset code of an agent, and the template's files it does not replace."""
    files = agent_files(agent.code, _path_answers(project)) if agent.code else []
    shipped = {file.path for file in files}
    return {
        "code": agent.code,
        "code_files": [file.context() for file in files],
        "generic_files": [name for name in GENERIC_AGENT_FILES if name not in shipped],
        "pipeline": "pipeline.py" in shipped,
    }


def _prompt_context(
    workers: list[dict[str, Any]], project: Project, rules: list[Rule], planner: bool
) -> None:
    """Add to each worker's context what its prompts.py gives the model (extensions/reads.py)."""
    inputs = {
        name: {"type": field.type, "description": field.description}
        for name, field in project.inputs.items()
    }
    descriptions = {worker["name"]: worker["description"] for worker in workers}
    for worker in workers:
        reads = agent_reads(
            worker["name"],
            project.workers[worker["name"]],
            inputs=list(project.inputs),
            inputs_inferred=project.inputs_inferred,
            workers=list(project.workers),
            rules=rules,
            planner=planner,
        )
        fields = task_fields(reads)
        worker["reads"] = {
            "inputs": None if reads.inputs is None else list(reads.inputs),
            "results": None if reads.results is None else list(reads.results),
        }
        worker["receives"] = receives(reads, inputs, descriptions)
        worker["task_fields"] = fields
        worker["task_text"] = task_text(fields)


def _layout(project: Project) -> list[dict[str, str]]:
    """The README's layout lines (extensions/layout.py)."""
    presets = {a.code.split("/")[0] for a in project.workers.values() if a.code}
    answers = project.answers.model_dump()
    return layout(answers, project.package_name, _preset_files(project), presets)


def _preset_files(project: Project) -> dict[str, list[dict[str, Any]]]:
    """The shared package and project files of the presets whose code the agents use."""
    presets = {a.code.split("/")[0] for a in project.workers.values() if a.code}
    found = shared_files(presets, _path_answers(project))
    return {kind: [file.context() for file in files] for kind, files in found.items()}


# --------------------------------------------------------------------------------------------
# Nested inputs: each `object` becomes a pydantic class, each list of enum values a Literal
# alias, declared before the classes that use them (``input_models``).

# Names inputs.py defines or imports, which a nested class must not take.
INPUTS_MODULE_NAMES = frozenset(
    {"Any", "BaseModel", "ConfigDict", "Field", "InvalidInput", "JobInput", "Literal"}
    | {"ValidationError"}
)


def _unique(name: str, owner: str, taken: set[str]) -> str:
    """A class name not taken yet: ``name``, else prefixed by its owner's, else numbered."""
    for candidate in (name, f"{owner}{name}"):
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    number = 2
    while f"{owner}{name}{number}" in taken:
        number += 1
    taken.add(f"{owner}{name}{number}")
    return f"{owner}{name}{number}"


def _annotation(field: InputField, hint: str, owner: str, state: dict[str, Any]) -> str:
    """The Python annotation of a field; nested classes and aliases land in ``state``."""
    if field.type == "object":
        name = _unique(hint, owner, state["taken"])
        fields = [
            _field_context(child, nested, name, state)
            for child, nested in (field.fields or {}).items()
        ]
        state["models"].append({"kind": "class", "name": name, "fields": fields})
        return name
    if field.type == "list" and field.items is not None:
        items = field.items
        if items.enum is not None:
            alias = _unique(f"{hint}Item", owner, state["taken"])
            state["models"].append({"kind": "alias", "name": alias, "enum": items.enum})
            state["literal"] = True
            return f"list[{alias}]"
        return f"list[{_annotation(items, f'{hint}Item', owner, state)}]"
    return ANNOTATIONS[field.type]


def _field_context(name: str, field: InputField, owner: str, state: dict[str, Any]) -> dict:
    annotation = _annotation(field, class_name(name), owner, state)
    state["literal"] = state["literal"] or field.enum is not None
    optional = not field.required and field.default is None
    line = f"    {name}: {annotation}{' | None' if optional else ''} = Field("
    return {
        "name": name,
        "type": field.type,
        "annotation": annotation,
        # ruff puts an annotation that makes the line too long in parentheses.
        "wrap": field.enum is None and len(line) > GENERATED_LINE_LENGTH,
        "required": field.required,
        # An optional input without a default may be null (None is in its enum too).
        "nullable": optional,
        "enum": field.enum,
        "default": field.default,
        "description": field.description,
        "minimum": _number(field.minimum),
        "maximum": _number(field.maximum),
    }


def _number(value: float | None) -> float | int | None:
    """A bound as written in the generated code: ``0``, not ``0.0``."""
    return int(value) if value is not None and value.is_integer() else value


def input_models(inputs: dict[str, InputField]) -> dict[str, Any]:
    """The top-level fields of ``JobInput`` and the nested classes and aliases they use."""
    state: dict[str, Any] = {"taken": set(INPUTS_MODULE_NAMES), "models": [], "literal": False}
    fields = [_field_context(name, field, "", state) for name, field in inputs.items()]
    return {"fields": fields, "models": state["models"], "literal": state["literal"]}


def input_rows(inputs: dict[str, InputField], prefix: str = "") -> list[dict[str, Any]]:
    """Every input field with its JSON path (``accounts[].positions[].symbol``), for docs."""
    rows = []
    for name, field in inputs.items():
        path = f"{prefix}{name}"
        kind = f"list of {field.items.type}" if field.items is not None else field.type
        rows.append({"path": path, "type": kind, "field": field})
        nested = field.items if field.items is not None else field
        if nested.fields:
            marker = "[]." if field.items is not None else "."
            rows.extend(input_rows(nested.fields, f"{path}{marker}"))
    return rows


def scenarios(
    project: Project, rules: list, examples: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Scenario tests: each example as is, then a failing, an optional and a retried agent."""
    outputs = {name: offline_output(name, agent) for name, agent in project.workers.items()}
    optional = frozenset(name for name, agent in project.workers.items() if agent.optional)
    stop = project.orchestration.on_failure == "stop"

    def expect(example: dict[str, Any], failing: frozenset[str] = frozenset()) -> dict[str, Any]:
        return expected_run(
            rules,
            example["input"],
            outputs,
            failing=failing,
            optional=optional,
            stop_on_failure=stop,
        )

    found = []
    for example in examples:
        found.append(
            {
                "name": example["name"],
                "example": example["name"],
                "scripted": {},
                "expected": expect(example),
            }
        )
    if project.orchestration.strategy == "planner":
        return found
    for example in examples:
        ran = [name for step in expect(example)["steps"] for name in step["agents"]]
        required = [name for name in ran if name not in optional]
        if required and not any(s["name"] == "required_agent_fails" for s in found):
            failing = frozenset({required[0]})
            found.append(
                {
                    "name": "required_agent_fails",
                    "example": example["name"],
                    "scripted": {required[0]: {"$error": "scripted failure"}},
                    "expected": expect(example, failing),
                }
            )
            found.append(
                {
                    "name": "agent_retried",
                    "example": example["name"],
                    "retry": required[0],
                    "scripted": {required[0]: {"$error": "flaky", "$fail_attempts": 1}},
                    "expected": expect(example),
                }
            )
        optional_ran = [name for name in ran if name in optional]
        if optional_ran and not any(s["name"] == "optional_agent_fails" for s in found):
            failing = frozenset({optional_ran[0]})
            found.append(
                {
                    "name": "optional_agent_fails",
                    "example": example["name"],
                    "scripted": {optional_ran[0]: {"$error": "scripted failure"}},
                    "expected": expect(example, failing),
                }
            )
    return found


def template_context(project: Project) -> dict[str, Any]:
    """Everything the templates need beyond the raw answers."""
    orchestration = project.orchestration
    worker_names = list(project.workers)
    rules = effective_rules(orchestration, worker_names)
    planner = orchestration.strategy == "planner"
    orchestrator = _agent_context(project.orchestrator_name, project.orchestrator, project)
    invoked = sorted({a for rule in rules for step in rule.all_steps() for a in step.agents})
    if planner:
        tools = project.orchestrator.capabilities.tools
        invoked = [t.removeprefix("invoke_") for t in tools] if tools else worker_names
    orchestrator["invokes"] = invoked
    examples = example_inputs(project.inputs, rules)
    rule_views = [
        {
            "name": rule.name,
            "condition": rule.condition,
            "steps": [s.model_dump() for s in rule.steps],
            "otherwise": [s.model_dump() for s in rule.otherwise],
        }
        for rule in rules
    ]
    inputs = input_models(project.inputs)
    workers = [_agent_context(n, a, project) for n, a in project.workers.items()]
    _prompt_context(workers, project, rules, planner)
    # The offline planner calls every invoke tool once; each call is a one-agent step.
    scenario_rules = rules
    if planner:
        steps = [Step(parallel=False, agents=[name]) for name in invoked]
        scenario_rules = [Rule(name="planner", steps=steps)]
    scenario_list = scenarios(project, scenario_rules, examples)
    pipelines = {worker["name"] for worker in workers if worker["pipeline"]}
    return {
        "package_name": project.package_name,
        "workers": workers,
        "orchestrator": orchestrator,
        "strategy": orchestration.strategy,
        "planner": planner,
        "on_failure": orchestration.on_failure,
        "budget_usd": orchestration.budget_usd,
        "eval_thresholds": {
            name: agent.eval_threshold
            for name, agent in project.workers.items()
            if agent.eval_threshold is not None
        },
        "plan_source": None
        if planner
        else compile_plan(
            rules,
            on_failure=orchestration.on_failure,
            strategy=orchestration.strategy,
            workers=worker_names,
            line_length=GENERATED_LINE_LENGTH,
        ),
        "rules_diagram": mermaid_diagram(
            rules,
            strategy=orchestration.strategy,
            workers=worker_names,
            orchestrator=project.orchestrator_name,
        ),
        "rules": rule_views,
        # What the web console shows besides the API's answers: the plan and the first example.
        "console_project": {
            "planner": planner,
            "rules": rule_views,
            "example": examples[0]["input"],
        },
        "preset_files": _preset_files(project),
        "layout": _layout(project),
        "inputs_list": inputs["fields"],
        "input_models": inputs,
        "nested_input_leaf": nested_leaf(project.inputs, examples[0]["input"]),
        "input_rows": [
            {
                "path": row["path"],
                "type": row["type"],
                "enum": row["field"].enum,
                "required": row["field"].required,
                "default": row["field"].default,
            }
            for row in input_rows(project.inputs)
        ],
        "inputs_inferred": project.inputs_inferred,
        "examples": examples,
        "scenarios": scenario_list,
        "starter_evals": starter_evals(
            project.workers, examples[0]["name"], scenario_list[0]["expected"]["steps"], pipelines
        ),
        "nothing_selected": PLANNER_CALLED_NOBODY if planner else NOTHING_SELECTED,
        "worst_case_seconds": worst_case_path_seconds(project),
        "orchestrator_margin_seconds": ORCHESTRATOR_MARGIN_SECONDS,
        "backoff_max_seconds": BACKOFF_MAX_SECONDS,
        "backoff_jitter_seconds": BACKOFF_JITTER_SECONDS,
        "offline_samples": OFFLINE_SAMPLES,
        "copier_tool": copier_tool(),
        "external_apis": _external_apis(project),
        "storage_agents": [a["name"] for a in [*workers, orchestrator] if a["storage"] != "none"],
        "project_version": project.settings.version,
        "llm_region": project.settings.llm_region or project.answers.aws_region,
        "terraform_variables": terraform_variables(
            project.package_name,
            workers,
            orchestrator,
            planner=planner,
            answers=project.answers,
            settings=project.settings,
        ),
    }
