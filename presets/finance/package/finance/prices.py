"""Prices of instruments: Polygon's previous close when Polygon is configured, else the
reference data shipped with the project. A price that cannot be had is an error that says
why: never a made-up price.

Polygon is the `polygon` external API of agents.yaml: its key comes from POLYGON_API_KEY, or
from the Secrets Manager secret that POLYGON_API_KEY_SECRET names; POLYGON_BASE_URL points
elsewhere than https://api.polygon.io (a proxy, a test server).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request

from ..runtime.secrets import env_or_secret
from .instruments import reference_data, reference_instrument

DEFAULT_BASE_URL = "https://api.polygon.io"
TIMEOUT_SECONDS = 10


class PriceUnavailable(RuntimeError):
    """No price for an instrument; the message says which and why."""


def polygon_configured() -> bool:
    return bool(os.environ.get("POLYGON_API_KEY") or os.environ.get("POLYGON_API_KEY_SECRET"))


def polygon_close(symbol: str) -> float:
    """The previous trading day's close of ``symbol`` on Polygon."""
    key = env_or_secret("POLYGON_API_KEY")
    if not key:
        raise PriceUnavailable(f"{symbol}: Polygon is not configured (set POLYGON_API_KEY)")
    base = os.environ.get("POLYGON_BASE_URL", DEFAULT_BASE_URL).rstrip("/")
    query = urllib.parse.urlencode({"adjusted": "true", "apiKey": key})
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
    if polygon_configured():
        return {symbol: polygon_close(symbol) for symbol in symbols}, "polygon previous close"
    found = {}
    for symbol in symbols:
        instrument = reference_instrument(symbol)
        if instrument is None:
            raise PriceUnavailable(
                f"{symbol}: not in the reference data, and Polygon is not configured "
                "(set POLYGON_API_KEY to price any listed instrument)"
            )
        found[symbol] = instrument.current_price
    return found, f"reference data of {reference_data()['prices_as_of']}"
