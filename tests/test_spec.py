"""Unit tests of the spec model (extensions/spec.py) and of its validation."""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extensions.spec import (
    Agent,
    InputField,
    Rule,
    Step,
    effective_rules,
    input_value_problem,
    parse_steps,
)
from extensions.timing import agent_worst_seconds, worst_case_path_seconds
from extensions.validation import Project, SpecError, load_project

SCALARS = {
    "project_name": "Spec Test",
    "project_slug": "spec-test",
    "aws_region": "us-east-1",
    "database": "dynamodb",
    "llm_provider": "bedrock",
    "llm_model": "us.amazon.nova-pro-v1:0",
}

SPEC: dict[str, Any] = {
    "inputs": {
        "kind": {"type": "str", "enum": ["a", "b"], "required": True},
        "count": {"type": "int", "default": 0},
    },
    "agents": {
        "cleaner": {"outputs": {"schema": {"rows": "int"}}},
        "scorer": {"outputs": {"schema": {"confidence": "float"}}},
        "checker": {},
        "reporter": {"optional": True},
    },
    "orchestration": {
        "strategy": "dynamic",
        "selection_rules": [
            {
                "name": "main",
                "condition": "input.kind == 'a' and input.count > 0",
                "agents": [{"sequential": ["cleaner"]}, {"parallel": ["scorer", "checker"]}],
                "else": [{"sequential": ["checker"]}],
            },
            {
                "name": "review",
                "condition": "prev_step.scorer.confidence < 0.7",
                "agents": ["reporter"],
            },
        ],
    },
}


def answers(**changes: Any) -> dict[str, Any]:
    """The scalar answers and SPEC, with top-level keys replaced."""
    data = {**SCALARS, **copy.deepcopy(SPEC)}
    data.update(changes)
    return data


def with_agent(name: str, spec: Any) -> dict[str, Any]:
    data = answers()
    data["agents"][name] = spec
    return data


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_project(data)
    assert caught.value.problems, "a SpecError lists its problems"
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


def assert_problem(data: dict[str, Any], *fragments: str) -> list[str]:
    problems = problems_of(data)
    joined = "\n".join(problems)
    for fragment in fragments:
        assert fragment in joined, f"{fragment!r} not in:\n{joined}"
    return problems


# ---------------------------------------------------------------------------------------------
# Defaults


def test_reference_spec_loads():
    project = load_project(answers())
    assert isinstance(project, Project)
    assert list(project.workers) == ["cleaner", "scorer", "checker", "reporter"]
    assert project.orchestrator_name == "orchestrator"
    assert project.package_name == "spec_test"
    assert not project.inputs_inferred


def test_agent_defaults():
    agent = load_project(answers()).workers["checker"]
    assert agent.type == "worker"
    assert agent.description == ""
    assert agent.model is None
    assert agent.optional is False
    assert agent.runtime.timeout == 300
    assert agent.runtime.memory == 1024
    assert agent.runtime.max_turns == 10
    assert agent.runtime.retries == 0
    assert agent.runtime.environment == []
    assert agent.capabilities.tools == []
    assert agent.capabilities.structured_output is True
    assert agent.capabilities.output_schema is None
    assert agent.dependencies.database == "read-write"
    assert agent.dependencies.storage == "none"
    assert agent.dependencies.queue == "none"
    assert agent.dependencies.external_apis == []
    assert agent.outputs.key is None
    assert agent.outputs.output_fields == {}


def test_an_agent_may_be_empty():
    project = load_project(with_agent("extra", None))
    assert project.workers["extra"] == Agent()


def test_default_orchestrator_has_the_longest_timeout():
    project = load_project(answers())
    assert project.orchestrator.type == "orchestrator"
    assert project.orchestrator.runtime.timeout == 900


def test_declared_orchestrator_gets_900_unless_it_says_otherwise():
    project = load_project(with_agent("boss", {"type": "orchestrator", "runtime": {"memory": 512}}))
    assert project.orchestrator_name == "boss"
    assert project.orchestrator.runtime.timeout == 900
    assert project.orchestrator.runtime.memory == 512
    project = load_project(
        with_agent("boss", {"type": "orchestrator", "runtime": {"timeout": 600}})
    )
    assert project.orchestrator.runtime.timeout == 600


def test_orchestration_defaults():
    data = answers()
    data["orchestration"] = {"selection_rules": SPEC["orchestration"]["selection_rules"]}
    orchestration = load_project(data).orchestration
    assert orchestration.strategy == "dynamic"
    assert orchestration.on_failure == "stop"
    rule = Rule.model_validate({"name": "r", "agents": ["a"]})
    assert rule.condition == "always"
    assert rule.otherwise == []


def test_condition_true_means_always():
    assert Rule.model_validate({"name": "r", "condition": True, "agents": ["a"]}).condition == (
        "always"
    )


# ---------------------------------------------------------------------------------------------
# The original plan's spellings


