from __future__ import annotations

import asyncio
import json

import requests
import responses

from kindling_provider.triggers.kindling import KindlingJobTrigger

URL = "http://kindling.test:8080"


async def _events(trigger):
    return [e async for e in trigger.run()]


def test_serialize_round_trip():
    t = KindlingJobTrigger("j1", "c1", 3.0, {"1/stdout": 10}, timeout=60, started_at=1.0)
    path, kwargs = t.serialize()
    assert path == "kindling_provider.triggers.kindling.KindlingJobTrigger"
    assert KindlingJobTrigger(**kwargs).serialize() == (path, kwargs)


@responses.activate
def test_fires_when_job_is_terminal(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_KINDLING_DEFAULT", json.dumps(
        {"conn_type": "kindling", "host": URL, "password": "tk"}))
    responses.get(f"{URL}/v1/jobs/j1", json={"id": "j1", "state": "RUNNING", "attempts": []})
    responses.get(f"{URL}/v1/jobs/j1", status=503, json={"code": "UNAVAILABLE", "message": "x", "details": []})
    responses.get(f"{URL}/v1/jobs/j1", json={"id": "j1", "state": "SUCCEEDED", "attempts": []})
    monkeypatch.setattr("urllib3.util.retry.time.sleep", lambda s: None)
    trigger = KindlingJobTrigger("j1", poll_interval=0, positions={"1/stdout": 7})
    events = asyncio.run(_events(trigger))
    assert len(events) == 1
    assert events[0].payload == {"status": "done", "job_id": "j1", "positions": {"1/stdout": 7},
                                 "job": {"id": "j1", "state": "SUCCEEDED", "attempts": []}}
    assert len(responses.calls) == 3  # the 503 was retried by the client's retry policy
    assert responses.calls[0].request.headers["Authorization"] == "Bearer tk"


@responses.activate
def test_connection_error_is_an_error_event(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_KINDLING_DEFAULT", f'{{"conn_type": "kindling", "host": "{URL}"}}')
    responses.get(f"{URL}/v1/jobs/j1", body=requests.ConnectionError("refused"))
    events = asyncio.run(_events(KindlingJobTrigger("j1", poll_interval=0)))
    assert events[0].payload["status"] == "error" and "cannot reach the Kindling api" in events[0].payload["message"]


@responses.activate
def test_error_event_on_api_error(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_KINDLING_DEFAULT", f'{{"conn_type": "kindling", "host": "{URL}"}}')
    responses.get(f"{URL}/v1/jobs/j1", status=404, json={"code": "NOT_FOUND", "message": "no job 'j1'", "details": []})
    events = asyncio.run(_events(KindlingJobTrigger("j1", poll_interval=0)))
    assert events[0].payload["status"] == "error" and "NOT_FOUND" in events[0].payload["message"]


@responses.activate
def test_timeout_event(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_KINDLING_DEFAULT", f'{{"conn_type": "kindling", "host": "{URL}"}}')
    responses.get(f"{URL}/v1/jobs/j1", json={"id": "j1", "state": "RUNNING", "attempts": []})
    events = asyncio.run(_events(KindlingJobTrigger("j1", poll_interval=0, timeout=5, started_at=0)))
    assert events[0].payload["status"] == "timeout"


@responses.activate
def test_oidc_connection_token_and_one_refresh_after_401(monkeypatch, token_endpoint):
    monkeypatch.setenv("AIRFLOW_CONN_KINDLING_DEFAULT", json.dumps({
        "conn_type": "kindling", "host": URL, "login": "kindling-airflow", "password": "app-secret",
        "extra": {"oidc": {"token_endpoint": f"{token_endpoint.url}/token"}}}))
    responses.add_passthru(token_endpoint.url)  # the token endpoint is real
    responses.get(f"{URL}/v1/jobs/j1", status=401,
                  json={"code": "UNAUTHENTICATED", "message": "expired", "details": []})
    responses.get(f"{URL}/v1/jobs/j1", json={"id": "j1", "state": "SUCCEEDED", "attempts": []})
    events = asyncio.run(_events(KindlingJobTrigger("j1", poll_interval=0)))
    assert events[0].payload["status"] == "done"
    api_calls = [c for c in responses.calls if str(c.request.url).startswith(URL)]
    assert [c.request.headers["Authorization"] for c in api_calls] == ["Bearer tok-1", "Bearer tok-2"]


@responses.activate
def test_a_refused_token_is_an_error_event_with_the_apis_message(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_KINDLING_DEFAULT", json.dumps(
        {"conn_type": "kindling", "host": URL, "password": "bad"}))
    responses.get(f"{URL}/v1/jobs/j1", status=401,
                  json={"code": "UNAUTHENTICATED", "message": "the bearer token is not valid", "details": []})
    events = asyncio.run(_events(KindlingJobTrigger("j1", poll_interval=0)))
    message = events[0].payload["message"]
    assert events[0].payload["status"] == "error"
    assert "the bearer token is not valid" in message and "password of connection 'kindling_default'" in message
