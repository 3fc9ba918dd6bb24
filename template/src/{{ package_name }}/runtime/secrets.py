"""Secrets from AWS Secrets Manager, read once per container and cached."""

from __future__ import annotations

import os
from functools import cache


@cache
def secret_value(secret_id: str) -> str:
    """The secret string of ``secret_id`` (name or ARN), fetched once."""
    from aws_lambda_powertools.utilities import parameters

    return parameters.get_secret(secret_id, max_age=3600)


def env_or_secret(name: str) -> str | None:
    """``name`` from the environment, or from the secret named by ``<name>_SECRET``."""
    if value := os.environ.get(name):
        return value
    if secret_id := os.environ.get(f"{name}_SECRET"):
        return secret_value(secret_id)
    return None