def test_plan_aliases():
    project = load_project(
        with_agent(
            "legacy",
            {
                "runtime": {"triggers": ["sqs_queue"]},
                "dependencies": {"storage": "required", "queue": "required", "database": None},
                "outputs": {"database_field": "legacy_payload"},
            },
        )
    )
    agent = project.workers["legacy"]
    assert agent.outputs.key == "legacy_payload"
    assert agent.dependencies.storage == "read-write"
    assert agent.dependencies.queue == "send"
    assert agent.dependencies.database == "none"
    assert agent.runtime.triggers == ["sqs_queue"]


@pytest.mark.parametrize(("spelling", "access"), [("read-only", "read"), ("readonly", "read")])
def test_read_only_spellings(spelling, access):
    project = load_project(with_agent("legacy", {"dependencies": {"database": spelling}}))
    assert project.workers["legacy"].dependencies.database == access


def test_key_and_database_field_together_are_refused():
    assert_problem(
        with_agent("legacy", {"outputs": {"key": "a", "database_field": "b"}}),
        "agent 'legacy' outputs",
        "not both",
    )


def test_unknown_trigger_is_refused():
    assert_problem(with_agent("legacy", {"runtime": {"triggers": ["cron"]}}), "'cron'")


def test_steps_forms():
    assert parse_steps(["a", "b", {"parallel": ["c", "d"]}, "e"]) == [
        Step(parallel=False, agents=["a", "b"]),
        Step(parallel=True, agents=["c", "d"]),
        Step(parallel=False, agents=["e"]),
    ]
    assert parse_steps([{"sequential": "a"}]) == [Step(parallel=False, agents=["a"])]


def test_rule_keys_steps_and_otherwise_are_not_user_keys():
    data = answers()
    data["orchestration"]["selection_rules"][1] = {
        "name": "review",
        "steps": [{"parallel": False, "agents": ["reporter"]}],
    }
    assert_problem(data, "rule 'review'", "unknown key 'steps' (write agents)")


# ---------------------------------------------------------------------------------------------
# Inputs


def test_input_types_and_shorthand():
    inputs = {name: name for name in ("str", "int", "float", "bool", "list", "dict")}
    renamed = {f"f_{name}": kind for name, kind in inputs.items()}
    data = answers(inputs={**SPEC["inputs"], **renamed})
    project = load_project(data)
    assert {name: project.inputs[name].type for name in renamed} == renamed


@pytest.mark.parametrize(
    ("field", "fragment"),
    [
        ({"type": "string"}, "input 'x' type"),
        ({"type": "int", "enum": ["a"]}, "enum value 'a' is not of type int"),
        ({"type": "int", "enum": [True]}, "enum value True is not of type int"),
        ({"type": "str", "enum": []}, "enum must list at least one value"),
        ({"type": "str", "enum": ["a"], "default": "b"}, "default 'b' is not one of the enum"),
        ({"type": "int", "default": "3"}, "default '3' is not of type int"),
        ({"type": "bool", "example": 1}, "example 1 is not of type bool"),
        ({"type": "str", "required": True, "default": "a"}, "required input cannot have a default"),
        ({"type": "float", "default": float("nan")}, "not a finite number"),
        ({"type": "list", "default": [datetime.date(2024, 1, 1)]}, "is not a JSON value"),
        ({"type": "dict", "example": {1: "a"}}, "mapping key 1 is not a string"),
        ({"type": "str", "color": "red"}, "input 'x' color: unknown key"),
        (None, "input 'x'"),
    ],
)
def test_bad_input_fields(field, fragment):
    assert_problem(answers(inputs={**SPEC["inputs"], "x": field}), fragment)


def test_input_values_of_the_declared_type():
    field = InputField.model_validate(
        {"type": "float", "enum": [1, 2.5], "default": 1, "example": 2.5, "description": "d"}
    )
    assert field.enum == [1, 2.5]
    assert field.default == 1


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("Kind", "must match"),
        ("class", "Python keyword"),
        ("model_config", "attribute of pydantic's BaseModel"),
        ("json", "attribute of pydantic's BaseModel"),
        ("list", "shadow the type name"),
    ],
)
def test_bad_input_names(name, fragment):
    assert_problem(answers(inputs={**SPEC["inputs"], name: "str"}), f"input {name!r}", fragment)


# ---------------------------------------------------------------------------------------------
# Nested inputs

PORTFOLIO = {
    "type": "list",
    "required": True,
    "items": {
        "type": "object",
        "fields": {
            "account_name": {"type": "str", "required": True},
            "cash_balance": {"type": "float", "default": 0, "minimum": 0},
            "positions": {
                "type": "list",
                "items": {
                    "type": "object",
                    "fields": {"symbol": "str", "quantity": {"type": "float", "minimum": 0}},
                },
            },
        },
    },
    "example": [{"account_name": "401k", "positions": [{"symbol": "SPY", "quantity": 10}]}],
}


