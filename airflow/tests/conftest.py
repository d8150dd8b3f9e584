"""Test set-up: a private AIRFLOW_HOME (SQLite) before Airflow is imported, and the fake api."""
from __future__ import annotations

import json
import os
import shutil
import tempfile

_HOME = tempfile.mkdtemp(prefix="kindling-airflow-test-")
os.environ.setdefault("AIRFLOW_HOME", _HOME)
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")

import pytest  # noqa: E402

from tests.fake_api import FakeKindling  # noqa: E402
from tests.token_endpoint import TokenEndpoint  # noqa: E402


def pytest_unconfigure(config):
    """Removes the private AIRFLOW_HOME once the run has ended."""
    shutil.rmtree(_HOME, ignore_errors=True)


@pytest.fixture
def fake():
    server = FakeKindling().start()
    yield server
    server.stop()


@pytest.fixture
def token_endpoint():
    """An OAuth 2.0 token endpoint on loopback (client ``kindling-airflow``, secret ``app-secret``)."""
    server = TokenEndpoint().start()
    yield server
    server.stop()


@pytest.fixture
def kindling_conn(fake, monkeypatch):
    """A ``kindling_default`` connection (from the environment) pointing at the fake api."""
    host, port = fake.url.removeprefix("http://").split(":")
    monkeypatch.setenv("AIRFLOW_CONN_KINDLING_DEFAULT", json.dumps(
        {"conn_type": "kindling", "host": host, "port": int(port), "schema": "http", "password": "s3cret",
         "extra": {"retries": 2, "backoff": 0.01}}))
    return fake
