"""KindlingSession against a local fake api (a real HTTP server): create, wait for READY, connect, delete."""
from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from kindling_client import KindlingClient, KindlingSession, KindlingSessionError
from kindling_client.sessions import GRPC_ROOTS_ENV


class FakeSessions:
    """``/v1/sessions`` of one session whose GETs answer ``states`` in turn (the last one repeats)."""

    def __init__(self, states: list[str], reason: str | None = None):
        self.states = list(states)
        self.reason = reason
        self.requests: list[tuple[str, str, dict[str, Any] | None, dict[str, str]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                fake.requests.append(("POST", self.path, json.loads(self.rfile.read(length)), dict(self.headers)))
                self._send(201, fake.view("STARTING"))

            def do_GET(self) -> None:
                fake.requests.append(("GET", self.path, None, dict(self.headers)))
                state = fake.states.pop(0) if len(fake.states) > 1 else fake.states[0]
                self._send(200, fake.view(state))

            def do_DELETE(self) -> None:
                fake.requests.append(("DELETE", self.path, None, dict(self.headers)))
                self._send(202, fake.view("ENDED"))

            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def view(self, state: str) -> dict[str, Any]:
        return {"id": "s-1", "state": state, "reason": self.reason if state in ("FAILED", "ENDED") else None,
                "message": "spark-submit failed" if state == "FAILED" else None,
                "connectUrl": "sc://gw.example:15002/;use_ssl=true;x-kindling-session=s-1", "tenant": "default",
                "pool": "analytics", "labels": {}, "idleTimeoutSeconds": 600, "logs": "/v1/jobs/s-1/logs"}

    def deleted(self) -> bool:
        return any(r[0] == "DELETE" for r in self.requests)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakeSpark:
    def __init__(self, url: str):
        self.url = url
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


@pytest.fixture
def restore_grpc_env() -> Iterator[None]:
    before = os.environ.get(GRPC_ROOTS_ENV)
    yield
    if before is None:
        os.environ.pop(GRPC_ROOTS_ENV, None)
    else:
        os.environ[GRPC_ROOTS_ENV] = before


def session(fake: FakeSessions, **kw: Any) -> KindlingSession:
    client = KindlingClient(fake.url, token="t0k", retries=0)
    return KindlingSession(client=client, spark_factory=FakeSpark, sleep=lambda s: None, **kw)


def test_a_session_is_created_awaited_connected_with_the_token_and_deleted(tmp_path, restore_grpc_env):
    fake = FakeSessions(["STARTING", "STARTING", "READY"])
    ca = tmp_path / "ca.pem"
    try:
        with session(fake, pool="analytics", ca_file=ca, idle_timeout_seconds=600,
                     conf={"spark.executor.memory": "1g"}) as spark:
            assert isinstance(spark, FakeSpark)
            assert spark.url == "sc://gw.example:15002/;use_ssl=true;x-kindling-session=s-1;token=t0k"
            assert os.environ[GRPC_ROOTS_ENV] == str(ca)
            assert not fake.deleted()
        assert spark.stopped and fake.deleted()
    finally:
        fake.stop()
    method, path, body, headers = fake.requests[0]
    assert (method, path) == ("POST", "/v1/sessions")
    assert body == {"pool": "analytics", "conf": {"spark.executor.memory": "1g"}, "idleTimeoutSeconds": 600}
    assert headers["Authorization"] == "Bearer t0k" and headers["Idempotency-Key"].startswith("client-")
    assert [r[0] for r in fake.requests] == ["POST", "GET", "GET", "GET", "DELETE"]
    assert fake.requests[-1][1] == "/v1/sessions/s-1"


def test_a_failed_session_raises_a_clear_error_naming_its_log_and_is_deleted():
    fake = FakeSessions(["STARTING", "FAILED"], reason="SUBMISSION_FAILED")
    try:
        with pytest.raises(KindlingSessionError) as raised, session(fake):
            pytest.fail("the block must not run")
    finally:
        fake.stop()
    assert "FAILED (SUBMISSION_FAILED)" in str(raised.value)
    assert "spark-submit failed" in str(raised.value)
    assert "/v1/jobs/s-1/logs/stderr" in str(raised.value)
    assert raised.value.session is not None and raised.value.session["state"] == "FAILED"
    assert fake.deleted()


def test_a_session_not_ready_in_time_is_deleted():
    fake = FakeSessions(["STARTING"])
    try:
        with pytest.raises(KindlingSessionError, match="still STARTING"), session(fake, ready_timeout=0.0):
            pytest.fail("the block must not run")
    finally:
        fake.stop()
    assert fake.deleted()


def test_an_error_in_the_block_still_stops_spark_and_deletes_the_session():
    fake = FakeSessions(["READY"])
    holder: list[FakeSpark] = []
    try:
        with pytest.raises(RuntimeError, match="boom"), session(fake) as spark:
            holder.append(spark)
            raise RuntimeError("boom")
    finally:
        fake.stop()
    assert holder[0].stopped and fake.deleted()
