"""A tiny in-process stand-in for the Kindling api (http.server on a free port), used by the
unit tests of the CLI, hook, operator and sensor. It follows the OpenAPI contract: jobs advance
one state per GET, driver logs grow as a job runs, errors are ``{code, message, details}``."""
from __future__ import annotations

import hashlib
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

SUCCESS_STEPS = ["QUEUED", "DISPATCHED", "SUBMITTING", "RUNNING", "RUNNING", "RUNNING", "SUCCEEDED"]
FAIL_STEPS = ["QUEUED", "DISPATCHED", "SUBMITTING", "RUNNING", "RUNNING", "FAILED"]
TERMINAL = {"SUCCEEDED", "FAILED", "CANCELLED", "REJECTED"}


@dataclass
class FakeJob:
    id: str
    spec: dict[str, Any]
    steps: list[str]
    stdout: bytes
    stderr: bytes
    step: int = 0
    cancelled: bool = False
    gets: int = 0

    @property
    def state(self) -> str:
        return "CANCELLED" if self.cancelled else self.steps[min(self.step, len(self.steps) - 1)]

    def revealed(self, stream: str) -> bytes:
        data = self.stdout if stream == "stdout" else self.stderr
        running = [i for i, s in enumerate(self.steps) if s == "RUNNING"]
        if self.state in TERMINAL or not running:
            return data if self.state in TERMINAL and (running or self.state != "REJECTED") else b""
        if self.step < running[0]:
            return b""
        # reveal the log line by line while RUNNING
        lines = data.splitlines(keepends=True)
        share = (self.step - running[0] + 1) / (len(running) + 1)
        return b"".join(lines[: int(len(lines) * share)])

    def view(self) -> dict[str, Any]:
        attempts = []
        if self.step >= 2 or self.cancelled:
            state = self.state if self.step >= 2 else "CANCELLED"
            attempts.append({
                "number": 1, "attemptId": f"{self.id}-a1", "state": state,
                "exitCode": 3 if state == "FAILED" else (0 if state == "SUCCEEDED" else None),
                "reason": "APP_FAILED" if state == "FAILED" else ("CANCELLED" if state == "CANCELLED" else None),
                "message": "driver exited with code 3" if state == "FAILED" else None,
                "sparkAppId": "local-123" if self.step >= 3 else None,
                "sparkUiUrl": "http://127.0.0.1:4040" if self.step >= 3 else None,
            })
        state = self.state
        return {"id": self.id, "name": self.spec.get("name"), "pool": self.spec.get("pool", "default"),
                "tenant": self.spec.get("tenant", "default"), "state": state,
                "reason": "APP_FAILED" if state == "FAILED" else ("CANCELLED" if state == "CANCELLED" else None),
                "message": "driver exited with code 3" if state == "FAILED" else None,
                "labels": self.spec.get("labels", {}), "attempts": attempts}


