"""The opaque page cursor of `GET /jobs`: the (created_at, id) of the last job shown."""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime

from ..gate import is_job_id
from ..runtime.records import Job

# Unpadded URL-safe base64 of at most 192 bytes: more than any cursor this API hands out.
_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")


class BadCursor(ValueError):
    """A cursor this API did not hand out."""


def encode(job: Job) -> str:
    position = json.dumps([job.created_at.isoformat(), job.id])
    return base64.urlsafe_b64encode(position.encode()).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, str]:
    """The position of ``cursor``, its shape checked before it is decoded."""
    if not _SHAPE.fullmatch(cursor):
        raise BadCursor(cursor)
    try:
        created_at, job_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        position = datetime.fromisoformat(created_at)
        utc = position.astimezone(UTC) if position.tzinfo else None
    except (binascii.Error, UnicodeDecodeError, TypeError, ValueError, OverflowError) as error:
        raise BadCursor(cursor) from error
    if utc is None or not is_job_id(job_id):
        raise BadCursor(cursor)
    return utc, job_id
