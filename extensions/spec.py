"""The model of agents.yaml: inputs, agents and orchestration.

Every default is filled here, and the original plan's spellings (``database_field``,
``storage: required``, ``triggers``) are normalized here, so the rest of the template
reads one canonical shape.
"""

from __future__ import annotations

import keyword
import math
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from .reserved import SOFT_KEYWORDS, schema_reserved_names, tool_reserved_names
from .values import data_problem, environment_problem, text_problem

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
IDENTIFIER_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
API_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*$")
ENV_NAME_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]*$")
# `code: <preset>/<agent>`: the code a preset ships for an agent (extensions/preset_code.py).
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9-]*/[a-z][a-z0-9_]*$")

# dependencies.external_apis: API "market-data" has the settings EXTERNAL_API_MARKET_DATA_URL and
# EXTERNAL_API_MARKET_DATA_KEY (a secret in AWS).
EXTERNAL_API_PREFIX = "EXTERNAL_API_"


def api_variable(api: str) -> str:
    """The start of an API's environment names: ``market-data`` -> ``EXTERNAL_API_MARKET_DATA``."""
    return EXTERNAL_API_PREFIX + api.upper().replace("-", "_")


# Names that would collide with folders, functions or resources of the generated layout.
RESERVED_NAMES = frozenset(
    {
        "agents",
        "api",
        "cli",
        "conftest",
        "layer",
        "main",
        "orchestrator",
        "runtime",
        "test",
        "tests",
    }
)

INPUT_TYPES = ("str", "int", "float", "bool", "list", "dict", "object")
InputType = Literal["str", "int", "float", "bool", "list", "dict", "object"]
# Output fields are flat: `object` (an input with its own fields) is for inputs only.
OutputType = Literal["str", "int", "float", "bool", "list", "dict"]
PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "list": (list,),
    "dict": (dict,),
    "object": (dict,),
}

# Field names that a generated pydantic model cannot have: BaseModel's own attributes, its
# protected ``model_`` namespace, and the type names its annotations use.
_BASE_MODEL_ATTRIBUTES = frozenset(name for name in dir(BaseModel) if not name.startswith("_"))
SHADOWING_TYPE_NAMES = frozenset(("str", "int", "float", "bool", "list", "dict"))


