"""The model an agent runs on: offline, or the configured provider with an optional fallback.

Bedrock and Anthropic go through LiteLLM (imported only when used: it takes seconds); OpenAI
uses the SDK's native chat-completions model. API keys come from the environment or Secrets
Manager.
"""

from __future__ import annotations

import os
from typing import Any

from agents import Model, ModelSettings

from ..secrets import env_or_secret, secret_value
from ..settings import Settings, names_another_provider
from .cost import Spend
from .offline import offline_model
from .pricing import Metered
from .recording import Replay, recorded


class FallbackModel(Model):
    """Ask ``primary``; if the call fails, ask ``fallback`` with the same request."""

    def __init__(self, primary: Model, fallback: Model):
        self.primary = primary
        self.fallback = fallback

    async def get_response(self, *args: Any, **kwargs: Any):
        try:
            return await self.primary.get_response(*args, **kwargs)
        except Exception:
            return await self.fallback.get_response(*args, **kwargs)

    def stream_response(self, *args: Any, **kwargs: Any):
        return self.primary.stream_response(*args, **kwargs)


def _api_key(settings: Settings, variable: str) -> str | None:
    if settings.llm_api_key_secret:
        return secret_value(settings.llm_api_key_secret)
    return env_or_secret(variable)


def _litellm_model() -> type[Model]:
    # LiteLLM would otherwise download its model price list when imported, and catalogs such
    # as Anthropic's beta headers at the first call: it uses the copies it ships instead.
    os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    from agents.extensions.models.litellm_model import LitellmModel

    return LitellmModel


def load_model_client(settings: Settings) -> None:
    """Import the configured provider's client now rather than at the first model call.

    The Lambda entry points of the functions that run models call it as they load, so that a
    Lambda pays for it in its init phase, not in its first invocation. OpenAI's client loads
    with the Agents SDK itself; offline there is nothing to load.
    """
    if settings.model_mode == "live" and settings.llm_provider != "openai":
        _litellm_model()


def provider_route(name: str, provider: str) -> str:
    """The id the provider's client takes, from a model id written bare or as provider/model.

    OpenAI's client takes the bare id; LiteLLM takes provider/model. A model of another
    provider is refused (agents.yaml is checked for this when the project is generated, and
    LLM_MODEL and LLM_FALLBACK_MODEL when the settings are read).
    """
    if names_another_provider(name, provider):
        raise ValueError(f"model {name!r} names another provider than LLM_PROVIDER {provider!r}")
    name = name.removeprefix(f"{provider}/")
    return name if provider == "openai" else f"{provider}/{name}"


def provider_model(name: str, settings: Settings) -> Model:
    """A live model for ``name`` (bare or provider/model) on the configured provider."""
    route = provider_route(name, settings.llm_provider)
    if settings.llm_provider == "openai":
        from agents import OpenAIChatCompletionsModel
        from openai import AsyncOpenAI

        client = AsyncOpenAI(api_key=_api_key(settings, "OPENAI_API_KEY"), max_retries=2)
        return OpenAIChatCompletionsModel(model=route, openai_client=client)

    litellm_model = _litellm_model()
    if settings.llm_provider == "anthropic":
        return litellm_model(model=route, api_key=_api_key(settings, "ANTHROPIC_API_KEY"))
    return litellm_model(model=route)


def model_settings(settings: Settings) -> ModelSettings | None:
    """Provider arguments that every call needs (Bedrock's region, passed explicitly)."""
    if settings.llm_provider == "bedrock" and settings.model_mode == "live":
        return ModelSettings(extra_args={"aws_region_name": settings.llm_region})
    return None


def _local_model(agent: str, settings: Settings) -> Model:
    """The offline model, or the agent's recording in replay."""
    if settings.offline:
        return offline_model(agent, settings.latency_of(agent))
    return Replay(agent)


def model_for(
    agent: str, override: str | None, settings: Settings, spend: Spend | None = None
) -> Model:
    """The model ``agent`` runs on: offline, its recording (replay), else its override or the
    project's default model. With ``spend``, each answer's tokens are added to it, and a live
    answer's cost, priced at the model that gave it; while recording, its exchanges are kept."""
    if settings.offline or settings.model_mode == "replay":
        local = _local_model(agent, settings)
        return Metered(local, spend) if spend else local

    def live(name: str) -> Model:
        model = provider_model(name, settings)
        return Metered(model, spend, name, settings.llm_provider) if spend else model

    primary = live(override or settings.default_model)
    if settings.fallback_model:
        return recorded(agent, FallbackModel(primary, live(settings.fallback_model)))
    return recorded(agent, primary)
