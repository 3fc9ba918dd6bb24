"""JSON logs to stderr that carry the job and agent ids of the code that logs them."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_fields: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "log_fields", default=None
)


@contextmanager
def log_context(**fields: str) -> Iterator[None]:
    """Attach ``fields`` (job_id, agent, ...) to every log record in this context."""
    token = _fields.set({**(_fields.get() or {}), **fields})
    try:
        yield
    finally:
        _fields.reset(token)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **(_fields.get() or {}),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "LiteLLM", "openai", "botocore", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
