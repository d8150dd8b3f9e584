"""The Python client matches the document: each of its public calls is made against the live api,
and every request it sent and every answer it got is validated against openapi.yaml with
openapi-core (path, method, parameters, headers, body; status, headers, body).

The client is used only through its public names (``kindling_client.KindlingClient`` and its
calls; ``kindling_client.aio.AsyncKindlingClient``), with a recording ``requests`` session it
accepts as an argument (the async client runs the same synchronous client in a worker thread).
"""
from __future__ import annotations

import asyncio
import re
import time

import pytest
import requests
import yaml
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_core.validation.response.exceptions import MissingData

from conftest import DOCUMENT

from kindling_client import KindlingApiError, KindlingClient


class Recorder:
    """Every (request, response) pair, as ``requests`` objects."""

    def __init__(self) -> None:
        self.exchanges: list[tuple[requests.PreparedRequest, requests.Response]] = []

    def session(self) -> requests.Session:
        session = requests.Session()
        session.hooks["response"].append(lambda response, *args, **kwargs: self.exchanges.append(
            (response.request, response)))
        return session


@pytest.fixture(scope="module")
def openapi(stack) -> OpenAPI:
    document = yaml.safe_load(DOCUMENT.read_text())
    document["servers"] = [{"url": stack.api_url}]  # the live stack's, instead of the default one
    return OpenAPI.from_dict(document, base_uri=DOCUMENT.as_uri())


def _operation(request: requests.PreparedRequest) -> str:
    path = request.path_url.split("?", 1)[0]
    for template in ("/v1/jobs/{id}/logs/{stream}", "/v1/jobs/{id}/cancel", "/v1/jobs/{id}/events",
                     "/v1/jobs/{id}/eventlog", "/v1/jobs/{id}", "/v1/jobs", "/v1/artifacts/{tenant}/{sha256}/{name}",
                     "/v1/artifacts", "/v1/queues", "/v1/sessions/{id}", "/v1/sessions"):
        if re.fullmatch(re.sub(r"\{[^}]+}", "[^/]+", template), path):
            return f"{request.method} {template}"
    return f"{request.method} {path}"


def test_every_request_and_answer_of_the_client_matches_the_document(stack, openapi, tmp_path):
    recorder = Recorder()
    client = KindlingClient(stack.api_url, stack.token, session=recorder.session())

    job = client.submit({"name": "contract", "labels": {"suite": "contract"},
                         "application": {"type": "python", "file": "/nonexistent/contract.py", "args": ["1"]}})
    job_id = job["id"]
    replay = client.submit_detailed({"name": "contract-replay", "application": {"type": "python", "file": "/x.py"}},
                                    idempotency_key="contract-replay-key")
    assert client.submit_detailed({"name": "contract-replay", "application": {"type": "python", "file": "/x.py"}},
                                  idempotency_key="contract-replay-key").replay
    assert client.get(job_id)["id"] == job_id
    every_state = ["QUEUED", "DISPATCHED", "SUBMITTING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED", "RETRYING",
                   "REJECTED"]
    page = client.list(state=every_state, pool="default", labels={"suite": "contract"}, limit=1)
    assert page["items"]
    assert [j["id"] for j in client.iter_jobs(labels={"suite": "contract"}, limit=1)]
    artifact = tmp_path / "contract_job.py"
    artifact.write_text("print('contract')\n")
    assert client.upload(str(artifact), tenant="default").startswith("artifact://default/")
    deadline = time.monotonic() + 60
    while True:  # logs: once the job has an attempt (the worker fails it at once: no such file)
        try:
            chunk = client.read_log(job_id, "stderr", offset=0, limit=4096)
            break
        except KindlingApiError as e:
            assert e.status == 404, e
            assert time.monotonic() < deadline, "the job got no attempt in 60 s"
            time.sleep(0.5)
    assert chunk.offset == 0
    client.cancel(replay.job["id"])
    session = client.create_session(idle_timeout_seconds=60, labels={"suite": "contract"})
    assert client.get_session(session["id"])["id"] == session["id"]
    assert session["id"] in [s["id"] for s in client.list_sessions(pool="default", limit=500)["items"]]
    assert client.delete_session(session["id"])["id"] == session["id"]

    from kindling_client.aio import AsyncKindlingClient

    async_client = AsyncKindlingClient(stack.api_url, stack.token, session=recorder.session())
    assert asyncio.run(async_client.get(job_id))["id"] == job_id

    problems = []
    for request, response in recorder.exchanges:
        try:
            openapi.validate_request(RequestsOpenAPIRequest(request))
        except Exception as e:  # noqa: BLE001 - each problem is reported below
            problems.append(f"request {request.method} {request.url}: {e!r} {getattr(e, '__cause__', '')!r}")
        try:
            openapi.validate_response(RequestsOpenAPIRequest(request), RequestsOpenAPIResponse(response))
        except MissingData:
            # openapi-core reads an empty body as none; zero bytes of a log are a valid octet-stream
            if response.content or not response.headers.get("Content-Type", "").startswith("application/octet-stream"):
                problems.append(f"answer {response.status_code} to {request.method} {request.url}: no body")
        except Exception as e:  # noqa: BLE001
            problems.append(f"answer {response.status_code} to {request.method} {request.url}: {e!r} "
                            f"{getattr(e, '__cause__', '')!r}")
    assert not problems, "\n".join(problems)
    checked = {_operation(request) for request, _ in recorder.exchanges}
    assert checked >= {"POST /v1/jobs", "GET /v1/jobs/{id}", "GET /v1/jobs", "POST /v1/artifacts",
                       "GET /v1/jobs/{id}/logs/{stream}", "POST /v1/jobs/{id}/cancel", "POST /v1/sessions",
                       "GET /v1/sessions/{id}", "GET /v1/sessions", "DELETE /v1/sessions/{id}"}, checked
