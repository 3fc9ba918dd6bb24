"""Settings read once from the environment."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .. import config
from .secrets import env_or_secret

# Environment names that mean "credentials for the configured provider are available".
CREDENTIAL_VARIABLES = {
    "bedrock": ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI"),
    "openai": ("OPENAI_API_KEY", "LLM_API_KEY_SECRET"),
    "anthropic": ("ANTHROPIC_API_KEY", "LLM_API_KEY_SECRET"),
}


PROVIDERS = tuple(CREDENTIAL_VARIABLES)
# LiteLLM routes a Bedrock model id may start with: bedrock/converse/<id> or converse/<id>.
BEDROCK_ROUTES = ("converse", "invoke")
# An AWS region's name: us-east-1, eu-central-2, us-gov-west-1...
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")
# Values OPENAI_TRACING accepts, by what they mean.
SWITCH = {"": False, "0": False, "1": True}


class InvalidSetting(ValueError):
    """An environment variable set to a value the project cannot use."""


@dataclass(frozen=True)
class Settings:
    store: str
    sqlite_path: str
    model_mode: str
    aws_region: str
    llm_provider: str
    # Region of the Bedrock calls: llm.region in agents.yaml, else the project's region.
    llm_region: str
    default_model: str
    fallback_model: str
    llm_api_key_secret: str
    # Seconds the offline model waits before answering: every agent's, and some agents' own.
    offline_latency: float
    openai_tracing: bool
    offline_latency_of_agent: Mapping[str, float] = field(default_factory=dict, hash=False)

    @property
    def offline(self) -> bool:
        return self.model_mode == "offline"

    def latency_of(self, agent: str) -> float:
        return self.offline_latency_of_agent.get(agent, self.offline_latency)


def offline_latencies(text: str) -> tuple[float, dict[str, float]]:
    """OFFLINE_LATENCY_SECONDS: seconds for every agent ("1.5"), for some ("writer=3"), or both
    ("0.2,writer=3"), to see a slow agent's effect on a run without a live model."""
    agents = {*config.WORKERS, config.ORCHESTRATOR}
    every, of_agent = 0.0, {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        agent, equals, seconds = (part.strip() for part in item.rpartition("="))
        try:
            value = float(seconds)
        except ValueError:
            value = math.nan
        if not 0 <= value <= 3600:
            raise InvalidSetting(
                f"OFFLINE_LATENCY_SECONDS: {item!r} is not seconds from 0 to 3600, or AGENT=seconds"
            )
        if equals and agent not in agents:
            raise InvalidSetting(
                f"OFFLINE_LATENCY_SECONDS: {item!r} names no agent of agents.yaml"
                f" ({', '.join(sorted(agents))})"
            )
        if equals:
            of_agent[agent] = value
        else:
            every = value
    return every, of_agent


def llm_provider(value: str) -> str:
    """LLM_PROVIDER: one of the providers the runtime has a client for."""
    if value not in PROVIDERS:
        accepted = f"{', '.join(PROVIDERS[:-1])} or {PROVIDERS[-1]}"
        raise InvalidSetting(f"LLM_PROVIDER must be {accepted}, not {value!r}")
    return value


def region(name: str, value: str) -> str:
    """AWS_REGION, LLM_REGION: an AWS region's name."""
    if not REGION.fullmatch(value):
        raise InvalidSetting(f"{name}: {value!r} is not an AWS region name (like us-east-1)")
    return value


def names_another_provider(model: str, provider: str) -> bool:
    """Whether ``model``, written provider/model, is of another provider than ``provider``."""
    prefix, slash, _ = model.partition("/")
    bedrock_route = provider == "bedrock" and (
        prefix in BEDROCK_ROUTES or prefix.startswith("arn:")
    )
    return bool(slash) and prefix != provider and not bedrock_route


def model_id(name: str, value: str, provider: str) -> str:
    """LLM_MODEL, LLM_FALLBACK_MODEL: a model id of the provider, bare or as provider/model."""
    if not value or not value.isprintable() or any(c.isspace() for c in value):
        raise InvalidSetting(f"{name}: {value!r} is not a model id (no space, not empty)")
    if names_another_provider(value, provider):
        raise InvalidSetting(f"{name}: {value!r} is a model of another provider than {provider}")
    return value


def switch(name: str, value: str) -> bool:
    """OPENAI_TRACING: 1 turns it on, 0 or nothing leaves it off."""
    if value not in SWITCH:
        raise InvalidSetting(f"{name} must be 1 (on) or 0 (off), not {value!r}")
    return SWITCH[value]


def sqlite_path(value: str) -> str:
    """SQLITE_PATH: a database file, created if missing, in a folder that is or can be made."""
    if not value:
        raise InvalidSetting("SQLITE_PATH is empty: give the path of a database file")
    path = Path(value)
    if path.is_dir():
        raise InvalidSetting(f"SQLITE_PATH: {value!r} is a folder, not a database file")
    for parent in path.parents:  # the nearest existing one must be a folder
        if parent.exists():
            if not parent.is_dir():
                raise InvalidSetting(f"SQLITE_PATH: {str(parent)!r} is a file, not a folder")
            break
    return value


def deployed_settings(user: str, *names: str) -> dict[str, str]:
    """The settings the Terraform gives a deployed stage's ``user``, refused when one is unset
    (`terraform output client_environment` lists a stage's, for local commands)."""
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        raise InvalidSetting(
            f"{user} needs {', '.join(missing)}: a deployed stage's settings"
            " (terraform output client_environment)"
        )
    return {name: os.environ[name] for name in names}


def _default_model_mode(provider: str) -> str:
    configured = any(os.environ.get(name) for name in CREDENTIAL_VARIABLES[provider])
    return "live" if configured or os.environ.get("AWS_LAMBDA_FUNCTION_NAME") else "offline"


@cache
def get_settings() -> Settings:
    provider = llm_provider(os.environ.get("LLM_PROVIDER", config.LLM_PROVIDER))
    model_mode = os.environ.get("MODEL_MODE") or _default_model_mode(provider)
    if model_mode not in ("offline", "live", "replay"):
        raise InvalidSetting(f"MODEL_MODE must be offline, live or replay, not {model_mode!r}")
    latency, latency_of_agent = offline_latencies(os.environ.get("OFFLINE_LATENCY_SECONDS", ""))
    store = os.environ.get("JOB_STORE", "sqlite")
    database = os.environ.get("SQLITE_PATH", ".local/jobs.db")
    fallback = os.environ.get("LLM_FALLBACK_MODEL", config.FALLBACK_MODEL)  # empty: none
    return Settings(
        store=store,
        sqlite_path=sqlite_path(database) if store == "sqlite" else database,
        model_mode=model_mode,
        aws_region=region("AWS_REGION", os.environ.get("AWS_REGION", config.AWS_REGION)),
        llm_provider=provider,
        llm_region=region("LLM_REGION", os.environ.get("LLM_REGION", config.LLM_REGION)),
        default_model=model_id(
            "LLM_MODEL", os.environ.get("LLM_MODEL", config.DEFAULT_MODEL), provider
        ),
        fallback_model=fallback and model_id("LLM_FALLBACK_MODEL", fallback, provider),
        llm_api_key_secret=os.environ.get("LLM_API_KEY_SECRET", ""),
        offline_latency=latency,
        openai_tracing=switch("OPENAI_TRACING", os.environ.get("OPENAI_TRACING", "")),
        offline_latency_of_agent=latency_of_agent,
    )


class ExternalApiNotConfigured(LookupError):
    """An external API that agents.yaml does not declare, or whose settings are not set."""


@dataclass(frozen=True)
class ExternalApi:
    """An API from `dependencies.external_apis` in agents.yaml: where it is and its key."""

    name: str
    base_url: str
    key: str


def external_api(name: str) -> ExternalApi:
    """The base URL and key of external API ``name``, for tools that call it.

    The base URL is the environment variable <START>_URL (config.EXTERNAL_APIS gives the
    start, e.g. EXTERNAL_API_POLYGON). The key is <START>_KEY when set (local runs), else the
    Secrets Manager secret that <START>_KEY_SECRET names, read once per container. In AWS only
    the functions of the agents that declare the API get these settings.
    """
    variable = config.EXTERNAL_APIS.get(name)
    if variable is None:
        declared = ", ".join(config.EXTERNAL_APIS) or "none"
        raise ExternalApiNotConfigured(
            f"external API {name!r} is not in agents.yaml (declared: {declared})"
        )
    base_url = os.environ.get(f"{variable}_URL")
    key = env_or_secret(f"{variable}_KEY")
    missing = []
    if not base_url:
        missing.append(f"{variable}_URL")
    if key is None:
        missing.append(f"{variable}_KEY")
    if missing:
        raise ExternalApiNotConfigured(
            f"external API {name!r}: set {' and '.join(missing)} (docs/deploy.md, External APIs)"
        )
    return ExternalApi(name=name, base_url=base_url, key=key)
