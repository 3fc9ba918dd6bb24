"""`make serve`'s development issuer, for a machine without an identity provider.

When JWT_ISSUER is not set, `local.py` makes one: an RSA key created for this process, its
JWKS at `/dev-issuer/jwks.json`, and a sign-in at `/dev-issuer/token` that signs a token
for whatever user name it is given. Anyone who can reach the server can be anyone, so it
is for development only: only `local.py` imports this module, the Lambda package leaves it
out (scripts/package.py), and the deployed API's authorizer accepts only its https://
issuer, never this http://127.0.0.1 one.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Body, FastAPI

from ..gate import is_user_id
from .problems import invalid_fields

PATH = "/dev-issuer"
TOKEN_LIFETIME = 8 * 3600


class DevelopmentIssuer:
    """Signs tokens for any user name with a key that lives as long as the process."""

    def __init__(self, base_url: str, audience: str):
        self.issuer = base_url.rstrip("/") + PATH
        self.jwks_url = self.issuer + "/jwks.json"
        self.audience = audience
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._key_id = secrets.token_hex(8)

    def token(self, user: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": user,
            "aud": self.audience,
            "iat": now,
            "exp": now + TOKEN_LIFETIME,
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._key_id})

    def jwks(self) -> dict[str, Any]:
        key = jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {"keys": [{**key, "kid": self._key_id, "use": "sig", "alg": "RS256"}]}

    def install(self, app: FastAPI) -> None:
        """Serve the issuer's OpenID configuration, its keys and the sign-in on ``app``."""

        @app.get(PATH + "/.well-known/openid-configuration", include_in_schema=False)
        def openid_configuration() -> dict[str, Any]:
            return {"issuer": self.issuer, "jwks_uri": self.jwks_url}

        @app.get(PATH + "/jwks.json", include_in_schema=False)
        def jwks() -> dict[str, Any]:
            return self.jwks()

        @app.post(PATH + "/token", include_in_schema=False)
        def sign_in(user: str = Body(embed=True)) -> dict[str, Any]:
            """A token for ``user``, whoever asks: development only."""
            if not is_user_id(user) or not user.strip():
                raise invalid_fields([("user", "1 to 256 characters, no control character")])
            return {"access_token": self.token(user), "token_type": "Bearer"}
