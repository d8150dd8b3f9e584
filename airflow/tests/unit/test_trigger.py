from __future__ import annotations

import asyncio

import httpx
import respx

from kindling_provider.triggers.kindling import KindlingJobTrigger

URL = "http://kindling.test:8080"


async def _events(trigger):
    return [e async for e in trigger.run()]


def test_serialize_round_trip():
    t = KindlingJobTrigger("j1", "c1", 3.0, {"1/stdout": 10}, timeout=60, started_at=1.0)
    path, kwargs = t.serialize()
    assert path == "kindling_provider.triggers.kindling.KindlingJobTrigger"
    assert KindlingJobTrigger(**kwargs).serialize() == (path, kwargs)


@respx.mock
def test_fires_when_job_is_terminal(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_KINDLING_DEFAULT", f'{{"conn_type": "kindling", "host": "{URL}", "password": "tk"}}')
    route = respx.get(f"{URL}/v1/jobs/j1").mock(side_effect=[
        httpx.Response(200, json={"id": "j1", "state": "RUNNING", "attempts": []}),
        httpx.Response(503, json={"code": "UNAVAILABLE", "message": "x", "details": []}),
        httpx.ConnectError("refused"),
        httpx.Response(200, json={"id": "j1", "state": "SUCCEEDED", "attempts": []}),
    ])
    trigger = KindlingJobTrigger("j1", poll_interval=0, positions={"1/stdout": 7})
    monkeypatch.setattr("kindling_client.aio.asyncio.sleep", _no_sleep)
    events = asyncio.run(_events(trigger))
    assert len(events) == 1
    assert events[0].payload == {"status": "done", "job_id": "j1", "positions": {"1/stdout": 7},
                                 "job": {"id": "j1", "state": "SUCCEEDED", "attempts": []}}
    assert route.call_count == 4
    assert route.calls[0].request.headers["Authorization"] == "Bearer tk"


@respx.mock
def test_error_event_on_api_error(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_KINDLING_DEFAULT", f'{{"conn_type": "kindling", "host": "{URL}"}}')
    respx.get(f"{URL}/v1/jobs/j1").mock(return_value=httpx.Response(
        404, json={"code": "NOT_FOUND", "message": "no job 'j1'", "details": []}))
    events = asyncio.run(_events(KindlingJobTrigger("j1", poll_interval=0)))
    assert events[0].payload["status"] == "error" and "NOT_FOUND" in events[0].payload["message"]


@respx.mock
def test_timeout_event(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_KINDLING_DEFAULT", f'{{"conn_type": "kindling", "host": "{URL}"}}')
    respx.get(f"{URL}/v1/jobs/j1").mock(return_value=httpx.Response(200, json={"id": "j1", "state": "RUNNING"}))
    events = asyncio.run(_events(KindlingJobTrigger("j1", poll_interval=0, timeout=5, started_at=0)))
    assert events[0].payload["status"] == "timeout"


async def _no_sleep(_):
    return None


@respx.mock
def test_oidc_connection_token_and_one_refresh_after_401(monkeypatch, token_endpoint):
    import json

    monkeypatch.setenv("AIRFLOW_CONN_KINDLING_DEFAULT", json.dumps({
        "conn_type": "kindling", "host": URL, "login": "kindling-airflow", "password": "app-secret",
        "extra": {"oidc": {"token_endpoint": f"{token_endpoint.url}/token"}}}))
    respx.route(host="127.0.0.1").pass_through()  # the token endpoint is real
    route = respx.get(f"{URL}/v1/jobs/j1").mock(side_effect=[
        httpx.Response(401, json={"code": "UNAUTHENTICATED", "message": "expired", "details": []}),
        httpx.Response(200, json={"id": "j1", "state": "SUCCEEDED", "attempts": []}),
    ])
    events = asyncio.run(_events(KindlingJobTrigger("j1", poll_interval=0)))
    assert events[0].payload["status"] == "done"
    assert [c.request.headers["Authorization"] for c in route.calls] == ["Bearer tok-1", "Bearer tok-2"]


@respx.mock
def test_a_refused_token_is_an_error_event_with_the_apis_message(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_KINDLING_DEFAULT", f'{{"conn_type": "kindling", "host": "{URL}", "password": "bad"}}')
    respx.get(f"{URL}/v1/jobs/j1").mock(return_value=httpx.Response(
        401, json={"code": "UNAUTHENTICATED", "message": "the bearer token is not valid", "details": []}))
    events = asyncio.run(_events(KindlingJobTrigger("j1", poll_interval=0)))
    message = events[0].payload["message"]
    assert events[0].payload["status"] == "error"
    assert "the bearer token is not valid" in message and "password of connection 'kindling_default'" in message