@dataclass
class FakeKindling:
    cancel_supported: bool = True
    artifacts_supported: bool = False
    list_supported: bool = True
    jobs: dict[str, FakeJob] = field(default_factory=dict)
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    uploads: list[bytes] = field(default_factory=list)
    upload_tenants: list[str | None] = field(default_factory=list)
    #: bearer tokens the fake accepts; ``None``: no authentication (every request passes)
    tokens: set[str] | None = None
    #: what ``GET /health/ready`` answers (200 or 503); it never needs a token
    ready: bool = True
    #: overrides ``stdout``/``stderr``/``steps`` of the jobs submitted from now on
    job_template: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> FakeKindling:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add_job(self, job_id: str, steps: list[str] | None = None, stdout: bytes = b"", stderr: bytes = b"",
                spec: dict[str, Any] | None = None) -> FakeJob:
        job = FakeJob(job_id, spec or {"application": {"type": "python", "file": "/x.py"}},
                      steps or list(SUCCESS_STEPS), stdout, stderr)
        self.jobs[job_id] = job
        return job

    # ------------------------------------------------------------------ routing

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        url = urlparse(h.path)
        query = parse_qs(url.query)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        with self.lock:
            self.requests.append((method, url.path, dict(h.headers)))
            if self.fail_next:
                status = self.fail_next.pop(0)
                return _send_json(h, status, {"code": "UNAVAILABLE", "message": "try later", "details": []})
            if self.tokens is not None and not url.path.startswith("/health/"):
                given = h.headers.get("Authorization", "")
                token = given[7:] if given.startswith("Bearer ") else None
                if token not in self.tokens:
                    challenge = 'Bearer realm="kindling"' + (', error="invalid_token"' if token else "")
                    return _send_json(h, 401, {"code": "UNAUTHENTICATED",
                                               "message": "a valid bearer token is required" if token is None
                                               else "the bearer token is not valid", "details": []},
                                      {"WWW-Authenticate": challenge})
            parts = [p for p in url.path.split("/") if p]
            if parts == ["health", "ready"] and method == "GET":
                return _send_json(h, 200 if self.ready else 503, {"status": "UP" if self.ready else "DOWN"})
            try:
                if parts == ["v1", "jobs"] and method == "POST":
                    return self._submit(h, body)
                if parts == ["v1", "jobs"] and method == "GET" and self.list_supported:
                    return self._list(h, query)
                if parts == ["v1", "artifacts"] and method == "POST" and self.artifacts_supported:
                    self.uploads.append(body)
                    field_ = re.search(rb'name="tenant"\r\n\r\n([^\r]*)\r\n', body)
                    tenant = field_.group(1).decode() if field_ else None
                    self.upload_tenants.append(tenant)
                    digest = hashlib.sha256(body).hexdigest()
                    return _send_json(h, 201, {"uri": f"artifact://{tenant or 'default'}/{digest}/f", "sha256": digest,
                                               "size": len(body)})
                if len(parts) >= 3 and parts[:2] == ["v1", "jobs"]:
                    job = self.jobs.get(parts[2])
                    if job is None:
                        return _send_json(h, 404, {"code": "NOT_FOUND", "message": f"no job '{parts[2]}'",
                                                   "details": []})
                    if len(parts) == 3 and method == "GET":
                        job.gets += 1
                        view = job.view()
                        if job.state not in TERMINAL:
                            job.step += 1
                        return _send_json(h, 200, view)
                    if len(parts) == 4 and parts[3] == "cancel" and method == "POST" and self.cancel_supported:
                        if job.state in TERMINAL:
                            return _send_json(h, 200, job.view())
                        job.cancelled = True
                        return _send_json(h, 202, job.view())
                    if len(parts) == 5 and parts[3] == "logs" and method == "GET":
                        return self._logs(h, job, parts[4], query)
            except Exception as e:  # noqa: BLE001 - any bug of the fake becomes a 500 the test sees
                return _send_json(h, 500, {"code": "INTERNAL", "message": repr(e), "details": []})
            _send_json(h, 404, {"code": "NOT_FOUND", "message": f"no such resource: {method} {url.path}",
                                "details": []})

    def _submit(self, h: BaseHTTPRequestHandler, body: bytes) -> None:
        try:
            spec = json.loads(body)
        except ValueError:
            return _send_json(h, 400, {"code": "MALFORMED_JSON", "message": "not JSON", "details": []})
        if "application" not in spec:
            return _send_json(h, 400, {"code": "SCHEMA_VIOLATION", "message": "invalid job spec",
                                       "details": [{"field": "$.application", "problem": "is required"}]})
        if "tenant" in (spec.get("labels") or {}):
            return _send_json(h, 400, {"code": "SCHEMA_VIOLATION", "message": "invalid job spec", "details": [
                {"field": "$.labels.tenant", "problem": "the tenant comes from your identity; use the `tenant` field "
                                                        "or `X-Kindling-Tenant` header"}]})
        key = h.headers.get("Idempotency-Key") or spec.get("idempotencyKey")
        canonical = json.dumps(spec, sort_keys=True)
        if key and key in self.keys:
            job_id, previous = self.keys[key]
            if previous != canonical:
                return _send_json(h, 409, {"code": "CONFLICT", "message": "idempotency key reused with another body",
                                           "details": []})
            return _send_json(h, 200, self.jobs[job_id].view(), {"Kindling-Idempotent-Replay": "true"})
        job_id = str(uuid.uuid4())
        failing = "fail" in spec["application"]["file"]
        job = self.add_job(job_id, list(FAIL_STEPS if failing else SUCCESS_STEPS),
                           stdout=b"starting\nPi is roughly 3.14159\n" if not failing else b"kindling-fail: running\n",
                           stderr=b"INFO SparkContext: Running Spark\n" + (
                               b"kindling-fail: failing on purpose with exit code 3\n" if failing else b"INFO done\n"),
                           spec=spec)
        for attr, value in self.job_template.items():
            setattr(job, attr, value)
        if key:
            self.keys[key] = (job.id, canonical)
        _send_json(h, 202, job.view(), {"Location": f"/v1/jobs/{job_id}"})

    def _list(self, h: BaseHTTPRequestHandler, query: dict[str, list[str]]) -> None:
        items = [j.view() for j in self.jobs.values()]
        if query.get("state"):
            items = [v for v in items if v["state"] in query["state"]]
        _send_json(h, 200, {"items": items, "nextCursor": None})

    def _logs(self, h: BaseHTTPRequestHandler, job: FakeJob, stream: str, query: dict[str, list[str]]) -> None:
        if not job.view()["attempts"]:
            return _send_json(h, 404, {"code": "NOT_FOUND", "message": "no attempt yet", "details": []})
        offset = int(query.get("offset", ["0"])[0])
        limit = int(query.get("limit", ["1048576"])[0])
        data = job.revealed(stream)
        chunk = data[offset:offset + limit]
        complete = job.state in TERMINAL and offset + len(chunk) == len(data)
        h.send_response(200)
        h.send_header("Content-Type", "application/octet-stream")
        h.send_header("Content-Length", str(len(chunk)))
        h.send_header("Kindling-Next-Offset", str(offset + len(chunk)))
        h.send_header("Kindling-Log-Complete", "true" if complete else "false")
        h.send_header("Kindling-Attempt", "1")
        h.end_headers()
        h.wfile.write(chunk)


def _send_json(h: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
    data = json.dumps(body).encode()
    h.send_response(status)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(data)))
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    h.end_headers()
    h.wfile.write(data)