def field_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a field of a generated pydantic model, or None."""
    if name.startswith("model_") or name in _BASE_MODEL_ATTRIBUTES:
        return f"{name!r} is an attribute of pydantic's BaseModel"
    if name in SHADOWING_TYPE_NAMES:
        return f"{name!r} would shadow the type name used in the generated annotations"
    return None


def is_keyword(name: str) -> bool:
    """A keyword or a soft keyword (``match``, ``case``, ``type``, ``_``) of Python."""
    return keyword.iskeyword(name) or name in SOFT_KEYWORDS


def json_value_problem(value: Any) -> str | None:
    """Why a YAML value cannot be a JSON value (dates, non-finite numbers...), or None."""
    stack = [value]
    while stack:
        item = stack.pop()
        if item is None or isinstance(item, bool | int | str):
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                return f"{item!r} is not a finite number"
            continue
        if isinstance(item, list):
            stack.extend(item)
            continue
        if isinstance(item, dict):
            for key in item:
                if not isinstance(key, str):
                    return f"mapping key {key!r} is not a string"
            stack.extend(item.values())
            continue
        return f"{item!r} ({type(item).__name__}) is not a JSON value"
    return None


# Secret-looking environment names are read from Secrets Manager, never from plain variables.
SECRET_NAME_PATTERN = re.compile(r"(KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL)", re.IGNORECASE)


def _multiline_text(text: str) -> str:
    problem = text_problem(text, multiline=True)
    if problem:
        raise ValueError(problem)
    return text


# Free text from agents.yaml (descriptions, conditions): may span lines, refuses what
# extensions/values.py's text_problem refuses.
Text = Annotated[str, AfterValidator(_multiline_text)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def value_matches(type_name: str, value: Any) -> bool:
    """True when a JSON value has the declared input type (bool is not an int here)."""
    if type_name in ("int", "float") and isinstance(value, bool):
        return False
    return isinstance(value, PYTHON_TYPES[type_name])


class InputField(StrictModel):
    type: InputType
    description: Text = ""
    required: bool = False
    enum: list[Any] | None = None
    default: Any = None
    example: Any = None
    minimum: float | None = None
    maximum: float | None = None
    # Nested inputs: the fields of an `object`, the type of a `list`'s items.
    fields: dict[str, InputField] | None = None
    items: InputField | None = None

    @model_validator(mode="before")
    @classmethod
    def _nested_shorthand(cls, data: Any) -> Any:
        """``name: str`` is short for ``name: {type: str}``, in ``fields`` and ``items`` too."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if isinstance(data.get("items"), str):
            data["items"] = {"type": data["items"]}
        if isinstance(data.get("fields"), dict):
            data["fields"] = {
                name: {"type": spec} if isinstance(spec, str) else spec
                for name, spec in data["fields"].items()
            }
        return data

    @model_validator(mode="after")
    def _values_match_type(self) -> InputField:
        self._check_shape()
        for label, value in (
            ("enum", self.enum),
            ("default", self.default),
            ("example", self.example),
        ):
            problem = json_value_problem(value) or data_problem(value)
            if problem:
                raise ValueError(f"{label}: {problem}")
        if self.enum is not None:
            if not self.enum:
                raise ValueError("enum must list at least one value")
            if self.type in ("list", "dict", "object"):
                raise ValueError(f"enum is for str, int, float and bool inputs, not {self.type}")
            for value in self.enum:
                problem = input_value_problem(self, value, "enum value", enum=False)
                if problem:
                    raise ValueError(problem)
        if self.default is not None:
            problem = input_value_problem(self, self.default, "default")
            if problem:
                raise ValueError(problem)
        if self.example is not None:
            problem = input_value_problem(self, self.example, "example")
            if problem:
                raise ValueError(problem)
        if self.required and self.default is not None:
            raise ValueError("a required input cannot have a default")
        return self

    def _check_shape(self) -> None:
        """``fields`` only on objects, ``items`` only on lists, bounds only on numbers."""
        if self.type == "object":
            if not self.fields:
                raise ValueError("an object input needs fields: {name: {type: ...}}")
            if self.enum is not None:
                raise ValueError("enum is for str, int, float and bool inputs, not object")
            for name in self.fields:
                problem = nested_name_problem(name)
                if problem:
                    raise ValueError(f"fields: {problem}")
        elif self.fields is not None:
            raise ValueError(f"fields apply to object inputs, not {self.type}")
        if self.items is not None:
            if self.type != "list":
                raise ValueError(f"items applies to list inputs, not {self.type}")
            if self.items.required or self.items.default is not None:
                raise ValueError("items: required and default do not apply to list items")
        if self.minimum is not None or self.maximum is not None:
            if self.type not in ("int", "float"):
                raise ValueError(f"minimum and maximum apply to int and float, not {self.type}")
            for label, bound in (("minimum", self.minimum), ("maximum", self.maximum)):
                if bound is not None and not math.isfinite(bound):
                    raise ValueError(f"{label}: {bound!r} is not a finite number")
            if None not in (self.minimum, self.maximum) and self.minimum > self.maximum:
                raise ValueError(f"minimum {self.minimum} is above maximum {self.maximum}")


# --------------------------------------------------------------------------------------------
# Nested inputs: an `object` has its own `fields`, a `list` may type its `items`; a value is
# checked against the whole tree, and a problem names its JSON path (``[0].positions[1].qty``).


