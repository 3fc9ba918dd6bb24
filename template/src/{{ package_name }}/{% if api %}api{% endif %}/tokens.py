"""Verify bearer tokens the way API Gateway's JWT authorizer does, for local serving.

The signing keys come from the issuer's OpenID configuration (`jwks_uri`), as API Gateway
finds them; the token must be signed with RSA, unexpired, from the issuer, and meant for the
audience (its `aud`, or `client_id` for Cognito access tokens).
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import jwt
from fastapi import Request

from .auth import unauthorized

ALGORITHMS = ["RS256", "RS384", "RS512"]


def discover_jwks_url(issuer: str) -> str:
    """The `jwks_uri` of the issuer's OpenID configuration."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)["jwks_uri"]


def _meant_for(claims: dict[str, Any], audience: str) -> bool:
    aud = claims.get("aud", [])
    return audience in ([aud] if isinstance(aud, str) else aud) or (
        "aud" not in claims and claims.get("client_id") == audience
    )


class TokenVerifier:
    """An `Identify` that verifies the request's bearer token and returns its subject."""

    def __init__(self, issuer: str, audience: str, jwks_url: str | None = None):
        self.issuer = issuer
        self.audience = audience
        self._jwks_url = jwks_url
        self._keys: jwt.PyJWKClient | None = None

    def _signing_keys(self) -> jwt.PyJWKClient:
        if self._keys is None:
            self._keys = jwt.PyJWKClient(self._jwks_url or discover_jwks_url(self.issuer))
        return self._keys

    def __call__(self, request: Request) -> str:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise unauthorized("missing bearer token")
        try:
            key = self._signing_keys().get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                issuer=self.issuer,
                options={"require": ["exp", "iss", "sub"], "verify_aud": False},
            )
        except jwt.PyJWTError as error:
            raise unauthorized(f"invalid token: {error}") from None
        if not _meant_for(claims, self.audience):
            raise unauthorized("invalid token: not meant for this audience")
        return claims["sub"]
