"""Add an agent to agents.yaml or remove one, keeping the file's comments and layout.

`make add-agent` and `make remove-agent` run this: it edits agents.yaml, then regenerates the
project from it as `make regen` does. Removing an agent also takes it out of the rules, of the
orchestrator's invoke_ tools and of the other agents' reads.results; a step or a rule left
without agents goes too. Every change is printed. When the template refuses the edited spec
(a reserved name, the last agent removed...), agents.yaml is put back as it was: the command
changes the whole project or nothing.
"""

from __future__ import annotations

import argparse
import keyword
import re
import sys
from typing import Any

from ruamel.yaml import YAML, YAMLError
from ruamel.yaml.comments import CommentedBase, CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from regen import (
    LOCK_FILE,
    PROJECT,
    SPEC_FILE,
    RegenError,
    check_template_source,
    read_text,
    regenerate,
    require_clean,
    spec_answers,
)

NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def yaml_io() -> YAML:
    """Round-trip YAML in the layout of the generated agents.yaml."""
    io = YAML()
    io.indent(mapping=2, sequence=2, offset=0)
    io.width = 100
    io.preserve_quotes = True
    return io


# ruamel keeps the comment lines that follow a node on its last scalar: moving or deleting
# a node means moving those lines, or they end up under the wrong key.


def _keys(container: CommentedMap | CommentedSeq) -> list[Any]:
    return list(container) if isinstance(container, CommentedMap) else list(range(len(container)))


def _leaf(container: CommentedBase, key: Any) -> tuple[CommentedBase, Any, int]:
    """The container, key and comment slot of the last scalar of ``container[key]``."""
    while isinstance(container[key], CommentedMap | CommentedSeq) and container[key]:
        container = container[key]
        key = _keys(container)[-1]
    return container, key, 2 if isinstance(container, CommentedMap) else 0


def take_trailing_lines(container: CommentedBase, key: Any) -> str:
    """Detach the whole comment or blank lines that follow ``container[key]``."""
    container, key, slot = _leaf(container, key)
    slots = container.ca.items.get(key)
    token = slots[slot] if slots else None
    if token is None or "\n" not in token.value:
        return ""
    end_of_line, _, lines = token.value.partition("\n")
    if end_of_line.strip():
        token.value = end_of_line + "\n"
    else:
        slots[slot] = None
    return lines


def add_trailing_lines(container: CommentedBase, key: Any, lines: str) -> None:
    """Attach comment or blank lines after ``container[key]``."""
    if not lines:
        return
    container, key, slot = _leaf(container, key)
    slots = container.ca.items.setdefault(key, [None, None, None, None])
    if slots[slot] is None:
        slots[slot] = CommentToken("\n" + lines, CommentMark(0), None)
    else:
        slots[slot].value += lines


def _without_heading(lines: str) -> str:
    """Drop the comment block that sits right above a removed item (its heading)."""
    kept = lines.splitlines(keepends=True)
    while kept and kept[-1].strip().startswith("#"):
        kept.pop()
    return "".join(kept)


def remove_item(container: CommentedMap | CommentedSeq, key: Any) -> None:
    """Delete a mapping key or a list item with its own comments, keep the others."""
    keys = _keys(container)
    index = keys.index(key)
    trailing = take_trailing_lines(container, key)
    if index > 0:
        previous = keys[index - 1]
        lines = _without_heading(take_trailing_lines(container, previous)) + trailing
        add_trailing_lines(container, previous, lines)
    elif container.ca.comment or trailing.strip():
        # The first item's heading is kept on the container: the next item inherits the
        # lines that followed the removed one instead.
        if not container.ca.comment:
            container.ca.comment = [None, []]
        heading = container.ca.comment[1]
        heading.clear()
        if trailing.strip():
            heading.append(CommentToken(trailing, CommentMark(0), None))
    del container[key]


def append_item(container: CommentedMap | CommentedSeq, key: Any, value: Any) -> None:
    """Add an item at the end, before the lines that followed the last one."""
    trailing = take_trailing_lines(container, _keys(container)[-1]) if container else ""
    if isinstance(container, CommentedSeq):
        container.append(value)
    else:
        container[key] = value
    add_trailing_lines(container, _keys(container)[-1], trailing)


def new_agent(args: argparse.Namespace) -> CommentedMap:
    agent = CommentedMap()
    if args.type != "worker":
        agent["type"] = args.type
    agent["description"] = args.description or f"The {args.name.replace('_', ' ')} agent"
    runtime = CommentedMap()
    if args.timeout is not None:
        runtime["timeout"] = args.timeout
    if args.memory is not None:
        runtime["memory"] = args.memory
    if runtime:
        agent["runtime"] = runtime
    return agent


