"""Prices of instruments: Polygon's previous close when Polygon is configured, else the
reference data shipped with the project. A price that cannot be had is an error that says
why: never a made-up price.

Polygon is the `polygon` external API of agents.yaml: its key comes from POLYGON_API_KEY, or
from the Secrets Manager secret that POLYGON_API_KEY_SECRET names (Polygon is not configured
while that secret has no value); POLYGON_BASE_URL points elsewhere than https://api.polygon.io
(a proxy, a test server).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request

from .instruments import reference_data, reference_instrument

DEFAULT_BASE_URL = "https://api.polygon.io"
TIMEOUT_SECONDS = 10
_secret_keys: dict[str, str] = {}


class PriceUnavailable(RuntimeError):
    """No price for an instrument; the message says which and why."""


def polygon_key() -> str | None:
    """The Polygon API key, or None when Polygon is not configured."""
    if key := os.environ.get("POLYGON_API_KEY"):
        return key
    secret_id = os.environ.get("POLYGON_API_KEY_SECRET")
    if not secret_id:
        return None
    if secret_id not in _secret_keys:
        import boto3
        from botocore.exceptions import ClientError

        try:
            secret = boto3.client("secretsmanager").get_secret_value(SecretId=secret_id)
        except ClientError as error:
            # A secret with no value yet: "can't find the specified secret value for staging
            # label: AWSCURRENT". A secret that does not exist at all is an error.
            reason = error.response["Error"]
            if reason["Code"] == "ResourceNotFoundException" and "secret value" in reason.get(
                "Message", ""
            ):
                return None
            raise
        _secret_keys[secret_id] = secret["SecretString"]
    return _secret_keys[secret_id] or None


def polygon_close(symbol: str, key: str) -> float:
    """The previous trading day's close of ``symbol`` on Polygon."""
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
    if key := polygon_key():
        return {symbol: polygon_close(symbol, key) for symbol in symbols}, "polygon previous close"
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
