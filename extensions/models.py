"""Model ids as agents.yaml and the answers write them: bare (``us.amazon.nova-lite-v1:0``) or
with the provider in front (``bedrock/us.amazon.nova-lite-v1:0``), as LiteLLM writes them.

The generated runtime (runtime/llm/clients.py, ``provider_route``) turns either form into the id its
client takes; here a model of another provider than the project's is refused.
"""

from __future__ import annotations

# LiteLLM routes that may follow ``bedrock/`` or stand first in a Bedrock model id.
BEDROCK_ROUTES = ("converse", "invoke")


def model_provider_problem(model: str, provider: str) -> str | None:
    """Why ``model`` cannot run on ``provider``, or None (either written form is fine)."""
    prefix, slash, _ = model.partition("/")
    if not slash or prefix == provider:
        return None
    if provider == "bedrock" and prefix in BEDROCK_ROUTES:
        return None
    return (
        f"names provider {prefix!r} but the project's llm_provider is "
        f"{provider!r}: write the {provider} model bare or as {provider}/<model>"
    )
