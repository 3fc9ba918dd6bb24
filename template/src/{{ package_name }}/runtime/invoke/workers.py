"""Which workers a run calls: their Lambda functions when deployed, else this process."""

from __future__ import annotations

import json
import os

from ..settings import Settings
from ..store import JobStore
from . import Invoke
from .local import in_process


def worker_invoker(store: JobStore, settings: Settings) -> Invoke:
    """The workers' Lambda functions named by WORKER_FUNCTIONS, else this process."""
    if functions := os.environ.get("WORKER_FUNCTIONS"):
        from .lambda_functions import lambda_invoker

        return lambda_invoker(store, json.loads(functions), region=settings.aws_region)
    return in_process(store, settings)