def orchestrator_tools(agents: CommentedMap) -> CommentedSeq | None:
    """The invoke_ tools of the orchestrator agent, when it lists any."""
    for agent in agents.values():
        if isinstance(agent, dict) and agent.get("type") == "orchestrator":
            tools = (agent.get("capabilities") or {}).get("tools")
            if isinstance(tools, list) and any(str(t).startswith("invoke_") for t in tools):
                return tools
    return None


def rules_of(spec: CommentedMap) -> CommentedSeq:
    return (spec.get("orchestration") or {}).get("selection_rules") or CommentedSeq()


def add(spec: CommentedMap, args: argparse.Namespace) -> list[str]:
    name = args.name
    if not NAME.match(name) or keyword.iskeyword(name):
        raise RegenError(f"agent name {name!r} must match ^[a-z][a-z0-9_]*$ (not a keyword)")
    agents = spec.get("agents")
    if not isinstance(agents, CommentedMap):
        raise RegenError(f"{SPEC_FILE} has no agents mapping")
    if name in agents:
        raise RegenError(f"agent {name!r} is already in {SPEC_FILE}")
    rule = None
    if args.rule:
        rule = next((r for r in rules_of(spec) if r.get("name") == args.rule), None)
        if rule is None:
            names = ", ".join(str(r.get("name")) for r in rules_of(spec)) or "none"
            raise RegenError(f"no rule named {args.rule!r} (rules: {names})")

    append_item(agents, name, new_agent(args))
    done = [f"added agent {name} to {SPEC_FILE}"]
    if args.type == "worker":
        tools = orchestrator_tools(agents)
        if tools is not None:
            append_item(tools, None, f"invoke_{name}")
            done.append(f"added invoke_{name} to the orchestrator's tools")
        if rule is not None:
            append_item(rule["agents"], None, name)
            done.append(f"rule {args.rule} runs {name} in a last step of its own")
        elif rules_of(spec):
            done.append(f"{name} is in no rule yet: add it to one in {SPEC_FILE} to run it")
    return done


def _members(steps: Any) -> list[Any]:
    """Every agent name in a rule's agents or else list."""
    names = []
    for step in steps if isinstance(steps, list) else []:
        members = next(iter(step.values()), None) if isinstance(step, dict) else step
        names += members if isinstance(members, list) else [members]
    return names


def _drop_from_steps(steps: CommentedSeq, name: str) -> None:
    """Remove ``name`` from a rule's agents or else list, and any step it leaves empty."""
    for index in reversed(range(len(steps))):
        if set(_members(steps[index : index + 1])) == {name}:
            remove_item(steps, index)
            continue
        members = _members(steps[index : index + 1])
        if name in members:
            step = steps[index]
            remove_item(next(iter(step.values())), members.index(name))


def remove(spec: CommentedMap, args: argparse.Namespace) -> list[str]:
    name = args.name
    agents = spec.get("agents")
    if not isinstance(agents, CommentedMap) or name not in agents:
        raise RegenError(f"agent {name!r} is not in {SPEC_FILE}")
    reads = re.compile(rf"\b(results|prev_step)\s*\.\s*{re.escape(name)}\b")
    for rule in rules_of(spec):
        if reads.search(str(rule.get("condition", ""))):
            raise RegenError(
                f"rule {rule.get('name')}'s condition reads {name}'s result "
                f"({rule['condition']}): change it first"
            )

    remove_item(agents, name)
    done = [f"removed agent {name} from {SPEC_FILE}"]
    for other, agent in agents.items():
        reads = agent.get("reads") if isinstance(agent, CommentedMap) else None
        results = reads.get("results") if isinstance(reads, CommentedMap) else None
        if isinstance(results, CommentedSeq) and name in results:
            remove_item(results, results.index(name))
            done.append(f"removed {name} from {other}'s reads.results")
    tools = orchestrator_tools(agents)
    if tools is not None and f"invoke_{name}" in tools:
        remove_item(tools, tools.index(f"invoke_{name}"))
        done.append(f"removed invoke_{name} from the orchestrator's tools")
    rules = rules_of(spec)
    for index in reversed(range(len(rules))):
        rule = rules[index]
        runs, otherwise = _members(rule.get("agents")), _members(rule.get("else"))
        if name not in runs + otherwise:
            continue
        if set(runs) == {name} and set(otherwise) <= {name}:
            remove_item(rules, index)
            done.append(f"removed rule {rule.get('name')}: {name} was its only agent")
            continue
        if set(runs) == {name}:
            raise RegenError(
                f"rule {rule.get('name')} would run nothing when its condition holds: "
                f"edit it in {SPEC_FILE} by hand"
            )
        _drop_from_steps(rule["agents"], name)
        if set(otherwise) == {name}:
            remove_item(rule, "else")
        elif name in otherwise:
            _drop_from_steps(rule["else"], name)
        done.append(f"removed {name} from rule {rule.get('name')}")
    return done