def test_nested_inputs_load_with_shorthand():
    project = load_project(answers(inputs={**SPEC["inputs"], "accounts": PORTFOLIO}))
    account = project.inputs["accounts"].items
    assert account.type == "object"
    position = account.fields["positions"].items
    assert position.fields["symbol"] == InputField(type="str")
    assert position.fields["quantity"].minimum == 0


def nested(**changes: Any) -> dict[str, Any]:
    """PORTFOLIO with the account object's declaration changed."""
    spec = copy.deepcopy(PORTFOLIO)
    spec["items"].update(changes)
    return spec


@pytest.mark.parametrize(
    ("field", "fragment"),
    [
        ({"type": "object"}, "an object input needs fields"),
        ({"type": "object", "fields": {}}, "an object input needs fields"),
        ({"type": "str", "fields": {"a": "str"}}, "fields apply to object inputs, not str"),
        ({"type": "dict", "items": "str"}, "items applies to list inputs, not dict"),
        ({"type": "list", "items": {"type": "str", "required": True}}, "items: required"),
        ({"type": "list", "items": {"type": "int", "default": 1}}, "do not apply to list items"),
        (
            {"type": "object", "fields": {"a": "str"}, "enum": [{}]},
            "enum is for str, int, float and bool inputs, not object",
        ),
        ({"type": "str", "minimum": 1}, "minimum and maximum apply to int and float, not str"),
        ({"type": "int", "minimum": 2, "maximum": 1}, "minimum 2.0 is above maximum 1.0"),
        ({"type": "int", "default": 0, "minimum": 1}, "default 0 is below the minimum 1"),
        ({"type": "float", "example": 11, "maximum": 10}, "example 11 is above the maximum 10"),
        ({"type": "object", "fields": {"Bad": "str"}}, "field name 'Bad' must match"),
        ({"type": "object", "fields": {"class": "str"}}, "field name 'class' is a Python keyword"),
        ({"type": "object", "fields": {"json": "str"}}, "attribute of pydantic's BaseModel"),
        ({"type": "object", "fields": {"a": "decimal"}}, "input 'x' fields.a.type"),
        ({"type": "list", "items": {"type": "list", "items": "date"}}, "items.items.type"),
        (
            nested(fields={"a": "str"}, example={"a": 1}),
            "input 'x' items: example.a: 1 is not of type str",
        ),
        (
            {**PORTFOLIO, "example": [{"account_name": "a", "positions": [{"quantity": "2"}]}]},
            "example[0].positions[0].quantity: '2' is not of type float",
        ),
        (
            {**PORTFOLIO, "example": [{"account_name": "a", "cash_balance": -1}]},
            "example[0].cash_balance: -1 is below the minimum 0",
        ),
        ({**PORTFOLIO, "example": [{"positions": []}]}, "example[0].account_name: missing"),
        (
            {**PORTFOLIO, "example": [{"account_name": "a", "owner": "b"}]},
            "example[0]: unknown field 'owner'",
        ),
        ({**PORTFOLIO, "default": [{}]}, "default[0].account_name: missing required field"),
    ],
)
def test_bad_nested_inputs(field, fragment):
    assert_problem(answers(inputs={**SPEC["inputs"], "x": field}), fragment)


def test_conditions_read_declared_nested_fields_only():
    data = answers(inputs={**SPEC["inputs"], "accounts": PORTFOLIO})
    rule = data["orchestration"]["selection_rules"][0]
    rule["condition"] = "input.accounts[0].positions[0].quantity > 0"
    load_project(data)
    rule["condition"] = "input.accounts[0].positions[0].qty > 0"
    assert_problem(
        data,
        "rule 'main' condition: column 32: input.accounts[0].positions[0].qty: 'qty' is not a "
        "field of input.accounts[0].positions[0] (fields: quantity, symbol)",
    )


# Nested declarations, and values made from them: a valid value has no problem, and a value with
# one leaf of the wrong type has exactly one, naming that leaf's path.
scalar_types = st.sampled_from(["str", "int", "float", "bool"])
field_names = st.sampled_from(["a", "b", "name", "qty", "positions", "tags"])
declarations = st.recursive(
    scalar_types.map(lambda kind: {"type": kind}),
    lambda children: (
        st.builds(lambda items: {"type": "list", "items": items}, children)
        | st.builds(
            lambda fields: {"type": "object", "fields": fields},
            st.dictionaries(field_names, children, min_size=1, max_size=3),
        )
    ),
    max_leaves=8,
)
LEAVES = {"str": st.text(max_size=3), "int": st.integers(), "float": st.floats(-1e6, 1e6)}
WRONG = {"str": 1, "int": "1", "float": "1.5", "bool": 0}


