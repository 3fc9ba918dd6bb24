"""The starter eval files (extensions/starter_evals.py): one case per worker on the first
example, after the agents before it, with checks on the offline model's answer. The generated
project's tests/test_evals.py runs them offline and expects them to pass."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from extensions.derive import template_context
from extensions.escape import as_yaml
from extensions.examples import offline_output
from extensions.starter_evals import earlier_agents, offline_checks
from extensions.validation import load_project

from .test_spec import answers

NAMES = st.sampled_from(["a", "b", "c", "d"])
STEPS = st.lists(
    st.fixed_dictionaries(
        {"agents": st.lists(NAMES, min_size=1, max_size=3), "parallel": st.booleans()}
    ),
    max_size=4,
)


@given(agent=NAMES, steps=STEPS)
def test_the_agents_run_first_are_those_of_the_steps_before_its_own(agent, steps):
    before = earlier_agents(agent, steps)

    reached = next((n for n, step in enumerate(steps) if agent in step["agents"]), len(steps))
    expected = [name for step in steps[:reached] for name in step["agents"]]
    if reached < len(steps) and not steps[reached]["parallel"]:
        own = steps[reached]["agents"]
        expected += own[: own.index(agent)]
    assert before == list(dict.fromkeys(expected))
    assert len(set(before)) == len(before)
    assert agent not in before


def starter(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return template_context(load_project(data))["starter_evals"]


def test_each_worker_gets_one_case_on_the_first_example_after_its_plan_so_far():
    evals = starter(answers())

    assert list(evals) == ["cleaner", "scorer", "checker", "reporter"]
    cases = {name: document["cases"] for name, document in evals.items()}
    assert all(len(found) == 1 for found in cases.values())
    # The first example takes the rule main: cleaner, then scorer and checker, then reporter
    # (its condition reads scorer's offline confidence, 0.9: not below 0.7, so not reached).
    assert "after" not in cases["cleaner"][0]
    assert cases["scorer"][0]["after"] == cases["checker"][0]["after"] == ["cleaner"]
    assert cases["reporter"][0]["after"] == ["cleaner", "scorer", "checker"]
    assert cases["scorer"][0]["checks"] == [
        {"equals": {"path": "confidence", "value": 0.9}},
        {"schema": True},
    ]
    example = cases["cleaner"][0]["input"]
    assert all(found[0]["input"] == example for found in cases.values())
    assert example.startswith("examples/") and example.endswith(".json")


def test_a_plain_text_agent_is_checked_on_its_text():
    data = answers()
    data["agents"]["checker"] = {"capabilities": {"structured_output": False}}
    agent = load_project(data).workers["checker"]

    assert offline_checks("checker", agent) == [
        {"equals": {"path": "text", "value": offline_output("checker", agent)["text"]}}
    ]


def test_a_spec_without_inputs_and_with_many_agents_gets_a_file_per_worker():
    many = {f"agent_{n}": {"outputs": {"schema": {f"field_{n}": "list"}}} for n in range(12)}
    data = answers(inputs={}, agents=many, orchestration={"strategy": "sequential"})

    evals = starter(data)

    assert list(evals) == list(many)
    assert evals["agent_11"]["cases"][0]["after"] == [f"agent_{n}" for n in range(11)]
    for document in evals.values():
        assert yaml.safe_load(as_yaml(document)) == document
