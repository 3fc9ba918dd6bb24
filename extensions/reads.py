"""What each worker reads: the job input fields and earlier results its task gives it.

A worker's ``prompts.py`` has a ``TASK`` template with one named field per thing it reads.
The rule, for a worker without ``reads:`` in agents.yaml (each of ``reads.inputs`` and
``reads.results``, when given, replaces its half of the rule):

- **inputs**: the declared inputs that its description names (``sales_data`` or
  ``sales data``, a plural ``s`` allowed, any case), plus those that the conditions of the
  rules running it read (``input.<name>``). When the description names none, or the spec
  declares no inputs (they are inferred from the conditions), it gets the whole job input;
- **results**: the workers that can run before it, by the rules: every agent of an earlier
  rule, of an earlier step of its own branch, or before it in its own sequential step; plus
  the agents whose results the conditions of the rules running it read. When its description
  names some of those, only the named ones (and the conditions' agents). With the planner
  strategy the order is decided at run time: it gets every earlier result.

A name matches as a whole word, so ``data`` names the input ``data`` but not ``database``.
"""

from __future__ import annotations

import ast
import json
import keyword
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .conditions import parse_condition
from .spec import Agent, Rule

# Result roots of the condition language: ``results.<agent>``, ``prev_step.<agent>``.
RESULT_ROOTS = ("results", "prev_step")
# Where ``task()`` passes each field to ``TASK.format``: ruff's line length, the argument's indent.
LINE_LENGTH = 100
ARGUMENT_INDENT = 8


@dataclass(frozen=True)
class Reads:
    """Names a worker's task gives it; None for all of them (the whole input, every result)."""

    inputs: tuple[str, ...] | None
    results: tuple[str, ...] | None


def named_in(text: str, names: Iterable[str]) -> list[str]:
    """The ``names`` that ``text`` names as whole words (``a_b`` also as ``a b``), in order."""
    found = []
    for name in names:
        spellings = {name, name.replace("_", " ")}
        pattern = "|".join(re.escape(spelling) for spelling in spellings)
        if re.search(rf"(?<![\w-])(?:{pattern})s?(?![\w-])", text, re.IGNORECASE):
            found.append(name)
    return found


def condition_reads(condition: str) -> tuple[list[str], list[str]]:
    """(input fields, agents) whose values a checked condition reads, in order of appearance."""
    parsed = parse_condition(condition)
    if parsed.tree is None:
        return [], []
    found: dict[str, list[tuple[int, str]]] = {"input": [], "results": []}
    for node in ast.walk(parsed.tree):
        if not isinstance(node, ast.Attribute | ast.Subscript):
            continue
        root = node.value
        if not isinstance(root, ast.Name) or root.id not in ("input", *RESULT_ROOTS):
            continue
        if isinstance(node, ast.Attribute):
            name = node.attr
        elif isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            name = node.slice.value
        else:
            continue
        kind = "input" if root.id == "input" else "results"
        found[kind].append((node.col_offset, name))
    inputs = list(dict.fromkeys(name for _, name in sorted(found["input"])))
    agents = list(dict.fromkeys(name for _, name in sorted(found["results"])))
    return inputs, agents


def runs_before(rules: list[Rule], name: str) -> tuple[set[str], list[str]]:
    """(agents that can run before ``name``, the conditions of the rules that run it).

    Rules run in order, each its ``agents`` or its ``else`` branch; an agent that already ran
    is skipped. So an earlier rule's branch that runs ``name`` adds only the agents before it
    (``name`` is done when the rest of that branch runs), and any other branch adds them all.
    """
    before: set[str] = set()
    conditions: list[str] = []
    earlier_rules: set[str] = set()
    for rule in rules:
        selected = False
        for branch in (rule.steps, rule.otherwise):
            earlier_steps: set[str] = set()
            for step in branch:
                if name in step.agents:
                    selected = True
                    before |= earlier_rules | earlier_steps
                    if not step.parallel:
                        before.update(step.agents[: step.agents.index(name)])
                earlier_steps.update(step.agents)
        if selected:
            conditions.append(rule.condition)
        for branch in (rule.steps, rule.otherwise):
            agents = {agent for step in branch for agent in step.agents}
            if name not in agents:
                earlier_rules |= agents
    before.discard(name)
    return before, conditions