@st.composite
def values_of(draw: Any, field: InputField) -> Any:
    if field.type == "bool":
        return draw(st.booleans())
    if field.type in LEAVES:
        return draw(LEAVES[field.type])
    if field.type == "list":
        return [draw(values_of(field.items)) for _ in range(draw(st.integers(0, 3)))]
    return {name: draw(values_of(nested)) for name, nested in field.fields.items()}


def leaves(field: InputField, value: Any, path: str = "") -> list[tuple[str, str, list]]:
    """(path, type, keys) of every scalar leaf of a value."""
    if field.type == "list":
        return [
            leaf
            for index, item in enumerate(value)
            for leaf in leaves(field.items, item, f"{path}[{index}]")
        ]
    if field.type == "object":
        return [
            leaf
            for name, nested in field.fields.items()
            for leaf in leaves(nested, value[name], f"{path}.{name}")
        ]
    return [(path, field.type, [])]


def replace_leaf(value: Any, path: str, new: Any) -> Any:
    tokens = path.replace("[", ".[").split(".")[1:]
    if not tokens:
        return new
    value = copy.deepcopy(value)
    container, last = value, None
    for token in tokens:
        key = int(token[1:-1]) if token.startswith("[") else token
        if last is not None:
            container = container[last]
        last = key
    container[last] = new
    return value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_nested_values_are_checked_at_every_path(data):
    field = InputField.model_validate(data.draw(declarations))
    value = data.draw(values_of(field))
    assert input_value_problem(field, value, "example") is None
    found = leaves(field, value)
    if not found:
        return
    path, kind, _ = data.draw(st.sampled_from(found))
    problem = input_value_problem(field, replace_leaf(value, path, WRONG[kind]), "example")
    expected = f"example{path}: " if path else "example "
    assert problem == f"{expected}{WRONG[kind]!r} is not of type {kind}"


# ---------------------------------------------------------------------------------------------
# Preset code


def test_an_agent_may_start_from_preset_code():
    data = with_agent(
        "writer",
        {"code": "finance/reporter", "capabilities": {"output_schema": "ReportNarrative"}},
    )
    data["agents"]["writer"]["capabilities"]["tools"] = ["get_market_insights"]
    assert load_project(data).workers["writer"].code == "finance/reporter"


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ({"code": "finance"}, "code 'finance' must be <preset>/<agent>"),
        ({"code": "../etc/passwd"}, "must be <preset>/<agent>"),
        ({"code": "finance/nope"}, "code 'finance/nope' does not exist (available: finance/"),
        ({"code": "nope/tagger"}, "code 'nope/tagger' does not exist"),
        (
            {"code": "finance/tagger", "capabilities": {"output_schema": "Other"}},
            "defines no output schema 'Other' (set capabilities.output_schema to one of: "
            "InstrumentClassification)",
        ),
        (
            {"code": "finance/reporter", "capabilities": {"tools": ["x"], "output_schema": "X"}},
            "has no tool 'x' (its tools: get_market_insights)",
        ),
        ({"code": "finance/charter"}, "defines no output schema 'WriterOutput'"),
        ({"type": "orchestrator", "code": "finance/tagger"}, "code applies to workers"),
    ],
)
def test_bad_preset_code(spec, fragment):
    assert_problem(with_agent("writer", spec), "agent 'writer'", fragment)


def test_code_without_structured_output_needs_no_schema():
    spec = {"code": "finance/charter", "capabilities": {"structured_output": False}}
    assert load_project(with_agent("writer", spec)).workers["writer"].code == "finance/charter"


def test_inputs_must_be_a_mapping():
    assert_problem(answers(inputs=["kind"]), "inputs: must be a mapping")


def test_inputs_inferred_from_conditions():
    data = answers(inputs=None)
    data["orchestration"]["selection_rules"][0]["condition"] = (
        "input.kind == 'a' and input.count > 0 and input.ratio >= 0.5 and input.flag == true "
        "and input.region in ['eu', 'us'] and input.anything"
    )
    project = load_project(data)
    assert project.inputs_inferred
    assert {name: field.type for name, field in project.inputs.items()} == {
        "kind": "str",
        "count": "int",
        "ratio": "float",
        "flag": "bool",
        "region": "str",
        "anything": "str",
    }
    assert not any(field.required for field in project.inputs.values())


def test_inferred_int_and_float_merge_to_float():
    data = answers(inputs=None)
    data["orchestration"]["selection_rules"][0]["condition"] = "input.n > 0 or input.n < 0.5"
    assert load_project(data).inputs["n"].type == "float"


def test_no_conditions_infer_no_inputs():
    data = answers(inputs=None, orchestration={"strategy": "sequential"})
    project = load_project(data)
    assert project.inputs == {}
    assert project.inputs_inferred


def test_empty_inputs_are_declared_not_inferred():
    problems = problems_of(answers(inputs={}))
    assert any("input.kind: 'kind' is not a declared input (declared: none)" in p for p in problems)


def test_inferred_inputs_with_an_unparsable_condition():
    data = answers(inputs=None)
    data["orchestration"]["selection_rules"][0]["condition"] = "input.kind =="
    assert_problem(data, "rule 'main' condition: column", "syntax error")


