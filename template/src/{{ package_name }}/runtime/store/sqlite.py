"""SQLite job store for local runs and tests (WAL mode, one connection per thread).

``synchronous=NORMAL``: in WAL mode a commit then writes the log without waiting for the
disk, which keeps a job's writes to a fraction of a millisecond; the database stays
consistent, and a power cut (not a crash of the process) may lose the last commits.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

from ..records import AgentResult, Job, JobStatus, utcnow

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    job_type TEXT NOT NULL,
    status TEXT NOT NULL,
    input TEXT NOT NULL,
    error TEXT,
    steps TEXT NOT NULL DEFAULT '[]',
    attempt INTEGER NOT NULL DEFAULT 0,
    lease_until TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    completed_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_user ON jobs (user_id, created_at DESC, id DESC);
CREATE TABLE IF NOT EXISTS agent_results (
    job_id TEXT NOT NULL REFERENCES jobs (id),
    agent TEXT NOT NULL,
    status TEXT NOT NULL,
    output TEXT,
    error TEXT,
    duration_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    tokens INTEGER NOT NULL,
    cost_usd REAL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (job_id, agent)
);
"""
# Columns added since a table was first created: added to a local database that lacks them.
ADDED_COLUMNS = {"agent_results": {"cost_usd": "REAL"}}


def _time(value: datetime | None) -> str | None:
    return value.isoformat(timespec="microseconds") if value else None


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _job(row: sqlite3.Row) -> Job:
    return Job(
        id=row["id"],
        user_id=row["user_id"],
        job_type=row["job_type"],
        status=row["status"],
        input=json.loads(row["input"]),
        error=row["error"],
        steps=json.loads(row["steps"]),
        attempt=row["attempt"],
        lease_until=_parse_time(row["lease_until"]),
        created_at=_parse_time(row["created_at"]),
        started_at=_parse_time(row["started_at"]),
        completed_at=_parse_time(row["completed_at"]),
        updated_at=_parse_time(row["updated_at"]),
    )


class SqliteStore:
    def __init__(self, path: str | Path):
        self.path = str(path)
        self._local = threading.local()
        with self._connection() as db:
            db.executescript(SCHEMA)
            for table, columns in ADDED_COLUMNS.items():
                present = {row["name"] for row in db.execute(f"PRAGMA table_info({table})")}
                for column, kind in columns.items():
                    if column not in present:
                        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def _connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA busy_timeout=30000")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    def create_job(self, job: Job) -> None:
        self._connection().execute(
            "INSERT INTO jobs (id, user_id, job_type, status, input, error, steps, attempt,"
            " lease_until, created_at, started_at, completed_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                job.id,
                job.user_id,
                job.job_type,
                job.status,
                json.dumps(job.input),
                job.error,
                json.dumps(job.steps),
                job.attempt,
                _time(job.lease_until),
                _time(job.created_at),
                _time(job.started_at),
                _time(job.completed_at),
                _time(job.updated_at),
            ),
        )

    def get_job(self, job_id: str) -> Job | None:
        row = self._connection().execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row) if row else None

    def list_jobs(
        self,
        user_id: str,
        *,
        status: JobStatus | None = None,
        limit: int = 20,
        before: tuple[datetime, str] | None = None,
    ) -> list[Job]:
        sql = "SELECT * FROM jobs WHERE user_id = ?"
        params: list = [user_id]
        if status:
            sql += " AND status = ?"
            params.append(status)
        if before:
            sql += " AND (created_at < ? OR (created_at = ? AND id < ?))"
            params += [_time(before[0]), _time(before[0]), before[1]]
        sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
        params.append(limit)
        return [_job(row) for row in self._connection().execute(sql, params)]

    def claim_job(
        self, job_id: str, *, lease_until: datetime, now: datetime, take_over: bool = False
    ) -> Job | None:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            changed = db.execute(
                "UPDATE jobs SET status = 'running', attempt = attempt + 1, lease_until = ?,"
                " started_at = COALESCE(started_at, ?), updated_at = ?"
                " WHERE id = ? AND (status = 'pending' OR (status = 'running'"
                " AND (? OR lease_until IS NULL OR lease_until < ?)))",
                (_time(lease_until), _time(now), _time(now), job_id, take_over, _time(now)),
            ).rowcount
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return _job(row) if changed else None

    def renew_lease(self, job_id: str, *, attempt: int, lease_until: datetime) -> bool:
        cursor = self._connection().execute(
            "UPDATE jobs SET lease_until = ?, updated_at = ?"
            " WHERE id = ? AND attempt = ? AND status = 'running'",
            (_time(lease_until), _time(utcnow()), job_id, attempt),
        )
        return cursor.rowcount == 1

    def save_steps(self, job_id: str, *, attempt: int, steps: list[dict]) -> bool:
        cursor = self._connection().execute(
            "UPDATE jobs SET steps = ?, updated_at = ?"
            " WHERE id = ? AND attempt = ? AND status = 'running'",
            (json.dumps(steps), _time(utcnow()), job_id, attempt),
        )
        return cursor.rowcount == 1

    def finish_job(
        self, job_id: str, *, attempt: int, status: JobStatus, error: str | None
    ) -> bool:
        now = _time(utcnow())
        cursor = self._connection().execute(
            "UPDATE jobs SET status = ?, error = ?, lease_until = NULL, completed_at = ?,"
            " updated_at = ? WHERE id = ? AND attempt = ? AND status = 'running'",
            (status, error, now, now, job_id, attempt),
        )
        return cursor.rowcount == 1

    def put_result(self, result: AgentResult, *, claim: int | None = None) -> bool:
        # One statement: SQLite takes the write lock before it checks the claim.
        cursor = self._connection().execute(
            "INSERT INTO agent_results (job_id, agent, status, output, error, duration_ms,"
            " attempts, tokens, cost_usd, created_at) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
            " WHERE ? IS NULL OR EXISTS (SELECT 1 FROM jobs"
            " WHERE id = ? AND attempt = ? AND status = 'running')"
            " ON CONFLICT (job_id, agent) DO UPDATE SET status = excluded.status,"
            " output = excluded.output, error = excluded.error,"
            " duration_ms = excluded.duration_ms, attempts = excluded.attempts,"
            " tokens = excluded.tokens, cost_usd = excluded.cost_usd,"
            " created_at = excluded.created_at",
            (
                result.job_id,
                result.agent,
                result.status,
                json.dumps(result.output) if result.output is not None else None,
                result.error,
                result.duration_ms,
                result.attempts,
                result.tokens,
                result.cost_usd,
                _time(result.created_at),
                claim,
                result.job_id,
                claim,
            ),
        )
        return cursor.rowcount == 1

    def get_results(self, job_id: str) -> dict[str, AgentResult]:
        rows = self._connection().execute(
            "SELECT * FROM agent_results WHERE job_id = ? ORDER BY created_at", (job_id,)
        )
        return {
            row["agent"]: AgentResult(
                job_id=row["job_id"],
                agent=row["agent"],
                status=row["status"],
                output=json.loads(row["output"]) if row["output"] is not None else None,
                error=row["error"],
                duration_ms=row["duration_ms"],
                attempts=row["attempts"],
                tokens=row["tokens"],
                cost_usd=row["cost_usd"],
                created_at=_parse_time(row["created_at"]),
            )
            for row in rows
        }

    def migrate(self) -> str:
        return f"{self.path}: SQLite creates its tables when the store opens"
