"""The finance preset's knowledge base read from a bucket, as the deployed reporter reads it:
the notes under `knowledge/` of DATA_BUCKET, on moto's S3 server."""

from __future__ import annotations

import importlib.util
import socket
import sys
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

MODULE = Path(__file__).resolve().parent.parent / "presets/finance/package/finance/knowledge.py"
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def load_knowledge():
    spec = importlib.util.spec_from_file_location("finance_knowledge", MODULE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def s3(monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for name, value in {**FAKE_AWS, "AWS_ENDPOINT_URL": endpoint}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    yield boto3.client("s3", endpoint_url=endpoint)
    server.stop()


def test_the_reporter_reads_the_notes_of_the_bucket(s3, monkeypatch):
    s3.create_bucket(Bucket="data")
    notes = {
        "knowledge/bonds.md": "# Bonds\n\nDuration measures how bond prices move with rates.",
        "knowledge/equities.md": "# Equities\n\nEquities grow with earnings.",
        "knowledge/README.md": "# The knowledge base\n\nDuration duration duration.",
        "elsewhere/duration.md": "Duration, not a note of the knowledge base.",
    }
    for key, text in notes.items():
        s3.put_object(Bucket="data", Key=key, Body=text.encode())
    monkeypatch.setenv("DATA_BUCKET", "data")
    knowledge = load_knowledge()

    index = knowledge.knowledge_base()

    assert {p.source for p in index.passages} == {"bonds.md", "equities.md"}
    [found] = knowledge.market_insights("bond duration")
    assert (found.source, found.heading) == ("bonds.md", "Bonds")
