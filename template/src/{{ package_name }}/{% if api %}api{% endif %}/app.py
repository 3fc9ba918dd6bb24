"""The API's routes around a job store, a way to queue jobs and a way to identify callers,
so that one app serves in Lambda (`handler.py`) and locally (`local.py`).

No `from __future__ import annotations` here: FastAPI reads the routes' annotations, and the
`User` dependency is local to `create_app`."""

import json
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request, Response, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPBearer

from .. import config
from ..inputs import InvalidInput, json_schema
from ..runtime.jobs import create_job, job_view
from ..runtime.records import JobStatus
from ..runtime.store import JobStore
from . import cursor, problems
from .auth import Identify
from .problems import Problem, ProblemError, invalid_fields
from .schemas import Health, JobPage, JobView

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_PAGE = 100

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
    # Each problem reads "input.<field>: <message>".
    return invalid_fields([tuple(problem.split(": ", 1)) for problem in error.problems])


async def _read_body(request: Request, limit: int) -> bytes:
    too_large = ProblemError(
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the body is larger than {limit} bytes"
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
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
    max_body_bytes: int = MAX_BODY_BYTES,
) -> FastAPI:
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

    def accept(raw_input: Any, user: str) -> dict[str, Any]:
        """Store the job and queue it; its view as accepted, before it can start."""
        job = create_job(store, raw_input, user_id=user)
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
            BAD_REQUEST="The body is not JSON",
            UNAUTHORIZED="No valid bearer token",
            REQUEST_ENTITY_TOO_LARGE=f"The body is larger than {max_body_bytes} bytes",
            UNPROCESSABLE_ENTITY="The input does not match agents.yaml (names each field)",
            SERVICE_UNAVAILABLE="The job could not be queued (it is stored as failed)",
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
        body = await _read_body(request, max_body_bytes)
        try:
            raw_input = json.loads(body)
        except ValueError as error:
            raise ProblemError(HTTPStatus.BAD_REQUEST, f"the body is not JSON: {error}") from None
        try:
            view = await run_in_threadpool(accept, raw_input, user)
        except InvalidInput as error:
            raise _input_problems(error) from None
        response.headers["Location"] = f"/jobs/{view['job_id']}"
        return view

    @app.get(
        "/jobs/{job_id}",
        response_model=JobView,
        tags=["jobs"],
        responses=_problems(UNAUTHORIZED="No valid bearer token", NOT_FOUND="No such job of yours"),
    )
    def get_job(job_id: str, user: User) -> dict[str, Any]:
        """The job's status, the steps that ran and each agent's result."""
        job = store.get_job(job_id)
        if job is None or job.user_id != user:
            raise ProblemError(HTTPStatus.NOT_FOUND, f"no job {job_id}")
        return job_view(store, job)

    @app.get(
        "/jobs",
        tags=["jobs"],
        responses=_problems(
            UNAUTHORIZED="No valid bearer token", UNPROCESSABLE_ENTITY="Names the bad parameter"
        ),
    )
    def list_jobs(
        user: User,
        status: JobStatus | None = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
        page_cursor: Annotated[str | None, Query(alias="cursor")] = None,
    ) -> JobPage:
        """Your jobs, newest first; pass `next_cursor` back as `cursor` for the next page."""
        try:
            before = cursor.decode(page_cursor) if page_cursor else None
        except cursor.BadCursor:
            raise invalid_fields([("cursor", "not a cursor this API returned")]) from None
        jobs = store.list_jobs(user, status=status, limit=limit + 1, before=before)
        page = jobs[:limit]
        return JobPage(
            jobs=[JobView.model_validate(job_view(store, job)) for job in page],
            next_cursor=cursor.encode(page[-1]) if len(jobs) > limit else None,
        )

    return app