def nested_name_problem(name: Any) -> str | None:
    """Why ``name`` cannot be a field of a nested input (the rules of top-level inputs)."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        return f"field name {name!r} must match ^[a-z][a-z0-9_]*$"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return f"field name {name!r} is a Python keyword"
    problem = field_name_problem(name)
    return f"field name not allowed: {problem}" if problem else None


def input_value_problem(
    field: InputField, value: Any, label: str, *, enum: bool = True, path: str = ""
) -> str | None:
    """Why ``value`` is not a valid value of ``field``, naming its path, or None.

    At the top the message reads ``default 'x' is not of type int``; below it names the
    path: ``example[0].positions[1].quantity: 'x' is not of type float``.
    """

    def problem(text: str) -> str:
        return f"{label}{path}: {value!r} {text}" if path else f"{label} {value!r} {text}"

    if not value_matches(field.type, value):
        return problem(f"is not of type {field.type}")
    if enum and field.enum is not None and value not in field.enum:
        return problem("is not one of the enum values")
    if field.type in ("int", "float"):
        if field.minimum is not None and value < field.minimum:
            return problem(f"is below the minimum {field.minimum:g}")
        if field.maximum is not None and value > field.maximum:
            return problem(f"is above the maximum {field.maximum:g}")
    if field.type == "list" and field.items is not None:
        for index, item in enumerate(value):
            found = input_value_problem(field.items, item, label, path=f"{path}[{index}]")
            if found:
                return found
    if field.type == "object" and field.fields is not None:
        for key in value:
            if key not in field.fields:
                return f"{label}{path}: unknown field {key!r}"
        for name, nested in field.fields.items():
            if value.get(name) is None:
                if nested.required:
                    return f"{label}{path}.{name}: missing required field"
                continue
            found = input_value_problem(nested, value[name], label, path=f"{path}.{name}")
            if found:
                return found
    return None


InputField.model_rebuild()


class Runtime(StrictModel):
    timeout: Annotated[int, Field(ge=1, le=900)] = 300
    memory: Annotated[int, Field(ge=128, le=10240)] = 1024
    max_turns: Annotated[int, Field(ge=1, le=100)] = 10
    retries: Annotated[int, Field(ge=0, le=10)] = 0
    environment: list[str] = []
    # Accepted from the original plan: the orchestrator is always triggered by the job queue.
    triggers: list[Literal["sqs_queue"]] = []

    @field_validator("environment")
    @classmethod
    def _environment_names(cls, names: list[str]) -> list[str]:
        for name in names:
            if not ENV_NAME_PATTERN.match(name):
                raise ValueError(f"environment name {name!r} must match ^[A-Z][A-Z0-9_]*$")
            problem = environment_problem(name, secret=bool(SECRET_NAME_PATTERN.search(name)))
            if problem:
                raise ValueError(f"environment name {name!r} is reserved: {problem}")
        if len(set(names)) != len(names):
            raise ValueError("environment names must be unique")
        return names


class Capabilities(StrictModel):
    tools: list[str] = []
    structured_output: bool = True
    output_schema: str | None = None

    @field_validator("tools")
    @classmethod
    def _tool_names(cls, tools: list[str]) -> list[str]:
        for tool in tools:
            if not IDENTIFIER_PATTERN.match(tool) or is_keyword(tool):
                raise ValueError(f"tool name {tool!r} is not a valid Python identifier")
            if tool in tool_reserved_names():
                raise ValueError(
                    f"tool name {tool!r} is already a name in the agent's tools.py or agent.py "
                    "(an import, a builtin or a generated definition)"
                )
        if len(set(tools)) != len(tools):
            raise ValueError("tool names must be unique")
        return tools

    @field_validator("output_schema")
    @classmethod
    def _schema_name(cls, name: str | None) -> str | None:
        if name is None:
            return name
        if not IDENTIFIER_PATTERN.match(name) or is_keyword(name):
            raise ValueError(f"output_schema {name!r} is not a valid Python identifier")
        if name in schema_reserved_names():
            raise ValueError(
                f"output_schema {name!r} is already a name in the agent's schemas.py or agent.py "
                "(an import, a builtin or a generated definition)"
            )
        return name


Access = Literal["none", "read", "read-write"]


def _normalize_access(value: Any) -> Any:
    """Map the original plan's spellings onto none | read | read-write."""
    aliases = {"required": "read-write", "read-only": "read", "readonly": "read", None: "none"}
    return aliases.get(value, value) if isinstance(value, str | None) else value


