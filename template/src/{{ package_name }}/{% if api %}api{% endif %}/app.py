"""The API's routes around a job store, a way to queue jobs and a way to identify callers,
so that one app serves in Lambda (`handler.py`) and locally (`local.py`), with the web
console (`web.py`) at `/`.

No `from __future__ import annotations` here: FastAPI reads the routes' annotations, and the
`User` dependency is local to `create_app`."""

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request, Response, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPBearer

from .. import config, gate
from ..gate import InvalidInput, NotJson, TooLarge
from ..inputs import json_schema
from ..runtime.jobs import MAX_PAGE, create_job, job_view
from ..runtime.records import JobStatus
from ..runtime.store import JobStore
from . import cursor, problems, web
from .auth import Identify
from .problems import Problem, ProblemError, invalid_fields
from .schemas import Health, JobPage, JobView

logger = logging.getLogger(__name__)

ISSUER_UNAVAILABLE = "The token issuer is not configured or cannot be reached"
STREAM_INTERVAL_SECONDS = 0.25
# A page of jobs stops short of `limit` past this size: a Lambda answer holds at most 6 MB.
MAX_PAGE_BYTES = 4 * 1024 * 1024

_bearer = HTTPBearer(auto_error=False, description="A JWT from the identity provider")


def _problems(**described: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for problem answers, e.g. _problems(NOT_FOUND="...")."""
    return {
        HTTPStatus[name].value: {
            "model": Problem,
            "content": {problems.MEDIA_TYPE: {}},
            "description": description,
        }
        for name, description in described.items()
    }


def _input_problems(error: InvalidInput) -> ProblemError:
    """413 for an input too large, 400 for a body that is not JSON, else 422."""
    if isinstance(error, TooLarge):
        return invalid_fields(error.problems, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    if isinstance(error, NotJson):
        return invalid_fields(error.problems, HTTPStatus.BAD_REQUEST)
    return invalid_fields(error.problems)


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused (413) as soon as it is known to be over ``limit`` bytes."""
    too_large = invalid_fields(
        [("input", f"the body is over the {limit // 1024} KiB limit")],
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    )
    declared = request.headers.get("content-length", "")
    # The declared length refuses early; the bytes counted while reading are the rule.
    if declared.isascii() and declared.isdigit() and int(declared[:20]) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)


