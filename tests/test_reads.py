"""What an agent reads (extensions/reads.py), `reads:` in agents.yaml, and its prompts.py."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import Environment, StrictUndefined

from extensions.derive import template_context
from extensions.escape import FILTERS
from extensions.oracle import expected_run
from extensions.reads import named_in, runs_before, task_fields
from extensions.spec import Rule, Step
from extensions.validation import SpecError, load_project

from .conftest import ROOT
from .test_spec import SCALARS

SALES: dict[str, Any] = {
    "inputs": {
        "analysis_type": {"type": "str", "enum": ["full", "quick"], "required": True},
        "sales_data": {"type": "list", "default": [], "description": "Sales records"},
    },
    "agents": {
        "data_cleaner": {"description": "Cleans and validates sales data"},
        "trend_analyzer": {"description": "Identifies sales trends and patterns"},
        "forecast_agent": {"description": "Forecasts future sales"},
        "insight_reporter": {"description": "Sums up the trend analyzer's findings"},
    },
    "orchestration": {
        "strategy": "dynamic",
        "selection_rules": [
            {
                "name": "full_analysis",
                "condition": "input.analysis_type == 'full'",
                "agents": [
                    {"sequential": ["data_cleaner"]},
                    {"parallel": ["trend_analyzer", "forecast_agent"]},
                    {"sequential": ["insight_reporter"]},
                ],
            },
            {
                "name": "quick_trends",
                "condition": "input.analysis_type == 'quick'",
                "agents": ["data_cleaner", "trend_analyzer", "insight_reporter"],
            },
        ],
    },
}
PROMPTS = next(ROOT.glob("template/src/*/agents/*/*prompts.py*.jinja"))


def context(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each worker's template context."""
    return {w["name"]: w for w in template_context(load_project({**SCALARS, **spec}))["workers"]}


def problems(spec: dict[str, Any]) -> list[str]:
    with pytest.raises(SpecError) as raised:
        load_project({**SCALARS, **spec})
    return raised.value.problems


def with_reads(agent: str, reads: Any, spec: dict[str, Any] = SALES) -> dict[str, Any]:
    changed = copy.deepcopy(spec)
    changed["agents"][agent]["reads"] = reads
    return changed


def test_an_agent_reads_what_its_description_and_its_rules_name():
    workers = context(SALES)

    # "sales data" names the input; the rules' conditions read analysis_type; it runs first.
    assert workers["data_cleaner"]["reads"] == {
        "inputs": ["analysis_type", "sales_data"],
        "results": [],
    }
    # No input named: the whole input; the results of the agents that run before it.
    assert workers["trend_analyzer"]["reads"] == {"inputs": None, "results": ["data_cleaner"]}
    assert workers["forecast_agent"]["reads"]["results"] == ["data_cleaner"]
    # Its description names one of the three agents before it: only that one.
    assert workers["insight_reporter"]["reads"]["results"] == ["trend_analyzer"]


def test_a_condition_that_reads_a_result_adds_it():
    spec = copy.deepcopy(SALES)
    spec["orchestration"]["selection_rules"].append(
        {"name": "deep", "condition": "results.forecast_agent.ok", "agents": ["insight_reporter"]}
    )
    assert context(spec)["insight_reporter"]["reads"]["results"] == [
        "trend_analyzer",
        "forecast_agent",
    ]


def test_the_planner_and_undeclared_inputs_give_everything():
    spec = copy.deepcopy(SALES)
    spec["agents"]["lead"] = {
        "type": "orchestrator",
        "capabilities": {"tools": [f"invoke_{name}" for name in SALES["agents"]]},
    }
    spec["orchestration"] = {"strategy": "planner"}
    assert context(spec)["insight_reporter"]["reads"]["results"] is None
    del spec["inputs"]
    assert context(spec)["data_cleaner"]["reads"]["inputs"] is None


def test_reads_in_agents_yaml_replaces_what_is_derived():
    spec = with_reads("insight_reporter", {"inputs": ["sales_data"], "results": []})
    assert context(spec)["insight_reporter"]["reads"] == {"inputs": ["sales_data"], "results": []}
    half = with_reads("insight_reporter", {"results": ["forecast_agent", "data_cleaner"]})
    assert context(half)["insight_reporter"]["reads"] == {
        "inputs": None,
        "results": ["forecast_agent", "data_cleaner"],
    }