class Dependencies(StrictModel):
    database: Access = "read-write"
    storage: Access = "none"
    queue: Literal["none", "send"] = "none"
    external_apis: list[str] = []

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for key in ("database", "storage"):
            if key in data:
                data[key] = _normalize_access(data[key])
        if data.get("queue") in ("required", None):
            data["queue"] = "send" if data.get("queue") == "required" else "none"
        return data

    @field_validator("external_apis")
    @classmethod
    def _api_names(cls, names: list[str]) -> list[str]:
        for name in names:
            if not API_NAME_PATTERN.match(name):
                raise ValueError(f"external API name {name!r} must match ^[a-z][a-z0-9_-]*$")
        return names


class Outputs(StrictModel):
    key: str | None = None
    output_fields: dict[str, OutputType] = Field(default_factory=dict, alias="schema")

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        if isinstance(data, dict) and "database_field" in data:
            if "key" in data:
                raise ValueError("give key or database_field (its old name), not both")
            data = dict(data)
            data["key"] = data.pop("database_field")
        return data

    @field_validator("key")
    @classmethod
    def _key_name(cls, key: str | None) -> str | None:
        if key is not None and not NAME_PATTERN.match(key):
            raise ValueError(f"outputs.key {key!r} must match ^[a-z][a-z0-9_]*$")
        return key

    @field_validator("output_fields")
    @classmethod
    def _field_names(cls, fields: dict[str, str]) -> dict[str, str]:
        for name in fields:
            if not NAME_PATTERN.match(name) or is_keyword(name):
                raise ValueError(
                    f"output field {name!r} must match ^[a-z][a-z0-9_]*$ and not be a keyword"
                )
            problem = field_name_problem(name)
            if problem:
                raise ValueError(f"output field {problem}")
        return fields


class DeclaredReads(StrictModel):
    """``reads:`` of a worker: the job input fields and the workers whose results its task
    gives it. A list replaces what would be derived (extensions/reads.py); an absent one
    does not."""

    inputs: list[str] | None = None
    results: list[str] | None = None

    @field_validator("inputs", "results")
    @classmethod
    def _unique(cls, names: list[str] | None) -> list[str] | None:
        if names is not None:
            repeated = sorted({name for name in names if names.count(name) > 1})
            if repeated:
                raise ValueError(f"names {', '.join(map(repr, repeated))} more than once")
        return names


class Agent(StrictModel):
    type: Literal["worker", "orchestrator"] = "worker"
    description: Text = ""
    model: str | None = None
    optional: bool = False
    code: str | None = None
    runtime: Runtime = Runtime()
    capabilities: Capabilities = Capabilities()
    dependencies: Dependencies = Dependencies()
    outputs: Outputs = Outputs()
    reads: DeclaredReads | None = None
    # The pass rate of its evals (evals/<agent>.yaml) below which `make eval` fails.
    eval_threshold: Annotated[float, Field(ge=0, le=1, strict=True)] | None = None

    @field_validator("code")
    @classmethod
    def _code_reference(cls, code: str | None) -> str | None:
        if code is not None and not CODE_PATTERN.match(code):
            raise ValueError(f"code {code!r} must be <preset>/<agent>, e.g. finance/tagger")
        return code

    @model_validator(mode="after")
    def _code_for_workers(self) -> Agent:
        if self.code is not None and self.type != "worker":
            raise ValueError("code applies to workers; the orchestrator's code is generated")
        if self.reads is not None and self.type != "worker":
            raise ValueError("reads applies to workers; the orchestrator reads the whole job")
        return self

    @model_validator(mode="before")
    @classmethod
    def _orchestrator_defaults(cls, data: Any) -> Any:
        """An orchestrator waits for its workers: it gets the longest timeout by default."""
        if isinstance(data, dict) and data.get("type") == "orchestrator":
            runtime = data.get("runtime") or {}
            if isinstance(runtime, dict) and "timeout" not in runtime:
                data = {**data, "runtime": {**runtime, "timeout": 900}}
        return data