# ---------------------------------------------------------------------------------------------
# Agents


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("DataCleaner", "name must match"),
        ("1agent", "name must match"),
        ("data-cleaner", "name must match"),
        ("lambda", "Python keyword"),
        ("match", "Python keyword"),
        ("runtime", "reserved by the generated layout"),
        ("api", "reserved by the generated layout"),
    ],
)
def test_bad_agent_names(name, fragment):
    assert_problem(with_agent(name, {}), f"agent {name!r}", fragment)


def test_reserved_name_for_an_orchestrator():
    assert_problem(with_agent("api", {"type": "orchestrator"}), "agent 'api'", "reserved")
    project = load_project(with_agent("orchestrator", {"type": "orchestrator"}))
    assert project.orchestrator_name == "orchestrator"


def test_orchestrator_named_like_a_worker_in_a_rule():
    data = with_agent("boss", {"type": "orchestrator"})
    data["orchestration"]["selection_rules"][1]["agents"] = ["boss"]
    assert_problem(data, "'boss' is the orchestrator; rules run workers only")


def test_lambda_name_length():
    long_name = "a" * 50
    assert_problem(with_agent(long_name, {}), f"agent {long_name!r}: Lambda name", "fit 64")
    fits = "a" * (55 - len("spec-test-"))
    load_project(with_agent(fits, {}))
    assert_problem(with_agent(fits + "b", {}), "Lambda name")


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ({"runtime": {"timeout": 0}}, "agent 'x' runtime.timeout"),
        ({"runtime": {"timeout": 901}}, "agent 'x' runtime.timeout"),
        ({"runtime": {"memory": 64}}, "agent 'x' runtime.memory"),
        ({"runtime": {"memory": 20000}}, "agent 'x' runtime.memory"),
        ({"runtime": {"retries": -1}}, "agent 'x' runtime.retries"),
        ({"runtime": {"max_turns": 0}}, "agent 'x' runtime.max_turns"),
        ({"runtime": {"environment": ["api_key"]}}, "environment name 'api_key'"),
        ({"runtime": {"environment": ["A", "A"]}}, "environment names must be unique"),
        ({"runtime": {"runtme": 1}}, "agent 'x' runtime.runtme: unknown key"),
        ({"runtme": {}}, "agent 'x' runtme: unknown key"),
        ({"type": "supervisor"}, "agent 'x' type"),
        ({"capabilities": {"tools": ["bad-tool"]}}, "tool name 'bad-tool'"),
        ({"capabilities": {"tools": ["def"]}}, "tool name 'def'"),
        ({"capabilities": {"tools": ["a", "a"]}}, "tool names must be unique"),
        ({"capabilities": {"output_schema": "Bad Schema"}}, "output_schema 'Bad Schema'"),
        ({"dependencies": {"database": "write"}}, "agent 'x' dependencies.database"),
        ({"dependencies": {"external_apis": ["Polygon!"]}}, "external API name"),
        ({"outputs": {"key": "Report"}}, "outputs.key 'Report'"),
        ({"outputs": {"schema": {"score": "number"}}}, "agent 'x' outputs.schema.score"),
        ({"outputs": {"schema": {"model_dump": "str"}}}, "attribute of pydantic's BaseModel"),
        ({"outputs": {"schema": {"Score": "int"}}}, "output field 'Score'"),
        (0, "agent 'x'"),
        ("worker", "agent 'x'"),
        ([], "agent 'x'"),
    ],
)
def test_bad_agent_fields(spec, fragment):
    assert_problem(with_agent("x", spec), fragment)


def test_agents_must_be_defined():
    assert_problem(answers(agents={}), "agents: must be a mapping that defines at least one agent")
    assert_problem(answers(agents=None), "agents: must be")
    assert_problem(answers(agents=["cleaner"]), "agents: must be")


def test_at_most_a_hundred_agents():
    many = {f"agent_{number:03d}": {"description": "One of many."} for number in range(101)}
    assert_problem(answers(agents=many), "agents: 101 agents, at most 100")
    hundred = dict(list(many.items())[:100])
    problems = problems_of(answers(agents=hundred))
    assert not any(problem.startswith("agents:") for problem in problems)


def test_only_an_orchestrator():
    data = answers(agents={"boss": {"type": "orchestrator"}}, orchestration=None)
    assert_problem(data, "agents: define at least one worker")


def test_an_invalid_agent_is_reported_once():
    """A defined but invalid agent is not also reported as undefined by the rules."""
    data = answers()
    data["agents"]["cleaner"] = {"runtime": {"timeout": 0}}
    problems = problems_of(data)
    assert len(problems) == 1, problems
    assert "agent 'cleaner' runtime.timeout" in problems[0]


