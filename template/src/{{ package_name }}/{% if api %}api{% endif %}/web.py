"""The web console: a page at `/`, its assets under `/console/<version>/`, and at
`/console/config.json` the way it signs in and whether it can follow a job as a stream.

The assets are versioned by a hash of their bytes, so a browser may keep them for a year: a
new release changes the version, and the page (never cached) names the new one. The page
carries a Content-Security-Policy that lets only these assets run, whatever an agent's
output holds.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response

from .. import config
from .problems import ProblemError

FILES = Path(__file__).parent / "console"
MEDIA_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
}
ASSETS_PLACEHOLDER = "__ASSETS__"
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"


@dataclass(frozen=True)
class SignIn:
    """How the console gets a token: from ``issuer`` through the authorization-code flow with
    PKCE as OAuth client ``client_id``, or, with ``development``, from `make serve`'s
    development issuer by user name."""

    issuer: str
    audience: str
    client_id: str = ""
    development: bool = False

    @classmethod
    def from_environment(cls) -> SignIn:
        """The issuer, audience and client of JWT_ISSUER, JWT_AUDIENCE and JWT_CLIENT_ID (the
        answers by default): never the development issuer."""
        return cls(
            issuer=os.environ.get("JWT_ISSUER", config.JWT_ISSUER),
            audience=os.environ.get("JWT_AUDIENCE", config.JWT_AUDIENCE),
            client_id=os.environ.get("JWT_CLIENT_ID", config.JWT_CLIENT_ID),
        )


def _assets() -> dict[str, bytes]:
    """The files the console serves, by path under FILES (licenses and notes stay out)."""
    return {
        path.relative_to(FILES).as_posix(): path.read_bytes()
        for path in sorted(FILES.rglob("*"))
        if path.suffix in MEDIA_TYPES and path.is_file()
    }


def _version(assets: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name, content in assets.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()[:16]


def _content_security_policy(sign_in: SignIn) -> str:
    """Scripts, styles and images of this origin only; fetches to this origin, and to the
    identity provider for its discovery document and token endpoint."""
    issuer = urlsplit(sign_in.issuer)
    provider = f" {issuer.scheme}://{issuer.netloc} https:" if not sign_in.development else ""
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'{provider}; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )


def install(app: FastAPI, sign_in: SignIn, *, stream: bool = False) -> None:
    """Serve the console on ``app`` (same origin as the API, so no CORS); with ``stream``, the
    console follows a job through `/jobs/{job_id}/events` rather than by polling."""
    assets = _assets()
    version = _version(assets)
    page = (FILES / "index.html").read_text().replace(ASSETS_PLACEHOLDER, f"/console/{version}")
    page_headers = {
        "Cache-Control": NO_CACHE,
        "Content-Security-Policy": _content_security_policy(sign_in),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }

    @app.get("/", include_in_schema=False)
    def console_page() -> Response:
        return Response(page, media_type="text/html; charset=utf-8", headers=page_headers)

    @app.get("/console/config.json", include_in_schema=False)
    def console_config() -> JSONResponse:
        settings = {**asdict(sign_in), "stream": stream}
        return JSONResponse(settings, headers={"Cache-Control": NO_CACHE})

    @app.get("/console/{asset_version}/{name:path}", include_in_schema=False)
    def console_asset(asset_version: str, name: str) -> Response:
        content = assets.get(name)
        if content is None or asset_version != version:
            # An old page asking for assets of another release: it must be reloaded.
            raise ProblemError(HTTPStatus.NOT_FOUND, f"no console asset {name} in this release")
        return Response(
            content,
            media_type=MEDIA_TYPES[Path(name).suffix],
            headers={"Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff"},
        )