class Step(StrictModel):
    parallel: bool
    agents: list[str]


def parse_steps(raw: Any) -> list[Step]:
    """Accept ``[a, b]``, ``[{sequential: [a]}, {parallel: [b, c]}]`` or a mix.

    Consecutive bare names form one sequential step.
    """
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValueError(
            "must be a list of agent names or of {sequential: [...]} / {parallel: [...]}"
        )
    steps: list[Step] = []
    names: list[str] = []
    for index, item in enumerate(raw):
        if isinstance(item, str):
            names.append(item)
            continue
        if names:
            steps.append(Step(parallel=False, agents=names))
            names = []
        if not isinstance(item, dict) or len(item) != 1:
            raise ValueError(
                f"step {index + 1} must be an agent name or one of {{sequential: [...]}}, "
                f"{{parallel: [...]}} (got {item!r})"
            )
        ((kind, agents),) = item.items()
        if kind not in ("sequential", "parallel"):
            raise ValueError(
                f"step {index + 1} has unknown kind {kind!r} (use sequential or parallel)"
            )
        if isinstance(agents, str):
            agents = [agents]
        if not isinstance(agents, list) or not all(isinstance(a, str) for a in agents):
            raise ValueError(f"step {index + 1} ({kind}) must list agent names")
        if not agents:
            raise ValueError(f"step {index + 1} ({kind}) is empty")
        steps.append(Step(parallel=kind == "parallel", agents=agents))
    if names:
        steps.append(Step(parallel=False, agents=names))
    return steps


class Rule(StrictModel):
    name: str
    condition: Text = "always"
    steps: list[Step]
    otherwise: list[Step] = []

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for key in ("steps", "otherwise"):
            # Only code builds rules from Step objects; in agents.yaml they are agents / else.
            value = data.get(key)
            if key in data and not (
                isinstance(value, list) and all(isinstance(step, Step) for step in value)
            ):
                spelling = "agents" if key == "steps" else "else"
                raise ValueError(f"unknown key {key!r} (write {spelling})")
        if "agents" in data:
            if "steps" in data:
                raise ValueError("unknown key 'steps' (write agents)")
            data["steps"] = parse_steps(data.pop("agents"))
        elif "steps" not in data:
            raise ValueError("a rule needs agents")
        if "else" in data:
            if "otherwise" in data:
                raise ValueError("unknown key 'otherwise' (write else)")
            data["otherwise"] = parse_steps(data.pop("else"))
        if isinstance(data.get("condition"), bool) and data["condition"]:
            data["condition"] = "always"
        return data

    @field_validator("steps")
    @classmethod
    def _not_empty(cls, steps: list[Step]) -> list[Step]:
        if not steps:
            raise ValueError("agents is empty")
        return steps

    def all_steps(self) -> list[Step]:
        return [*self.steps, *self.otherwise]


class Orchestration(StrictModel):
    strategy: Literal["dynamic", "sequential", "parallel", "planner"] = "dynamic"
    on_failure: Literal["stop", "continue"] = "stop"
    # The most one job's model calls may cost, in USD: no agent is called once it is spent.
    budget_usd: (
        Annotated[float, Field(gt=0, le=1_000_000, strict=True, allow_inf_nan=False)] | None
    ) = None
    selection_rules: list[Rule] = []


def effective_rules(orchestration: Orchestration, workers: list[str]) -> list[Rule]:
    """The rules the plan runs: sequential/parallel without rules run every worker in one step."""
    if orchestration.selection_rules or orchestration.strategy in ("dynamic", "planner"):
        return list(orchestration.selection_rules)
    parallel = orchestration.strategy == "parallel"
    return [Rule(name="all_workers", steps=[Step(parallel=parallel, agents=workers)])]