def test_two_orchestrators():
    data = with_agent("boss", {"type": "orchestrator"})
    data["agents"]["chief"] = {"type": "orchestrator"}
    assert_problem(data, "at most one orchestrator agent (found boss, chief)")


def test_orchestrator_tools():
    data = with_agent(
        "boss", {"type": "orchestrator", "capabilities": {"tools": ["invoke_ghost", "search"]}}
    )
    assert_problem(
        data,
        "tool 'invoke_ghost' names unknown worker 'ghost'",
        "orchestrator tool 'search' must be invoke_<worker>",
    )


def test_worker_cannot_invoke():
    data = with_agent("x", {"capabilities": {"tools": ["invoke_cleaner"]}})
    assert_problem(data, "agent 'x': tool 'invoke_cleaner': only the orchestrator invokes workers")


# ---------------------------------------------------------------------------------------------
# Orchestration and rules


def rules_with(*rules: Any, **orchestration: Any) -> dict[str, Any]:
    return answers(orchestration={**orchestration, "selection_rules": list(rules)})


def test_strategies():
    assert_problem(answers(orchestration={"strategy": "round_robin"}), "orchestration.strategy")
    assert_problem(answers(orchestration={"on_failure": "retry"}), "orchestration.on_failure")
    assert_problem(answers(orchestration={"stratgy": "dynamic"}), "stratgy: unknown key")
    assert_problem(answers(orchestration=[]), "orchestration: must be a mapping")
    assert_problem(
        answers(orchestration={"selection_rules": {"name": "x"}}),
        "selection_rules: must be a list of rules",
    )
    assert_problem(answers(orchestration=None), "strategy dynamic needs at least one rule")


@pytest.mark.parametrize("name", ["cost", "live_model", "cli"])
def test_an_agent_named_after_a_generated_test_is_refused(name):
    assert_problem(with_agent(name, {}), f"agent {name!r}", f"tests/agents/test_{name}.py")


def test_an_eval_threshold_is_a_pass_rate_from_0_to_1():
    assert (
        load_project(with_agent("scorer", {"eval_threshold": 0.8})).workers["scorer"].eval_threshold
        == 0.8
    )
    for bad in (-0.1, 1.5, "0.8", True):
        assert_problem(
            with_agent("scorer", {"eval_threshold": bad}), "agent 'scorer'", "eval_threshold"
        )


@pytest.mark.parametrize("budget", [0.25, 3, 1_000_000])
def test_a_job_budget_is_a_positive_amount_of_usd(budget):
    data = answers()
    data["orchestration"]["budget_usd"] = budget
    assert load_project(data).orchestration.budget_usd == budget
    assert load_project(answers()).orchestration.budget_usd is None


BAD_BUDGETS = st.one_of(
    st.floats(max_value=0),
    st.floats(min_value=1_000_001),
    st.sampled_from([float("nan"), float("inf"), "1", True, [1]]),
)


@given(BAD_BUDGETS)
def test_a_bad_job_budget_is_refused_by_name(budget):
    data = answers()
    data["orchestration"]["budget_usd"] = budget
    assert_problem(data, "orchestration.budget_usd")


def test_rules_are_checked_even_when_the_strategy_is_wrong():
    data = answers()
    data["orchestration"]["strategy"] = "magic"
    data["orchestration"]["selection_rules"][1]["agents"] = ["ghost"]
    assert_problem(data, "orchestration.strategy", "agent 'ghost' is not defined")


def test_planner_needs_one_orchestrator_and_no_rules():
    assert_problem(
        answers(orchestration={"strategy": "planner"}),
        "planner needs exactly one agent of type orchestrator",
    )
    data = with_agent("boss", {"type": "orchestrator"})
    data["agents"]["chief"] = {"type": "orchestrator"}
    data["orchestration"] = {"strategy": "planner"}
    assert_problem(data, "planner needs exactly one")
    data = with_agent("boss", {"type": "orchestrator"})
    data["orchestration"]["strategy"] = "planner"
    assert_problem(data, "the planner decides at run time")
    data["orchestration"] = {"strategy": "planner"}
    assert load_project(data).orchestration.strategy == "planner"


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        ({"name": "Main", "agents": ["cleaner"]}, "rule 'Main': name must match"),
        ({"name": "if", "agents": ["cleaner"]}, "rule 'if': name is a Python keyword"),
        ({"agents": ["cleaner"]}, "rule #1: needs a name"),
        ("cleaner", "rule #1: must be a mapping"),
        ({"name": "r"}, "rule 'r': a rule needs agents"),
        ({"name": "r", "agents": []}, "rule 'r' steps: agents is empty"),
        ({"name": "r", "agents": [{"parallel": []}]}, "step 1 (parallel) is empty"),
        ({"name": "r", "agents": [{"together": ["cleaner"]}]}, "unknown kind 'together'"),
        ({"name": "r", "agents": [{"parallel": [1]}]}, "step 1 (parallel) must list agent names"),
        ({"name": "r", "agents": [["cleaner"]]}, "step 1 must be an agent name"),
        ({"name": "r", "agents": "cleaner"}, "must be a list of agent names"),
        (
            {"name": "r", "agents": ["ghost"]},
            "rule 'r' agents step 1: agent 'ghost' is not defined",
        ),
        ({"name": "r", "agents": ["cleaner"], "else": ["ghost"]}, "rule 'r' else step 1"),
        ({"name": "r", "agents": [{"parallel": ["cleaner", "cleaner"]}]}, "names an agent twice"),
        ({"name": "r", "agents": ["cleaner"], "condtion": "always"}, "condtion: unknown key"),
        ({"name": "r", "agents": ["cleaner"], "condition": 3}, "rule 'r' condition"),
        ({"name": "r", "agents": ["cleaner"], "condition": ""}, "the condition is empty"),
    ],
)
def test_bad_rules(rule, fragment):
    assert_problem(rules_with(rule), fragment)


