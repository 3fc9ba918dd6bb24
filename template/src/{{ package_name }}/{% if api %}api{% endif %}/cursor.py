"""The opaque page cursor of `GET /jobs`: the (created_at, id) of the last job shown."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from ..runtime.records import Job


class BadCursor(ValueError):
    """A cursor this API did not hand out."""


def encode(job: Job) -> str:
    position = json.dumps([job.created_at.isoformat(), job.id])
    return base64.urlsafe_b64encode(position.encode()).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, job_id = json.loads(raw)
        return datetime.fromisoformat(created_at), str(job_id)
    except (binascii.Error, UnicodeDecodeError, TypeError, ValueError) as error:
        raise BadCursor(cursor) from error