@pytest.mark.parametrize(
    ("reads", "message"),
    [
        (
            {"inputs": ["sales"]},
            "agent 'trend_analyzer': reads.inputs names unknown input 'sales' "
            "(inputs: analysis_type, sales_data)",
        ),
        (
            {"results": ["cleaner"]},
            "agent 'trend_analyzer': reads.results names unknown worker 'cleaner' "
            "(workers: data_cleaner, forecast_agent, insight_reporter)",
        ),
        (
            {"results": ["trend_analyzer"]},
            "agent 'trend_analyzer': reads.results names the agent itself",
        ),
        (
            {"results": ["orchestrator"]},
            "agent 'trend_analyzer': reads.results names the orchestrator 'orchestrator'",
        ),
        ({"inputs": ["sales_data", "sales_data"]}, "'sales_data' more than once"),
        ({"outputs": []}, "unknown key"),
        (["sales_data"], "reads"),
    ],
)
def test_a_wrong_reads_is_one_clear_message(reads, message):
    found = problems(with_reads("trend_analyzer", reads))
    assert len(found) == 1 and message in found[0] and "trend_analyzer" in found[0]


def test_reads_is_refused_where_nothing_would_use_it():
    spec = with_reads("data_cleaner", {"inputs": []})
    spec["agents"]["data_cleaner"]["code"] = "finance/tagger"
    spec["agents"]["data_cleaner"]["capabilities"] = {"output_schema": "InstrumentClassification"}
    assert any("reads has no effect: its code 'finance/tagger'" in p for p in problems(spec))
    spec = with_reads("data_cleaner", {"inputs": []})
    spec["agents"]["boss"] = {"type": "orchestrator", "reads": {"inputs": []}}
    assert any("reads applies to workers" in p for p in problems(spec))


def test_a_name_matches_as_a_whole_word():
    text = "Checks the Sales Data and the database; questions about data_set-ups"
    assert named_in(text, ["sales_data", "data", "base", "question", "data_set"]) == [
        "sales_data",
        "data",
        "question",
    ]


def test_task_fields_never_collide():
    from extensions.reads import Reads

    fields = task_fields(Reads(inputs=("x_result", "results", "class"), results=("x",)))
    names = [field["field"] for field in fields]
    assert len(set(names)) == len(names) and all(name.isidentifier() for name in names)
    assert "class" not in names


def test_a_task_argument_too_long_for_one_line_is_split_as_ruff_would():
    from extensions.reads import ARGUMENT_INDENT, LINE_LENGTH, argument_lines

    short = argument_lines("writer_result", 'results.get("writer")')
    name = "classification_and_enrichment_agent_number_one"
    long = argument_lines(f"{name}_result", f'results.get("{name}")')

    assert short == ['writer_result=as_json(results.get("writer")),']
    assert long == [f"{name}_result=as_json(", f'    results.get("{name}")', "),"]
    assert all(ARGUMENT_INDENT + len(line) <= LINE_LENGTH for line in short + long)


# --------------------------------------------------------------------------------------------
# Properties: the agents that run before another, by the oracle, are among runs_before's; a
# rendered prompts.py compiles, and its task gives the agent what it reads and nothing else.

WORKERS = ["alpha", "beta", "gamma", "delta"]
CONDITIONS = ["always", "input.flag == true", "input.size > 2", "results.alpha.ok"]


@st.composite
def rules(draw) -> list[Rule]:
    found = []
    for number in range(draw(st.integers(1, 3))):

        def branch(min_size: int):
            return draw(
                st.lists(
                    st.builds(
                        Step,
                        parallel=st.booleans(),
                        agents=st.lists(st.sampled_from(WORKERS), min_size=1, unique=True),
                    ),
                    min_size=min_size,
                    max_size=3,
                )
            )

        found.append(
            Rule(
                name=f"rule_{number}",
                condition=draw(st.sampled_from(CONDITIONS)),
                steps=branch(1),
                otherwise=branch(0),
            )
        )
    return found


@settings(max_examples=300, deadline=None)
@given(rules=rules(), flag=st.booleans(), size=st.integers(0, 4))
def test_every_agent_that_runs_earlier_is_among_those_read(rules, flag, size):
    outputs = {name: {"ok": True} for name in WORKERS}
    run = expected_run(rules, {"flag": flag, "size": size}, outputs)
    done: set[str] = set()
    for step in run["steps"]:
        finished = set(done)
        for name in step["agents"]:
            assert finished - {name} <= runs_before(rules, name)[0], (name, run)
            if not step["parallel"]:
                finished.add(name)
        done |= set(step["agents"])