def _steps_problem(steps: Any) -> str | None:
    """What is wrong with a rule's agents or else list, in the shapes the template accepts."""
    if not isinstance(steps, list):
        return "must be a list of steps"
    for number, step in enumerate(steps, start=1):
        members = next(iter(step.values())) if isinstance(step, dict) and len(step) == 1 else step
        names = members if isinstance(members, list) else [members]
        if not all(isinstance(name, str) for name in names):
            return f"step {number} must be an agent name or one {{sequential|parallel: [names]}}"
    return None


def shape_problem(spec: Any) -> str | None:
    """The first part of agents.yaml this script edits that is not in the template's shape.

    The template names every problem of a spec at `make regen`; this only makes sure the edit
    itself can be made.
    """
    agents = spec.get("agents")
    if not isinstance(agents, dict):
        return "agents must be a mapping of agent names to their settings"
    for name, agent in agents.items():
        if agent is not None and not isinstance(agent, dict):
            return f"agent {name!r} must be a mapping of its settings"
        for block, key in (("capabilities", "tools"), ("reads", "results")):
            value = (agent or {}).get(block)
            if value is not None and not isinstance(value, dict):
                return f"agent {name!r}: {block} must be a mapping"
            if not isinstance((value or {}).get(key) or [], list):
                return f"agent {name!r}: {block}.{key} must be a list"
    orchestration = spec.get("orchestration")
    if orchestration is not None and not isinstance(orchestration, dict):
        return "orchestration must be a mapping"
    rules = (orchestration or {}).get("selection_rules")
    if rules is not None and not isinstance(rules, list):
        return "orchestration.selection_rules must be a list of rules"
    for number, rule in enumerate(rules or [], start=1):
        if not isinstance(rule, dict):
            return f"selection rule {number} must be a mapping with name, condition and agents"
        for key in ("agents", "else"):
            present = key == "agents" or rule.get(key) is not None
            problem = _steps_problem(rule.get(key)) if present else None
            if problem:
                return f"rule {rule.get('name', number)!r}: {key} {problem}"
    return None


def load(text: str) -> CommentedMap:
    """agents.yaml for editing; RegenError when it cannot be edited as it is."""
    spec_answers(text)  # YAML errors, bounds and unknown sections, as `make regen` names them
    try:
        spec = yaml_io().load(text)
    except YAMLError as error:
        raise RegenError(f"{SPEC_FILE} is not valid YAML: {' '.join(str(error).split())}") from None
    problem = shape_problem(spec if isinstance(spec, dict) else {})
    if problem:
        raise RegenError(f"{SPEC_FILE}: {problem}; fix it and run the command again")
    return spec


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    adding = commands.add_parser("add", help="add an agent")
    adding.add_argument("name")
    adding.add_argument("--type", choices=("worker", "orchestrator"), default="worker")
    adding.add_argument("--timeout", type=int, help="seconds (1..900)")
    adding.add_argument("--memory", type=int, help="MB (128..10240)")
    adding.add_argument("--description", help="what the agent does (its prompt starts here)")
    adding.add_argument("--rule", help="append the agent to this rule as its last step")
    removing = commands.add_parser("remove", help="remove an agent")
    removing.add_argument("name")
    args = parser.parse_args(argv)

    path = PROJECT / SPEC_FILE
    io = yaml_io()
    if not args.name:
        print(f"error: name the agent: make {args.command}-agent NAME=x", file=sys.stderr)
        return 1
    try:
        check_template_source()
        require_clean(allowed=(SPEC_FILE, LOCK_FILE))
        original = read_text(SPEC_FILE)
        spec = load(original)
        done = (add if args.command == "add" else remove)(spec, args)
    except RegenError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    with path.open("w") as stream:
        io.dump(spec, stream)
    print("\n".join(done), flush=True)
    try:
        returncode = regenerate(update=False, copier_args=[])
    except RegenError as error:
        print(f"error: {error}", file=sys.stderr)
        returncode = 1
    if returncode != 0:
        path.write_text(original)
        print(f"{SPEC_FILE} is back as it was: nothing changed", file=sys.stderr)
    return returncode


if __name__ == "__main__":
    sys.exit(main())
