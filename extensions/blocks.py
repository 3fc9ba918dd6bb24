"""The original plan's ``project``, ``infrastructure`` and ``llm`` blocks of agents.yaml.

Each key either fills an answer (``PLAN_ANSWERS``: a block's value and the answer must agree,
so agents.yaml decides on ``make regen``), or sets something no answer holds (the project's
version, the Aurora capacities, the Bedrock region), or is refused as not supported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from packaging.version import InvalidVersion, Version
from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator

from .answers import DATABASES, PLAN_ANSWERS
from .spec import StrictModel

DEFAULT_VERSION = "0.1.0"
# Aurora Serverless v2 capacity units: 0 (pause when idle) to 256, in steps of 0.5; the
# maximum is at least 1. https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html
MAX_ACU = 256
MIN_MAX_ACU = 1
DEFAULT_CAPACITY = {"min_capacity": 0.5, "max_capacity": 4.0}


def plan_value(block: Any, path: tuple[str, ...]) -> Any:
    """The value at ``path`` in a block, or None when absent or empty."""
    value = block
    for key in path:
        if not isinstance(value, dict) or value.get(key) in (None, ""):
            return None
        value = value[key]
    # A YAML block scalar (description: >) ends with a line break that is not part of the text.
    return value.strip() if isinstance(value, str) else value


class ProjectBlock(StrictModel):
    name: str | None = None
    description: str | None = None
    region: str | None = None
    version: str | None = None

    @field_validator("version", mode="before")
    @classmethod
    def _pep_440(cls, version: Any) -> str | None:
        if version is None:
            return None
        if isinstance(version, float):
            raise ValueError(f"{version!r} is a number to YAML (1.10 reads as 1.1): quote it")
        if isinstance(version, bool) or not isinstance(version, str | int):
            raise ValueError(f"{version!r} is not a version such as 1.0.0")
        try:
            return str(Version(str(version)))
        except InvalidVersion:
            raise ValueError(
                f"{version!r} is not a version as Python packages write them (PEP 440), "
                "e.g. 1.0.0 or 2.1.0rc1"
            ) from None


class DatabaseConfig(StrictModel):
    engine: Literal["postgresql"] | None = None
    min_capacity: float | None = None
    max_capacity: float | None = None

    @field_validator("min_capacity", "max_capacity", mode="before")
    @classmethod
    def _capacity(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return None
        low = 0 if info.field_name == "min_capacity" else MIN_MAX_ACU
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= MAX_ACU
            or (value * 2) % 1
        ):
            raise ValueError(
                f"{value!r} is not {low} to {MAX_ACU} Aurora capacity units in steps of 0.5"
            )
        return float(value)


class DatabaseBlock(StrictModel):
    provider: Literal[DATABASES] | None = None
    config: DatabaseConfig = DatabaseConfig()


def _not_supported(value: Any, supported: str, reason: str) -> Any:
    if value not in (None, supported):
        raise ValueError(f"{value!r} is not supported: {reason} (write {supported})")
    return value


class QueueBlock(StrictModel):
    provider: str | None = None

    @field_validator("provider", mode="before")
    @classmethod
    def _sqs(cls, value: Any) -> Any:
        return _not_supported(value, "sqs", "the orchestrator consumes an SQS queue")

    @model_validator(mode="before")
    @classmethod
    def _no_config(cls, data: Any) -> Any:
        if isinstance(data, dict) and "config" in data:
            raise ValueError(
                "config is not supported: the queue's visibility timeout follows the "
                "orchestrator's timeout"
            )
        return data


class StorageBlock(StrictModel):
    provider: str | None = None

    @field_validator("provider", mode="before")
    @classmethod
    def _s3(cls, value: Any) -> Any:
        return _not_supported(value, "s3", "agents that declare storage use an S3 bucket")

    @model_validator(mode="before")
    @classmethod
    def _no_config(cls, data: Any) -> Any:
        if isinstance(data, dict) and "config" in data:
            raise ValueError(
                "config is not supported: the bucket is named after the project and the stage"
            )
        return data


class InfrastructureBlock(StrictModel):
    database: DatabaseBlock = DatabaseBlock()
    queue: QueueBlock = QueueBlock()
    storage: StorageBlock = StorageBlock()


class LlmBlock(StrictModel):
    provider: Literal["bedrock", "openai", "anthropic"] | None = None
    model: str | None = None
    fallback_model: str | None = None
    region: str | None = Field(default=None, pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$")


BLOCK_MODELS = {"project": ProjectBlock, "infrastructure": InfrastructureBlock, "llm": LlmBlock}


@dataclass(frozen=True)
class PlanSettings:
    """What the blocks set beyond the answers."""

    version: str = DEFAULT_VERSION
    # Region of the Bedrock calls; None means the project's region.
    llm_region: str | None = None
    min_capacity: float = DEFAULT_CAPACITY["min_capacity"]
    max_capacity: float = DEFAULT_CAPACITY["max_capacity"]


def _format(block: str, error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        location = ".".join(str(part) for part in (block, *item["loc"]))
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        elif item["type"] == "literal_error":
            message = f"{message} (got {item['input']!r})"
        problems.append(f"{location}: {message}")
    return problems


def load_blocks(answers: dict[str, Any], problems: list[str]) -> PlanSettings:
    """Validate the blocks, check that they agree with the answers, and return their settings."""
    parsed: dict[str, Any] = {}
    for block, model in BLOCK_MODELS.items():
        raw = answers.get(block)
        if raw is None:
            parsed[block] = model()
            continue
        if not isinstance(raw, dict):
            problems.append(f"{block}: must be a mapping")
            continue
        try:
            parsed[block] = model.model_validate(raw)
        except ValidationError as error:
            problems.extend(_format(block, error))
    for answer, block, path in PLAN_ANSWERS:
        value = plan_value(answers.get(block), path)
        given = answers.get(answer)
        if value is not None and given not in (None, "") and str(value) != str(given):
            where = ".".join((block, *path))
            problems.append(
                f"{where} is {value!r} but the answer {answer} is {given!r}: agents.yaml "
                f"decides, so change {where} there (or remove it) rather than the answer"
            )
    if len(parsed) != len(BLOCK_MODELS):
        return PlanSettings()
    return _settings(parsed["project"], parsed["infrastructure"], parsed["llm"], answers, problems)


def _settings(
    project: ProjectBlock,
    infrastructure: InfrastructureBlock,
    llm: LlmBlock,
    answers: dict[str, Any],
    problems: list[str],
) -> PlanSettings:
    config = infrastructure.database.config
    database = infrastructure.database.provider or answers.get("database")
    given = [key for key in ("min_capacity", "max_capacity") if getattr(config, key) is not None]
    if given and database != "aurora-serverless-v2":
        problems.append(
            f"infrastructure.database.config.{given[0]}: not supported with {database}: "
            "Aurora capacity units apply to aurora-serverless-v2 only"
        )
    if config.engine and database == "dynamodb":
        problems.append("infrastructure.database.config.engine: not supported with dynamodb")
    low = DEFAULT_CAPACITY["min_capacity"] if config.min_capacity is None else config.min_capacity
    high = DEFAULT_CAPACITY["max_capacity"] if config.max_capacity is None else config.max_capacity
    if low > high:
        default = " (the default)" if config.max_capacity is None else ""
        problems.append(
            f"infrastructure.database.config: min_capacity {low:g} is above "
            f"max_capacity {high:g}{default}"
        )
    provider = llm.provider or answers.get("llm_provider")
    if llm.region and provider != "bedrock":
        problems.append(
            f"llm.region: not supported with {provider}: it is the region of Bedrock calls"
        )
    return PlanSettings(
        version=project.version or DEFAULT_VERSION,
        llm_region=llm.region,
        min_capacity=low,
        max_capacity=high,
    )