names = st.sampled_from(["question", "sales_data", "kind", "notes", "x_result", "results"])
texts = st.lists(
    st.one_of(
        st.sampled_from(['"', '"""', "\\", "{x}", "{{", "}", "%s", "\n", "sales data", "alpha"]),
        names,
        st.text(max_size=5),
    ),
    max_size=6,
).map(" ".join)


@st.composite
def specs(draw) -> dict[str, Any]:
    inputs = {
        name: {"type": "str", "description": draw(texts)}
        for name in draw(st.lists(names, min_size=1, max_size=4, unique=True))
    }
    workers = draw(st.lists(st.sampled_from(WORKERS), min_size=1, max_size=4, unique=True))
    agents = {}
    for name in workers:
        agent: dict[str, Any] = {"description": draw(texts)}
        if draw(st.booleans()):
            agent["outputs"] = {"schema": {"summary": "str"}}
        if draw(st.integers(0, 4)) == 0:
            agent["reads"] = {
                "inputs": draw(st.lists(st.sampled_from(list(inputs)), unique=True)),
                "results": draw(st.lists(st.sampled_from(workers), unique=True)),
            }
            agent["reads"]["results"] = [w for w in agent["reads"]["results"] if w != name]
        agents[name] = agent
    steps = [{"parallel": [name]} if draw(st.booleans()) else name for name in workers]
    return {
        "inputs": inputs,
        "agents": agents,
        "orchestration": {
            "strategy": "dynamic",
            "selection_rules": [{"name": "main", "agents": steps}],
        },
    }


def render_prompts(agent: dict[str, Any]) -> dict[str, Any]:
    environment = Environment(undefined=StrictUndefined, keep_trailing_newline=True)
    environment.filters.update(FILTERS)
    source = environment.from_string(PROMPTS.read_text()).render(agent=agent)
    module: dict[str, Any] = {}
    exec(compile(source, "prompts.py", "exec"), module)  # noqa: S102 - the rendered module
    return module


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=specs())
def test_a_rendered_task_gives_what_the_agent_reads_and_nothing_else(spec):
    try:
        workers = context(spec)
    except SpecError:
        return  # a text validation refuses (control characters): tested elsewhere
    job_input = {name: f"input-{name}" for name in spec["inputs"]}
    results = {name: {"marker": f"result-{name}"} for name in spec["agents"]}
    for name, agent in workers.items():
        module = render_prompts(agent)
        assert " ".join(agent["description"].split()) in " ".join(module["INSTRUCTIONS"].split())
        message = module["task"](job_input, {k: v for k, v in results.items() if k != name})
        reads = agent["reads"]
        for field in spec["inputs"]:
            shown = json.dumps(f"input-{field}") in message
            assert shown == (reads["inputs"] is None or field in reads["inputs"]), field
        for other in spec["agents"]:
            shown = f"result-{other}" in message
            expected = other != name and (reads["results"] is None or other in reads["results"])
            assert shown == expected, other
        assert set(reads["inputs"] or ()) <= set(spec["inputs"])
        assert set(reads["results"] or ()) <= set(spec["agents"]) - {name}


def test_remove_agent_takes_it_out_of_what_others_read():
    import argparse
    import importlib.util
    import sys

    scripts = ROOT / "template" / "scripts"
    sys.path.insert(0, str(scripts))
    try:
        spec = importlib.util.spec_from_file_location("agents_yaml", scripts / "agents_yaml.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(scripts))
    text = (
        "agents:\n"
        "  cleaner: {}\n"
        "  reporter:\n"
        "    reads: {results: [cleaner, trends]}  # what it summarizes\n"
        "  trends: {}\n"
        "orchestration:\n"
        "  selection_rules:\n"
        "    - {name: main, agents: [cleaner, trends, reporter]}\n"
    )
    yaml_io = module.yaml_io()
    document = yaml_io.load(text)

    done = module.remove(document, argparse.Namespace(name="cleaner"))

    assert "removed cleaner from reporter's reads.results" in done
    assert list(document["agents"]["reporter"]["reads"]["results"]) == ["trends"]