def create_app(
    store: JobStore,
    *,
    enqueue: Callable[[str], None],
    identify: Identify,
    sign_in: web.SignIn,
    stream: bool = False,
) -> FastAPI:
    """The API; with ``stream``, also `GET /jobs/{job_id}/events` (a server that can stream
    responses: uvicorn can, API Gateway's HTTP APIs cannot)."""
    app = FastAPI(
        title=config.PROJECT_SLUG,
        summary="Submit jobs to the agents, poll them, list your jobs.",
        version="1",
    )
    problems.install(app)

    def caller(request: Request, _token: Annotated[object, Security(_bearer)]) -> str:
        """The caller's user id (the bearer scheme is declared for the OpenAPI document)."""
        return identify(request)

    User = Annotated[str, Depends(caller)]

    def accept(body: bytes, user: str) -> dict[str, Any]:
        """Store the job and queue it; its view as accepted, before it can start."""
        job = create_job(store, gate.parse_json(body), user_id=user)
        view = job_view(store, job)
        try:
            enqueue(job.id)
        except Exception as error:
            logger.exception("could not queue the job", extra={"fields": {"job_id": job.id}})
            store.finish_job(job.id, attempt=0, status="failed", error="could not be queued")
            raise ProblemError(
                HTTPStatus.SERVICE_UNAVAILABLE, "the job could not be queued; try again"
            ) from error
        return view

    @app.get("/health", tags=["service"])
    def health() -> Health:
        return Health()

    @app.post(
        "/jobs",
        status_code=HTTPStatus.ACCEPTED,
        response_model=JobView,
        tags=["jobs"],
        responses=_problems(
            BAD_REQUEST="The body is not UTF-8 JSON",
            UNAUTHORIZED="No valid bearer token",
            REQUEST_ENTITY_TOO_LARGE=(
                f"The body is over {gate.MAX_TEXT_BYTES // 1024} KiB, or the input over"
                f" {gate.MAX_INPUT_BYTES // 1024} KiB as compact JSON (names the largest field)"
            ),
            UNPROCESSABLE_ENTITY=(
                "The input breaks a rule of the input gate or does not match agents.yaml"
                " (names the field)"
            ),
            SERVICE_UNAVAILABLE=f"{ISSUER_UNAVAILABLE}, or the job could not be queued",
        ),
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": json_schema()}},
            }
        },
    )
    async def submit(request: Request, response: Response, user: User) -> dict[str, Any]:
        """Check the job input against agents.yaml, store the job and queue it."""
        body = await _read_body(request, gate.MAX_TEXT_BYTES)
        try:
            view = await run_in_threadpool(accept, body, user)
        except InvalidInput as error:
            raise _input_problems(error) from None
        response.headers["Location"] = f"/jobs/{view['job_id']}"
        return view

    @app.get(
        "/jobs/{job_id}",
        response_model=JobView,
        tags=["jobs"],
        responses=_problems(
            UNAUTHORIZED="No valid bearer token",
            NOT_FOUND="No such job of yours",
            SERVICE_UNAVAILABLE=ISSUER_UNAVAILABLE,
        ),
    )
    def get_job(job_id: str, user: User) -> dict[str, Any]:
        """The job's status, the steps that ran and each agent's result."""
        if not gate.is_job_id(job_id):
            raise ProblemError(HTTPStatus.NOT_FOUND, "no such job: not a job id")
        job = store.get_job(job_id)
        if job is None or job.user_id != user:
            raise ProblemError(HTTPStatus.NOT_FOUND, f"no job {job_id}")
        return job_view(store, job)

    async def changes(
        request: Request, job_id: str, user: str, job: dict[str, Any]
    ) -> AsyncIterator[str]:
        """Server-sent events of the job's view: now, then at each change, until it ends.

        The stream also ends when its client leaves (checked at each poll: a server need not
        cancel a stream that sends nothing), or, logged, when the job cannot be read; the
        console then falls back to polling `GET /jobs/{job_id}`."""
        yield f"data: {json.dumps(job)}\n\n"
        while job["status"] in ("pending", "running"):
            await asyncio.sleep(STREAM_INTERVAL_SECONDS)
            if await request.is_disconnected():
                return
            try:
                latest = await run_in_threadpool(get_job, job_id, user)
            except Exception:
                logger.exception("job stream ended", extra={"fields": {"job_id": job_id}})
                return
            if latest != job:
                job = latest
                yield f"data: {json.dumps(job)}\n\n"

    if stream:

        @app.get(
            "/jobs/{job_id}/events",
            tags=["jobs"],
            response_class=StreamingResponse,
            responses={
                200: {"content": {"text/event-stream": {}}, "description": "The job's views"},
                **_problems(
                    UNAUTHORIZED="No valid bearer token",
                    NOT_FOUND="No such job of yours",
                    SERVICE_UNAVAILABLE=ISSUER_UNAVAILABLE,
                ),
            },
        )
        async def job_events(request: Request, job_id: str, user: User) -> StreamingResponse:
            """The job as server-sent events, each `data:` a view as `GET /jobs/{job_id}`
            answers it: one now, one at each change, until the job ends."""
            job = await run_in_threadpool(get_job, job_id, user)
            return StreamingResponse(
                changes(request, job_id, user, job),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-store"},
            )

    @app.get(
        "/jobs",
        tags=["jobs"],
        responses=_problems(
            UNAUTHORIZED="No valid bearer token",
            UNPROCESSABLE_ENTITY="Names the bad parameter",
            SERVICE_UNAVAILABLE=ISSUER_UNAVAILABLE,
        ),
    )
    def list_jobs(
        user: User,
        status: JobStatus | None = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
        page_cursor: Annotated[str | None, Query(alias="cursor")] = None,
    ) -> JobPage:
        """Your jobs, newest first; pass `next_cursor` back as `cursor` for the next page.

        A page holds at most `limit` jobs, and fewer when their views would pass 4 MiB (a
        job's view holds its input and every agent's output): `next_cursor` then goes on
        from the last job given."""
        try:
            before = cursor.decode(page_cursor) if page_cursor else None
        except cursor.BadCursor:
            raise invalid_fields([("cursor", "not a cursor this API returned")]) from None
        jobs = store.list_jobs(user, status=status, limit=limit + 1, before=before)
        views, size = [], 0
        for job in jobs[:limit]:
            view = JobView.model_validate(job_view(store, job))
            size += len(view.model_dump_json().encode())
            if views and size > MAX_PAGE_BYTES:
                break
            views.append(view)
        more = len(views) < len(jobs)
        return JobPage(
            jobs=views, next_cursor=cursor.encode(jobs[len(views) - 1]) if more else None
        )

    web.install(app, sign_in, stream=stream)
    return app
