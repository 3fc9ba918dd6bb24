"""Serve the API here (`make serve`): the configured store (SQLite unless told otherwise), jobs
run in-process in the background, and tokens verified by the app itself: tokens of
JWT_ISSUER, or, when none is set, of a development issuer made for this process."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from concurrent.futures import Future
from contextlib import suppress

import uvicorn

from .. import config
from ..orchestrator.run import execute_job
from ..runtime.invoke.local import in_process
from ..runtime.settings import Settings, get_settings
from ..runtime.store import JobStore
from ..runtime.store.open import open_store
from .app import create_app
from .development import DevelopmentIssuer
from .tokens import TokenVerifier
from .web import SignIn

logger = logging.getLogger(__name__)


class BackgroundJobs:
    """Runs queued jobs on an event loop in a thread of its own, a few at a time."""

    def __init__(self, store: JobStore, settings: Settings, *, concurrency: int = 8):
        self._store = store
        self._invoke = in_process(store, settings)
        self._slots = asyncio.Semaphore(concurrency)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="jobs", daemon=True)
        self._thread.start()

    def enqueue(self, job_id: str) -> Future[None]:
        return asyncio.run_coroutine_threadsafe(self._run(job_id), self._loop)

    async def _run(self, job_id: str) -> None:
        async with self._slots:
            try:
                await execute_job(self._store, job_id, self._invoke)
            except Exception:
                logger.exception("job stopped by an error", extra={"fields": {"job_id": job_id}})

    def close(self) -> None:
        """Stop; a job still running keeps its lease, and stays `running` in the store."""
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()


def verifier_from_environment() -> TokenVerifier:
    """Tokens of JWT_ISSUER for JWT_AUDIENCE (the answers by default); JWT_JWKS_URL, when
    set, replaces the issuer's OpenID discovery."""
    return TokenVerifier(
        issuer=os.environ.get("JWT_ISSUER", config.JWT_ISSUER),
        audience=os.environ.get("JWT_AUDIENCE", config.JWT_AUDIENCE),
        jwks_url=os.environ.get("JWT_JWKS_URL") or None,
    )


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on ``host`` (a name, an IPv4 or an IPv6 address) and ``port``;
    OSError when the address is unknown or taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family)


def serve(listener: socket.socket, host: str) -> None:
    """Serve the API on ``listener``, the socket ``listen`` opened on ``host``."""
    port = listener.getsockname()[1]
    settings = get_settings()
    store = open_store(settings)
    jobs = BackgroundJobs(store, settings)
    verifier = verifier_from_environment()
    sign_in = SignIn.from_environment()
    development = None
    if not verifier.issuer:
        # The server fetches the development issuer's keys from itself.
        own_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        own_host = f"[{own_host}]" if ":" in own_host else own_host  # an IPv6 address
        development = DevelopmentIssuer(f"http://{own_host}:{port}", verifier.audience)
        verifier = TokenVerifier(development.issuer, verifier.audience, development.jwks_url)
        sign_in = SignIn(development.issuer, verifier.audience, development=True)
    app = create_app(store, enqueue=jobs.enqueue, identify=verifier, sign_in=sign_in, stream=True)
    if development:
        development.install(app)
    tokens = (
        "development sign-in (no JWT_ISSUER set): any user name gets a token"
        if development
        else f"tokens of {verifier.issuer} for {verifier.audience}"
    )
    print(
        f"serving the console at http://{host}:{port} (API docs at /docs) on the"
        f" {settings.store} store; {tokens}",
        flush=True,
    )
    try:
        # Open job streams must not hold a stop (Ctrl-C) until their jobs end.
        server = uvicorn.Server(
            uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2)
        )
        with suppress(KeyboardInterrupt):  # Ctrl-C is how it stops
            server.run(sockets=[listener])
    finally:
        jobs.close()
