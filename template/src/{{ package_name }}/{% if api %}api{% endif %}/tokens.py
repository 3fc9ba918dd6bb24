"""Verify bearer tokens the way API Gateway's JWT authorizer does, for local serving.

The signing keys come from the issuer's OpenID configuration (`jwks_uri`), as API Gateway
finds them; the token must be signed with RSA, unexpired, from the issuer, and meant for the
audience (its `aud`, or `client_id` for Cognito access tokens).

A token is read before any key is fetched: one that is not a well-formed JWT of the issuer
is refused (401) without asking the issuer anything. The issuer's keys are fetched with a
timeout and kept for ``KEYS_LIFESPAN`` seconds; when the issuer cannot be reached, or none
is configured, the answer is 503 naming it, with ``Retry-After``.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.request
from http import HTTPStatus
from typing import Any

import jwt
from fastapi import Request

from ..gate import is_user_id
from .auth import unauthorized
from .problems import ProblemError

ALGORITHMS = ["RS256", "RS384", "RS512"]
TIMEOUT_SECONDS = 5
KEYS_LIFESPAN = 300
RETRY_AFTER_SECONDS = 30
MAX_TOKEN_CHARACTERS = 16 * 1024


class IssuerUnavailable(Exception):
    """The issuer's OpenID configuration or keys could not be had."""


def unavailable(detail: str, retry_after: float = RETRY_AFTER_SECONDS) -> ProblemError:
    headers = {"Retry-After": str(max(1, round(retry_after)))}
    return ProblemError(HTTPStatus.SERVICE_UNAVAILABLE, detail, headers=headers)


def discover_jwks_url(issuer: str, timeout: float = TIMEOUT_SECONDS) -> str:
    """The `jwks_uri` of the issuer's OpenID configuration."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            document = json.load(response)
    except (OSError, http.client.HTTPException, ValueError) as error:  # ValueError: not JSON
        raise IssuerUnavailable(f"{url}: {error}") from None
    jwks_url = document.get("jwks_uri") if isinstance(document, dict) else None
    if not isinstance(jwks_url, str):
        raise IssuerUnavailable(f"{url}: no jwks_uri in it")
    return jwks_url


def _meant_for(claims: dict[str, Any], audience: str) -> bool:
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    return audience in audiences or ("aud" not in claims and claims.get("client_id") == audience)


def _well_formed(token: str) -> tuple[str, dict[str, Any]]:
    """The key id and the (unverified) claims of a JWT; 401 when it is not one."""
    if len(token) > MAX_TOKEN_CHARACTERS:
        raise unauthorized("invalid token: longer than any JWT this API accepts")
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise unauthorized(f"invalid token: {error}") from None
    if header.get("alg") not in ALGORITHMS:
        raise unauthorized(f"invalid token: not signed with {', '.join(ALGORITHMS)}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise unauthorized("invalid token: no key id (kid) in its header")
    return kid, claims


class TokenVerifier:
    """An `Identify` that verifies the request's bearer token and returns its subject.

    When the issuer's keys cannot be had, every request answers 503 at once for
    ``retry_after`` seconds, then the keys are asked for again.
    """

    def __init__(
        self,
        issuer: str,
        audience: str,
        jwks_url: str | None = None,
        *,
        timeout: float = TIMEOUT_SECONDS,
        retry_after: float = RETRY_AFTER_SECONDS,
    ):
        self.issuer = issuer
        self.audience = audience
        self._jwks_url = jwks_url
        self._timeout = timeout
        self._retry_after = retry_after
        self._keys: jwt.PyJWKClient | None = None
        self._outage: tuple[float, str] | None = None  # (until, reason)
        self._lock = threading.Lock()

    def _unreachable(self, reason: str) -> ProblemError:
        detail = f"the token issuer {self.issuer} cannot be reached ({reason})"
        return unavailable(detail, retry_after=self._retry_after)

    def _key_set(self) -> jwt.PyJWKClient:
        """The client of the issuer's keys, with the keys fetched (kept KEYS_LIFESPAN)."""
        with self._lock:
            if self._outage and time.monotonic() < self._outage[0]:
                raise self._unreachable(self._outage[1])
            try:
                if self._keys is None:
                    url = self._jwks_url or discover_jwks_url(self.issuer, self._timeout)
                    self._keys = jwt.PyJWKClient(url, lifespan=KEYS_LIFESPAN, timeout=self._timeout)
                self._keys.get_signing_keys()
            except (IssuerUnavailable, jwt.PyJWTError, ValueError) as error:
                self._outage = (time.monotonic() + self._retry_after, str(error))
                raise self._unreachable(str(error)) from None
            self._outage = None
            return self._keys

    def _signing_key(self, kid: str) -> jwt.PyJWK:
        """The issuer's key ``kid``: 503 when the issuer's keys cannot be had, 401 when they
        do not include it."""
        keys = self._key_set()
        try:
            # A kid not among them fetches the keys again, at most every 30 s.
            return keys.get_signing_key(kid)
        except (jwt.PyJWKClientConnectionError, jwt.PyJWKSetError, ValueError) as error:
            raise self._unreachable(str(error)) from None
        except jwt.PyJWKClientError as error:
            raise unauthorized(f"invalid token: {error}") from None

    def __call__(self, request: Request) -> str:
        if not self.issuer:
            raise unavailable("no token issuer is configured: set JWT_ISSUER (or jwt_issuer)")
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise unauthorized("missing bearer token")
        kid, unverified = _well_formed(token)
        if unverified.get("iss") != self.issuer:
            raise unauthorized(f"invalid token: not issued by {self.issuer}")
        try:
            claims = jwt.decode(
                token,
                self._signing_key(kid).key,
                algorithms=ALGORITHMS,
                issuer=self.issuer,
                options={"require": ["exp", "iss", "sub"], "verify_aud": False},
            )
        except jwt.PyJWTError as error:
            raise unauthorized(f"invalid token: {error}") from None
        if not _meant_for(claims, self.audience):
            raise unauthorized("invalid token: not meant for this audience")
        if not is_user_id(claims["sub"]):
            raise unauthorized("invalid token: its subject (sub) is not a user id")
        return claims["sub"]
