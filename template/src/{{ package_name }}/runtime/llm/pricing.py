"""What model calls cost, priced from genai-prices' table (shipped with the package: no network).

Each live model call is priced as it returns, from its usage and the id of the model that
answered. A model the table does not know is unpriced (None, never a guess). A call that used
no tokens costs nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import genai_prices
from agents import Model
from agents.usage import Usage

from .cost import Spend

# genai-prices' id of each LLM_PROVIDER.
PRICE_PROVIDERS = {"openai": "openai", "bedrock": "aws", "anthropic": "anthropic"}
# Route prefixes a model id may carry that are not part of the model's name.
ROUTE_PREFIXES = ("openai/", "anthropic/", "bedrock/", "converse/", "invoke/")


def price(model: str, provider: str, usage: Usage) -> Decimal | None:
    """The price in USD of ``usage`` on ``model`` (bare or routed), or None if it is unpriced."""
    if not usage.input_tokens and not usage.output_tokens:
        return Decimal(0)
    while model.startswith(ROUTE_PREFIXES):
        model = model.partition("/")[2]
    tokens = genai_prices.Usage(
        input_tokens=usage.input_tokens,
        cache_read_tokens=usage.input_tokens_details.cached_tokens or 0,
        output_tokens=usage.output_tokens,
    )
    try:
        return genai_prices.calc_price(
            tokens, model, provider_id=PRICE_PROVIDERS[provider]
        ).total_price
    except LookupError:
        return None


class Metered(Model):
    """``model``, adding each of its answers' tokens to ``spend``, and their cost when it is
    the provider's ``name`` (the offline model's and a replay's answers cost nothing)."""

    def __init__(
        self, model: Model, spend: Spend, name: str | None = None, provider: str | None = None
    ):
        self.model, self.spend, self.name, self.provider = model, spend, name, provider

    async def get_response(self, *args: Any, **kwargs: Any):
        response = await self.model.get_response(*args, **kwargs)
        usage = response.usage
        cost = price(self.name, self.provider, usage) if self.name and self.provider else Decimal(0)
        self.spend.add(cost, usage.total_tokens)
        return response

    def stream_response(self, *args: Any, **kwargs: Any):
        return self.model.stream_response(*args, **kwargs)