def test_duplicate_rule_names():
    rule = {"name": "r", "agents": ["cleaner"]}
    assert_problem(rules_with(rule, rule), "rule 'r': duplicate rule name")


@pytest.mark.parametrize(
    ("condition", "fragment"),
    [
        ("len(input.kind) > 0", "function calls are not allowed"),
        ("input.count + 1 > 2", "arithmetic (+) is not allowed"),
        ("input.ghost == 1", "'ghost' is not a declared input"),
        ("results.ghost.x == 1", "'ghost' is not a defined worker"),
        ("results.cleaner.cols == 1", "declares no output field 'cols'"),
        ("f'{input.kind}' == 'a'", "f-strings are not allowed"),
        ("input.kind.__class__ == 'a'", "attribute names starting with _ are not allowed"),
        ("input.kind = 'a'", "syntax error"),
        ("kind == 'a'", "unknown name 'kind'"),
    ],
)
def test_bad_conditions(condition, fragment):
    data = answers()
    data["orchestration"]["selection_rules"][1]["condition"] = condition
    assert_problem(data, "rule 'review' condition: column", fragment)


def test_prev_step():
    data = answers()
    # an agent of the rule's last step of either branch
    for agent, field in (("scorer", "confidence"), ("checker", "anything")):
        data["orchestration"]["selection_rules"][1]["condition"] = f"prev_step.{agent}.{field}"
        load_project(data)
    # an agent of an earlier step
    data["orchestration"]["selection_rules"][1]["condition"] = "prev_step.cleaner.rows > 0"
    assert_problem(data, "'cleaner' cannot be in the step just before this rule")
    # results.X reads any earlier result
    data["orchestration"]["selection_rules"][1]["condition"] = "results.cleaner.rows > 0"
    load_project(data)
    # the first rule has no previous step
    data["orchestration"]["selection_rules"][0]["condition"] = "prev_step.cleaner.rows > 0"
    assert_problem(data, "rule 'main' condition", "this rule has no previous step")


def test_prev_step_looks_past_rules_that_may_not_fire():
    rules = [
        {"name": "first", "agents": ["cleaner"]},
        {"name": "maybe", "condition": "input.count > 1", "agents": ["checker"]},
        {"name": "third", "condition": "prev_step.cleaner.rows > 0", "agents": ["reporter"]},
    ]
    load_project(rules_with(*rules))
    rules[1] = {**rules[1], "condition": "always"}
    assert_problem(rules_with(*rules), "'cleaner' cannot be in the step just before")


# ---------------------------------------------------------------------------------------------
# Timing


def agent(timeout: int, retries: int = 0) -> Agent:
    return Agent.model_validate({"runtime": {"timeout": timeout, "retries": retries}})


def test_agent_worst_seconds():
    assert agent_worst_seconds(agent(300)) == 300
    # Each wait is 2 ** (n - 1) plus at most 1 s of jitter, at most 30 s (runtime/invoke.py).
    assert agent_worst_seconds(agent(100, 2)) == 100 * 3 + 2 + 3
    assert agent_worst_seconds(agent(10, 7)) == 80 + 2 + 3 + 5 + 9 + 17 + 30 + 30


def test_an_agent_call_must_fit_the_orchestrator():
    load_project(with_agent("slow", {"runtime": {"timeout": 870}}))
    assert_problem(
        with_agent("slow", {"runtime": {"timeout": 871}}),
        "agent 'slow': worst case 871 s",
        "orchestrator 'orchestrator'",
    )
    assert_problem(
        with_agent("slow", {"runtime": {"timeout": 300, "retries": 2}}),
        "agent 'slow': worst case 905 s",
    )
    data = with_agent("boss", {"type": "orchestrator", "runtime": {"timeout": 200}})
    assert_problem(data, "agent 'cleaner': worst case 300 s", "(200 s timeout - 30 s margin)")


