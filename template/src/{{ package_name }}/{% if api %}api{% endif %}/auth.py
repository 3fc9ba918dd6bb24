"""Who is calling: the subject (`sub`) of a verified JWT is the user id.

Deployed, API Gateway's JWT authorizer verifies the token before the Lambda runs, and the
claims arrive in the event. Locally, `tokens.TokenVerifier` verifies the token itself.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from fastapi import Request

from ..gate import is_user_id
from .problems import ProblemError

# The caller's user id, from a request; raises `unauthorized(...)` when there is none.
Identify = Callable[[Request], str]


def unauthorized(reason: str) -> ProblemError:
    return ProblemError(
        HTTPStatus.UNAUTHORIZED,
        reason,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def authorizer_subject(request: Request) -> str:
    """The user id from the claims API Gateway's JWT authorizer verified (Lambda only)."""
    event = request.scope.get("aws.event") or {}
    claims = event.get("requestContext", {}).get("authorizer", {}).get("jwt", {}).get("claims", {})
    subject = claims.get("sub")
    if not subject:
        raise unauthorized("no verified token")
    if not is_user_id(subject):
        raise unauthorized("invalid token: its subject (sub) is not a user id")
    return subject
