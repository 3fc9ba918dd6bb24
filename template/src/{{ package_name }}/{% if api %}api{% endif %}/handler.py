"""The API's Lambda entry point, behind API Gateway's HTTP API and its JWT authorizer."""

from __future__ import annotations

from mangum import Mangum

from ..runtime.queue import enqueue
from ..runtime.settings import get_settings
from ..runtime.store.open import open_store
from ..runtime.telemetry.logs import configure_logging
from .app import create_app
from .auth import authorizer_subject
from .problems import MEDIA_TYPE
from .web import SignIn

configure_logging()

app = create_app(
    open_store(get_settings()),
    enqueue=enqueue,
    identify=authorizer_subject,
    sign_in=SignIn.from_environment(),
)
handler = Mangum(app, lifespan="off", text_mime_types=["application/json", MEDIA_TYPE, "text/"])
