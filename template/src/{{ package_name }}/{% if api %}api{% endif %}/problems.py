"""Errors as problem-details JSON (RFC 9457): a status, a title, and the fields at fault."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

MEDIA_TYPE = "application/problem+json"


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] = []


class ProblemError(Exception):
    """Raised by the routes to answer with a problem."""

    def __init__(
        self,
        status: HTTPStatus,
        detail: str,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.problem = Problem(
            title=status.phrase, status=status, detail=detail, errors=errors or []
        )
        self.headers = headers


def invalid_fields(
    problems: list[tuple[str, str]], status: HTTPStatus = HTTPStatus.UNPROCESSABLE_ENTITY
) -> ProblemError:
    """A problem (422 unless told) naming each (field, message)."""
    errors = [FieldError(field=field, message=message) for field, message in problems]
    detail = "; ".join(f"{error.field}: {error.message}" for error in errors)
    return ProblemError(status, detail, errors)


def _response(error: ProblemError) -> JSONResponse:
    return JSONResponse(
        error.problem.model_dump(),
        status_code=error.problem.status,
        headers=error.headers,
        media_type=MEDIA_TYPE,
    )


def _document_media_type(app: FastAPI) -> None:
    """FastAPI documents a response model under application/json; problems come as MEDIA_TYPE
    (the routes mark those responses with an empty MEDIA_TYPE entry)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        document = generate()
        for path in document["paths"].values():
            for operation in path.values():
                for response in operation["responses"].values():
                    content = response.get("content", {})
                    if MEDIA_TYPE in content and "application/json" in content:
                        content[MEDIA_TYPE] = content.pop("application/json")
        return document

    app.openapi = openapi


def install(app: FastAPI) -> None:
    """Answer every error of ``app`` with a problem, never with a stack trace."""
    _document_media_type(app)

    @app.exception_handler(ProblemError)
    async def problem(request: Request, error: ProblemError) -> JSONResponse:
        return _response(error)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        return _response(
            invalid_fields(
                [(".".join(str(part) for part in e["loc"][1:]), e["msg"]) for e in error.errors()]
            )
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        status = HTTPStatus(error.status_code)
        detail = error.detail if isinstance(error.detail, str) else status.phrase
        return _response(ProblemError(status, detail, headers=error.headers))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        # Starlette still re-raises the error after this answer, for the server to log it.
        return _response(ProblemError(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error"))