def agent_reads(
    name: str,
    agent: Agent,
    *,
    inputs: list[str],
    inputs_inferred: bool,
    workers: list[str],
    rules: list[Rule],
    planner: bool,
) -> Reads:
    """What worker ``name`` reads (the rule is in the module docstring)."""
    before, conditions = runs_before(rules, name)
    condition_inputs: set[str] = set()
    condition_agents: set[str] = set()
    for condition in conditions:
        fields, agents = condition_reads(condition)
        condition_inputs.update(fields)
        condition_agents.update(agents)
    declared = agent.reads

    read_inputs: tuple[str, ...] | None = None
    if declared is not None and declared.inputs is not None:
        read_inputs = tuple(declared.inputs)
    elif not inputs_inferred:
        named_inputs = named_in(agent.description, inputs)
        if named_inputs:
            chosen = set(named_inputs) | condition_inputs
            read_inputs = tuple(field for field in inputs if field in chosen)

    read_results: tuple[str, ...] | None = None
    if declared is not None and declared.results is not None:
        read_results = tuple(declared.results)
    elif not planner:
        others = [worker for worker in workers if worker != name]
        candidates = before | (condition_agents & set(others))
        named_agents = set(named_in(agent.description, sorted(candidates)))
        chosen = named_agents | condition_agents if named_agents else candidates
        read_results = tuple(worker for worker in others if worker in chosen)
    return Reads(inputs=read_inputs, results=read_results)


def task_fields(reads: Reads) -> list[dict[str, str | None]]:
    """The named fields of a worker's ``TASK``: its field name, its label and where its value
    comes from (``job_input`` or ``results``, and the key; no key for the whole mapping)."""
    wanted: list[tuple[str, str, str, str | None]] = []  # (field, label, source, key)
    if reads.inputs is None:
        wanted.append(("job_input", "Job input", "job_input", None))
    else:
        wanted += [(field, field, "job_input", field) for field in reads.inputs]
    if reads.results is None:
        wanted.append(("results", "Results of earlier agents", "results", None))
    else:
        wanted += [(f"{agent}_result", agent, "results", agent) for agent in reads.results]
    taken: set[str] = set()
    fields = []
    for field, label, source, key in wanted:
        if field in taken or keyword.iskeyword(field):
            field = f"{source}_{field}"
        while field in taken:
            field = f"{field}_"
        taken.add(field)
        value = source if key is None else f"{source}.get({json.dumps(key)})"
        fields.append(
            {
                "field": field,
                "label": label,
                "source": source,
                "key": key,
                "lines": argument_lines(field, value),
            }
        )
    return fields


def argument_lines(field: str, value: str) -> list[str]:
    """``field=as_json(value),`` as ruff formats it at ``ARGUMENT_INDENT``: one line, or the
    value on a line of its own when that line would pass ``LINE_LENGTH``."""
    line = f"{field}=as_json({value}),"
    if ARGUMENT_INDENT + len(line) <= LINE_LENGTH:
        return [line]
    return [f"{field}=as_json(", f"    {value}", "),"]


def task_text(fields: list[dict[str, str | None]]) -> str:
    """The body of ``TASK``: a section for the job input and one for earlier results, each
    field on its own line (a whole mapping under its section's title)."""
    sections = []
    for source, title in (("job_input", "Job input"), ("results", "Results of earlier agents")):
        lines = []
        for field in fields:
            if field["source"] != source:
                continue
            if field["key"] is None:
                lines.append(f"{{{field['field']}}}")
            else:
                lines.append(f"- {field['label']}: {{{field['field']}}}")
        if lines:
            sections.append("\n".join([f"{title}:", *lines]))
    if not sections:
        return "Carry out your role for this job.\n"
    return "\n\n".join(sections) + "\n"


def receives(
    reads: Reads, inputs: dict[str, dict[str, str]], descriptions: dict[str, str]
) -> list[dict[str, object]]:
    """The lines of the instructions that say what the task gives: each with its ``prefix``
    (names only), the spec ``text`` that follows it (escaped by the template) and ``indent``,
    the width the prefix takes. ``inputs`` maps each input to its type and description;
    ``descriptions`` each worker to its description."""
    lines: list[dict[str, object]] = []
    shown = list(inputs) if reads.inputs is None else list(reads.inputs)
    for name in shown:
        lines.append(_line(f"- {name} ({inputs[name]['type']})", inputs[name]["description"]))
    if reads.results is None:
        lines.append(_line("- the results of the agents that ran before you, by name", ""))
    for agent in reads.results or ():
        lines.append(_line(f"- the result of {agent}", descriptions[agent]))
    return lines


def _line(prefix: str, text: str) -> dict[str, object]:
    prefix = f"{prefix}: " if text else prefix
    return {"prefix": prefix, "text": text, "indent": len(prefix)}
