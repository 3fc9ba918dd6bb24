"""The context the templates read, derived from the validated ``Project``."""

from __future__ import annotations

from typing import Any

from .examples import NOTHING_SELECTED, example_inputs, expected_run, offline_output
from .infrastructure import terraform_variables
from .plan_compiler import compile_plan, mermaid_diagram
from .spec import SECRET_NAME_PATTERN, Agent, Rule, Step, api_variable
from .validation import (
    ORCHESTRATOR_MARGIN_SECONDS,
    Project,
    agent_worst_seconds,
    effective_rules,
    worst_case_path_seconds,
)

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


def _input_context(project: Project) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "type": field.type,
            "annotation": ANNOTATIONS[field.type],
            "required": field.required,
            # An optional input without a default may be null (None is in its enum too).
            "nullable": not field.required and field.default is None,
            "enum": field.enum,
            "default": field.default,
            "description": field.description,
        }
        for name, field in project.inputs.items()
    ]


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
    workers = [_agent_context(n, a, project) for n, a in project.workers.items()]
    # The offline planner calls every invoke tool once; each call is a one-agent step.
    scenario_rules = rules
    if planner:
        steps = [Step(parallel=False, agents=[name]) for name in invoked]
        scenario_rules = [Rule(name="planner", steps=steps)]
    return {
        "package_name": project.package_name,
        "workers": workers,
        "orchestrator": orchestrator,
        "strategy": orchestration.strategy,
        "planner": planner,
        "on_failure": orchestration.on_failure,
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
        "rules": [
            {
                "name": rule.name,
                "condition": rule.condition,
                "steps": [s.model_dump() for s in rule.steps],
                "otherwise": [s.model_dump() for s in rule.otherwise],
            }
            for rule in rules
        ],
        "inputs_list": _input_context(project),
        "inputs_inferred": project.inputs_inferred,
        "examples": examples,
        "scenarios": scenarios(project, scenario_rules, examples),
        "nothing_selected": PLANNER_CALLED_NOBODY if planner else NOTHING_SELECTED,
        "worst_case_seconds": worst_case_path_seconds(project),
        "orchestrator_margin_seconds": ORCHESTRATOR_MARGIN_SECONDS,
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
