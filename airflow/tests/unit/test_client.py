from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
import responses

from kindling_client import KindlingApiError, KindlingClient, KindlingConnectionError
from kindling_client.client import LineSplitter

API = "http://kindling.test"


def _url(n: int) -> str:
    return str(responses.calls[n].request.url)


def _body(request: Any) -> bytes:
    body = request.body
    return body.encode() if isinstance(body, str) else bytes(body or b"")


def _view(job_id: str) -> dict[str, Any]:
    return {"id": job_id, "state": "RUNNING", "attempts": []}


def client(**kw: Any) -> KindlingClient:
    return KindlingClient(API, token=kw.pop("token", None), sleep=lambda s: None, **kw)


@responses.activate
def test_submit_sends_spec_idempotency_key_and_token():
    responses.post(f"{API}/v1/jobs", status=202, json={"id": "j1", "state": "QUEUED", "attempts": []})
    sub = client(token="t0k").submit_detailed({"application": {"type": "python", "file": "/a.py"}}, "key-1")
    assert sub.job["id"] == "j1" and not sub.replay
    call = responses.calls[0].request
    assert call.headers["Idempotency-Key"] == "key-1"
    assert call.headers["Authorization"] == "Bearer t0k"
    assert b'"idempotencyKey": "key-1"' in _body(call)


@responses.activate
def test_submit_without_key_generates_one_so_retries_are_safe():
    responses.post(f"{API}/v1/jobs", status=503, json={"code": "UNAVAILABLE", "message": "busy", "details": []})
    responses.post(f"{API}/v1/jobs", status=202, json={"id": "j1", "state": "QUEUED", "attempts": []})
    client().submit({"application": {"type": "python", "file": "/a.py"}})
    keys = {c.request.headers["Idempotency-Key"] for c in responses.calls}
    assert len(responses.calls) == 2 and len(keys) == 1 and next(iter(keys)).startswith("client-")


@responses.activate
def test_replay_is_reported():
    responses.post(f"{API}/v1/jobs", status=200, json={"id": "j1", "state": "RUNNING", "attempts": []},
                   headers={"Kindling-Idempotent-Replay": "true"})
    assert client().submit_detailed({"application": {}}, "k").replay


@responses.activate
def test_error_body_becomes_exception_with_code_message_details():
    responses.post(f"{API}/v1/jobs", status=400, json={
        "code": "SCHEMA_VIOLATION", "message": "invalid job spec",
        "details": [{"field": "$.application.file", "problem": "is required"}]})
    with pytest.raises(KindlingApiError) as e:
        client().submit({"application": {"type": "python"}})
    assert e.value.status == 400 and e.value.code == "SCHEMA_VIOLATION"
    assert e.value.details == [{"field": "$.application.file", "problem": "is required"}]
    assert "$.application.file: is required" in str(e.value)
    assert len(responses.calls) == 1  # 400 is not retried


