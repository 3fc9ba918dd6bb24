"""Prices of instruments: Polygon's previous close when Polygon is configured, else the
reference data shipped with the project. A price that cannot be had is an error that says
why: never a made-up price.

Polygon is the `polygon` external API of agents.yaml (`dependencies.external_apis`), read
with `settings.external_api("polygon")`: it is in use once its base URL is set
(EXTERNAL_API_POLYGON_URL locally, `external_api_urls` in Terraform), and its key is
EXTERNAL_API_POLYGON_KEY or the API's secret.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request

from ..config import EXTERNAL_APIS
from ..runtime.settings import ExternalApi, ExternalApiNotConfigured, external_api
from .instruments import reference_data, reference_instrument

TIMEOUT_SECONDS = 10


class PriceUnavailable(RuntimeError):
    """No price for an instrument; the message says which and why."""


def polygon() -> ExternalApi | None:
    """Polygon's base URL and key, or None when Polygon is not configured (no base URL)."""
    variable = EXTERNAL_APIS.get("polygon")
    if variable is None or not os.environ.get(f"{variable}_URL"):
        return None
    try:
        return external_api("polygon")
    except ExternalApiNotConfigured as error:
        raise PriceUnavailable(str(error)) from None


def polygon_close(symbol: str, api: ExternalApi) -> float:
    """The previous trading day's close of ``symbol`` on Polygon."""
    base = api.base_url.rstrip("/")
    query = urllib.parse.urlencode({"adjusted": "true", "apiKey": api.key})
    url = f"{base}/v2/aggs/ticker/{urllib.parse.quote(symbol)}/prev?{query}"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            document = json.load(response)
    except urllib.error.HTTPError as error:
        raise PriceUnavailable(f"{symbol}: Polygon answered HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise PriceUnavailable(f"{symbol}: Polygon could not be read ({reason})") from None
    results = document.get("results") or []
    close = results[0].get("c") if results and isinstance(results[0], dict) else None
    if not isinstance(close, int | float) or isinstance(close, bool) or close <= 0:
        raise PriceUnavailable(f"{symbol}: Polygon has no previous close for it")
    return float(close)


def prices(symbols: list[str]) -> tuple[dict[str, float], str]:
    """A price for every symbol, and where the prices come from."""
    if api := polygon():
        return {symbol: polygon_close(symbol, api) for symbol in symbols}, "polygon previous close"
    found = {}
    for symbol in symbols:
        instrument = reference_instrument(symbol)
        if instrument is None:
            raise PriceUnavailable(
                f"{symbol}: not in the reference data, and Polygon is not configured "
                "(set the polygon external API's URL and key to price any listed instrument)"
            )
        found[symbol] = instrument.current_price
    return found, f"reference data of {reference_data()['prices_as_of']}"