def test_a_long_path_is_not_refused():
    rules = [{"name": f"r{i}", "agents": [name]} for i, name in enumerate(SPEC["agents"])]
    data = rules_with(*rules)
    for spec in data["agents"].values():
        spec["runtime"] = {"timeout": 800}
    project = load_project(data)
    assert worst_case_path_seconds(project) == 4 * 800


def test_worst_case_path():
    project = load_project(answers())
    # main: cleaner 300 + max(scorer, checker) 300 (the else branch is shorter); review: 300
    assert worst_case_path_seconds(project) == 900


def test_worst_case_path_counts_an_agent_once():
    rules = [
        {"name": "a", "agents": [{"parallel": ["cleaner", "scorer"]}]},
        {"name": "b", "agents": ["cleaner", "checker"]},
    ]
    project = load_project(rules_with(*rules))
    assert worst_case_path_seconds(project) == 300 + 300


def test_effective_rules_without_rules():
    for strategy, parallel in (("sequential", False), ("parallel", True)):
        project = load_project(answers(orchestration={"strategy": strategy}))
        rules = effective_rules(project.orchestration, list(project.workers))
        assert [(r.name, r.condition) for r in rules] == [("all_workers", "always")]
        assert rules[0].steps == [Step(parallel=parallel, agents=list(project.workers))]
        expected = 300 if parallel else 4 * 300
        assert worst_case_path_seconds(project) == expected


# ---------------------------------------------------------------------------------------------
# Every problem at once, never another exception


def test_every_problem_is_reported_at_once():
    data = answers()
    data["inputs"]["kind"]["default"] = "z"  # 1: required with a default, not in the enum...
    data["inputs"]["kind"] = {"type": "text"}  # ...replaced: 1 unknown input type
    data["agents"]["cleaner"]["runtime"] = {"timeout": 901}  # 2
    data["agents"]["BadName"] = {}  # 3
    data["orchestration"]["selection_rules"][1]["agents"] = ["ghost"]  # 4
    data["orchestration"]["selection_rules"][1]["condition"] = "input.count * 2 > 1"  # 5
    problems = problems_of(data)
    assert len(problems) == 5, problems
    for fragment in (
        "input 'kind' type",
        "agent 'cleaner' runtime.timeout",
        "agent 'BadName'",
        "agent 'ghost' is not defined",
        "arithmetic (*)",
    ):
        assert sum(fragment in p for p in problems) == 1, (fragment, problems)


def test_bad_scalar_answers_are_problems_too():
    data = answers(project_slug="Bad Slug", database="mysql", llm_provider=None)
    data.pop("llm_model")
    problems = problems_of(data)
    joined = "\n".join(problems)
    for name in ("project_slug", "database", "llm_provider", "llm_model"):
        assert f"answer.{name}" in joined


garbage = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=True)
    | st.sampled_from(
        [
            "always",
            "worker",
            "orchestrator",
            "planner",
            "sequential",
            "parallel",
            "cleaner",
            "scorer",
            "input.kind == 'a'",
            "prev_step.scorer.confidence < 0.7",
            "results.cleaner.rows > 0",
            "str",
            "int",
            "object",
            "list",
            "required",
            "invoke_cleaner",
            "",
        ]
    )
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "runtime",
                    "timeout",
                    "retries",
                    "capabilities",
                    "tools",
                    "outputs",
                    "schema",
                    "database_field",
                    "dependencies",
                    "queue",
                    "storage",
                    "name",
                    "condition",
                    "agents",
                    "else",
                    "sequential",
                    "parallel",
                    "strategy",
                    "selection_rules",
                    "enum",
                    "default",
                    "fields",
                    "items",
                    "minimum",
                    "cleaner",
                    "kind",
                    "steps",
                ]
            )
            | st.text(max_size=6)
            | st.integers(0, 3),
            children,
            max_size=4,
        )
    ),
    max_leaves=25,
)


def mutate(value: Any, draw: Any) -> Any:
    """Replace one node somewhere in a copy of ``value`` with garbage."""
    if isinstance(value, dict) and value and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(value, key=str)))
        return {**value, key: mutate(value[key], draw)}
    if isinstance(value, list) and value and draw(st.booleans()):
        index = draw(st.integers(0, len(value) - 1))
        return [*value[:index], mutate(value[index], draw), *value[index + 1 :]]
    return draw(garbage)


@st.composite
def garbage_answers(draw: Any) -> dict[str, Any]:
    data = answers()
    for key in ("inputs", "agents", "orchestration"):
        choice = draw(st.integers(0, 2))
        if choice == 1:
            data[key] = draw(garbage)
        elif choice == 2:
            for _ in range(draw(st.integers(1, 3))):
                data[key] = mutate(data[key], draw)
    return data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(garbage_answers())
def test_garbage_only_ever_raises_spec_error(data):
    try:
        project = load_project(data)
    except SpecError as error:
        assert error.problems
        assert all(isinstance(p, str) and p and "\n" not in p for p in error.problems)
        return
    assert worst_case_path_seconds(project) >= 0
