"""The finance preset's code where it reads AWS, on moto's server: the knowledge base in the
data bucket (as the deployed reporter reads it) and the Polygon key in Secrets Manager (as the
deployed tagger reads it)."""

from __future__ import annotations

import importlib.util
import socket
import sys
from pathlib import Path

import boto3
import pytest
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from moto.server import ThreadedMotoServer

from .conftest import render

PACKAGE = Path(__file__).resolve().parent.parent / "presets/finance/package"
MODULE = PACKAGE / "finance/knowledge.py"
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
def moto_endpoint(monkeypatch):
    """A moto server on a free port, with the environment pointing every AWS client at it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for name, value in {**FAKE_AWS, "AWS_ENDPOINT_URL": endpoint}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    yield endpoint
    server.stop()


@pytest.fixture
def s3(moto_endpoint):
    return boto3.client("s3", endpoint_url=moto_endpoint)


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


@pytest.fixture(scope="module")
def prices(tmp_path_factory):
    """finance.prices of a rendered finance project, with its settings and secrets modules."""
    project = render(tmp_path_factory.mktemp("finance") / "app")
    source = str(project / "src")
    sys.path.insert(0, source)
    try:
        yield importlib.import_module("agents_app.finance.prices")
    finally:
        sys.path.remove(source)
        for name in [name for name in sys.modules if name.startswith("agents_app")]:
            del sys.modules[name]


@pytest.fixture
def secrets(moto_endpoint, monkeypatch):
    monkeypatch.delenv("POLYGON_API_KEY", raising=False)
    return boto3.client("secretsmanager", endpoint_url=moto_endpoint)


def test_without_polygon_s_url_prices_come_from_the_reference_data(secrets, prices, monkeypatch):
    monkeypatch.delenv("EXTERNAL_API_POLYGON_URL", raising=False)

    assert prices.polygon() is None
    found, source = prices.prices(["SPY"])
    assert source.startswith("reference data of ") and found["SPY"] > 0


def test_a_polygon_key_secret_that_does_not_exist_is_an_error(secrets, prices, monkeypatch):
    missing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-dev/external-api/polygon"
    monkeypatch.setenv("EXTERNAL_API_POLYGON_URL", "https://api.polygon.io")
    monkeypatch.delenv("EXTERNAL_API_POLYGON_KEY", raising=False)
    monkeypatch.setenv("EXTERNAL_API_POLYGON_KEY_SECRET", missing)

    with pytest.raises(GetParameterError, match="can't find the specified secret"):
        prices.polygon()