class _Flaky(BaseHTTPRequestHandler):
    """Answers the first ``failures`` requests with 503 (or drops the connection), then a job view."""

    failures = 0
    drop = False
    seen = 0

    def do_GET(self) -> None:
        cls = type(self)
        cls.seen += 1
        if cls.seen <= cls.failures:
            if cls.drop:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self._send(503, b'{"code": "UNAVAILABLE", "message": "busy", "details": []}')
            return
        self._send(200, b'{"id": "j1", "state": "RUNNING", "attempts": []}')

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def flaky():
    handler = type("Flaky", (_Flaky,), {"failures": 0, "drop": False, "seen": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_transient_statuses_are_retried_with_backoff(monkeypatch, flaky):
    handler, url = flaky
    handler.failures = 3
    sleeps: list[float] = []
    monkeypatch.setattr("urllib3.util.retry.time.sleep", sleeps.append)
    c = KindlingClient(url, sleep=lambda s: None, backoff=0.5, max_backoff=1.5)
    assert c.get("j1")["state"] == "RUNNING"
    assert handler.seen == 4
    assert sleeps == [1.0, 1.5]  # urllib3's Retry: the first retry at once, then backoff * 2**(n-1), capped


def test_dropped_connections_are_retried(monkeypatch, flaky):
    handler, url = flaky
    handler.failures, handler.drop = 2, True
    monkeypatch.setattr("urllib3.util.retry.time.sleep", lambda s: None)
    assert KindlingClient(url, retries=2).get("j1")["id"] == "j1"
    assert handler.seen == 3


def test_dropped_connections_give_up_after_retries(monkeypatch, flaky):
    handler, url = flaky
    handler.failures, handler.drop = 10, True
    monkeypatch.setattr("urllib3.util.retry.time.sleep", lambda s: None)
    with pytest.raises(KindlingConnectionError, match="after 2 retries"):
        KindlingClient(url, retries=2).get("j1")
    assert handler.seen == 3


@responses.activate
def test_gives_up_after_retries():
    responses.get(f"{API}/v1/jobs/j1", status=503, json={"code": "UNAVAILABLE", "message": "no", "details": []})
    with pytest.raises(KindlingApiError) as e:
        client(retries=2).get("j1")
    assert e.value.code == "UNAVAILABLE" and len(responses.calls) == 3


@responses.activate
def test_connection_errors_are_retried_then_raised():
    responses.get(f"{API}/v1/jobs/j1", body=requests.ConnectionError("refused"))
    with pytest.raises(KindlingConnectionError, match="cannot reach the Kindling api"):
        client(retries=2).get("j1")


@responses.activate
def test_non_json_error_body():
    responses.get(f"{API}/v1/jobs/j1", status=500, body="boom")
    with pytest.raises(KindlingApiError) as e:
        client().get("j1")
    assert e.value.code == "HTTP_500" and "boom" in e.value.message


@responses.activate
def test_read_log_uses_offsets_and_headers():
    responses.get(f"{API}/v1/jobs/j1/logs/stderr", body=b"abc",
                  headers={"Kindling-Next-Offset": "13", "Kindling-Log-Complete": "true", "Kindling-Attempt": "2"})
    chunk = client().read_log("j1", "stderr", attempt=2, offset=10)
    assert (chunk.data, chunk.next_offset, chunk.complete, chunk.attempt) == (b"abc", 13, True, 2)
    assert "offset=10" in _url(0) and "attempt=2" in _url(0)


@responses.activate
def test_cancel_and_list():
    responses.post(f"{API}/v1/jobs/j1/cancel", status=202, json={"id": "j1", "state": "RUNNING", "attempts": []})
    responses.get(f"{API}/v1/jobs", json={"items": [_view("j1")], "nextCursor": None})
    assert client().cancel("j1")["id"] == "j1"
    assert client().list(state=["RUNNING", "QUEUED"], pool="p", labels={"a": "b"}, limit=5)["items"]
    url = _url(1)
    assert "state=RUNNING" in url and "state=QUEUED" in url and "label=a%3Db" in url and "limit=5" in url


@responses.activate
def test_iter_jobs_follows_cursor():
    responses.get(f"{API}/v1/jobs", json={"items": [_view("a")], "nextCursor": "c1"})
    responses.get(f"{API}/v1/jobs", json={"items": [_view("b")], "nextCursor": None})
    assert [j["id"] for j in client().iter_jobs()] == ["a", "b"]
    assert "cursor=c1" in _url(1)


@responses.activate
def test_upload_returns_uri(tmp_path):
    f = tmp_path / "app.py"
    f.write_text("print(1)")
    responses.post(f"{API}/v1/artifacts", status=201,
                   json={"uri": "artifact://default/abc/app.py", "sha256": "a" * 64, "size": 8})
    assert client().upload(str(f)) == "artifact://default/abc/app.py"
    assert b"print(1)" in _body(responses.calls[0].request)


@responses.activate
def test_upload_error_is_the_apis_error(tmp_path):
    f = tmp_path / "app.py"
    f.write_text("print(1)")
    responses.post(f"{API}/v1/artifacts", status=413,
                   json={"code": "PAYLOAD_TOO_LARGE", "message": "over 512 MiB", "details": []})
    with pytest.raises(KindlingApiError) as e:
        client().upload(str(f))
    assert e.value.status == 413 and e.value.code == "PAYLOAD_TOO_LARGE"
    assert len(responses.calls) == 1


def test_follow_against_fake_api(fake):
    fake.add_job("j1", stdout=b"one\ntwo\nPi is roughly 3.1\n", stderr=b"warn\n")
    c = KindlingClient(fake.url, sleep=lambda s: None)
    follower = c.follow("j1", poll_interval=0)
    got = {"stdout": b"", "stderr": b""}
    for event in follower:
        got[event.stream] += event.data
    assert got == {"stdout": b"one\ntwo\nPi is roughly 3.1\n", "stderr": b"warn\n"}
    assert follower.view["state"] == "SUCCEEDED"
    assert follower.positions == {"1/stdout": 26, "1/stderr": 5}


def test_follow_resumes_from_positions(fake):
    fake.add_job("j1", stdout=b"one\ntwo\n")
    c = KindlingClient(fake.url, sleep=lambda s: None)
    data = b"".join(e.data for e in c.follow("j1", ["stdout"], positions={"1/stdout": 4}, poll_interval=0))
    assert data == b"two\n"


def test_wait_returns_terminal_view(fake):
    fake.add_job("j1")
    assert KindlingClient(fake.url, sleep=lambda s: None).wait("j1", poll_interval=0)["state"] == "SUCCEEDED"


def test_line_splitter_keeps_partial_lines():
    s = LineSplitter()
    assert s.feed("k", b"a\nb") == ["a"]
    assert s.feed("k", "é\r\nc".encode()[:1]) == []
    assert s.feed("k", "é\r\nc".encode()[1:]) == ["bé"]
    assert s.flush() == [("k", "c")]


@responses.activate
def test_traceparent_header_fixed_or_per_request():
    responses.get(f"{API}/v1/jobs/j1", json=_view("j1"))
    fixed = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    client(traceparent=fixed).get("j1")
    values = iter(["00-4bf92f3577b34da6a3ce929d0e0e4736-1111111111111111-01", None])
    dynamic = client(traceparent=lambda: next(values))
    dynamic.get("j1")
    dynamic.get("j1")
    assert [c.request.headers.get("traceparent") for c in responses.calls] == [
        fixed, "00-4bf92f3577b34da6a3ce929d0e0e4736-1111111111111111-01", None]
    client().get("j1")
    assert "traceparent" not in responses.calls[-1].request.headers
