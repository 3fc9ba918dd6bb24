"""Open the job store the settings name."""

from __future__ import annotations

from pathlib import Path

from .settings import Settings
from .sqlite_store import SqliteStore
from .store import JobStore


def open_store(settings: Settings) -> JobStore:
    if settings.store == "sqlite":
        Path(settings.sqlite_path).parent.mkdir(parents=True, exist_ok=True)
        return SqliteStore(settings.sqlite_path)
    raise ValueError(f"JOB_STORE={settings.store!r} is not a store of this project (sqlite)")
