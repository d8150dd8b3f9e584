from __future__ import annotations

import pytest

from kindling_provider import get_provider_info
from kindling_provider.hooks.kindling import KindlingHook, api_url_of


@pytest.mark.parametrize("host,port,schema,url", [
    ("kindling.example.com", None, None, "http://kindling.example.com"),
    ("kindling.example.com", 8443, "https", "https://kindling.example.com:8443"),
    ("http://10.0.0.1:8080", None, None, "http://10.0.0.1:8080"),
    ("https://api.example.com/base/", 9000, None, "https://api.example.com:9000/base"),
    (None, 8080, None, "http://127.0.0.1:8080"),
])
def test_api_url_of(host, port, schema, url):
    assert api_url_of(host, port, schema) == url


def test_hook_reads_connection_and_sends_token(kindling_conn):
    fake = kindling_conn
    fake.add_job("j1")
    hook = KindlingHook()
    assert hook.api_url == fake.url
    assert hook.get_job("j1")["id"] == "j1"
    assert fake.requests[-1][2]["Authorization"] == "Bearer s3cret"
    assert hook.get_conn().retries == 2


def test_missing_default_connection_falls_back_to_env(monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_KINDLING_DEFAULT", raising=False)
    monkeypatch.setenv("KINDLING_API_URL", "http://elsewhere:1234")
    assert KindlingHook().api_url == "http://elsewhere:1234"


def test_hook_submit_cancel_logs(kindling_conn):
    hook = KindlingHook()
    sub = hook.submit({"application": {"type": "python", "file": "/pi.py"}}, "k1")
    assert hook.submit({"application": {"type": "python", "file": "/pi.py"}}, "k1").replay
    for _ in range(4):
        hook.get_job(sub.job["id"])
    assert hook.read_log(sub.job["id"], "stdout").next_offset >= 0
    hook.cancel(sub.job["id"])
    assert hook.get_job(sub.job["id"])["state"] == "CANCELLED"


def test_test_connection(kindling_conn):
    kindling_conn.ready = False
    ok, message = KindlingHook().test_connection()
    assert not ok and "503" in message


def test_test_connection_checks_the_credential(kindling_conn):
    kindling_conn.tokens = {"s3cret"}
    ok, message = KindlingHook().test_connection()
    assert ok and message == "the api is ready and accepted the password of connection 'kindling_default'"
    kindling_conn.tokens = {"another"}
    ok, message = KindlingHook().test_connection()
    assert not ok and "UNAUTHENTICATED (401)" in message


def test_provider_info_and_entry_point():
    info = get_provider_info()
    assert info["package-name"] == "airflow-provider-kindling"
    assert info["connection-types"][0]["connection-type"] == "kindling"
    from importlib.metadata import entry_points

    eps = [ep for ep in entry_points(group="apache_airflow_provider") if ep.value.startswith("kindling_provider")]
    assert eps and eps[0].load() is get_provider_info


def test_ui_field_behaviour():
    assert "password" in KindlingHook.get_ui_field_behaviour()["relabeling"]


def _conn(monkeypatch, fake, **fields):
    import json

    host, port = fake.url.removeprefix("http://").split(":")
    monkeypatch.setenv("AIRFLOW_CONN_KINDLING_DEFAULT", json.dumps(
        {"conn_type": "kindling", "host": host, "port": int(port), **fields}))


def test_token_file_of_the_connection(fake, monkeypatch, tmp_path):
    token = tmp_path / "token"
    token.write_text("from-file\n")
    _conn(monkeypatch, fake, extra={"token_file": str(token)})
    fake.tokens = {"from-file"}
    fake.add_job("j1")
    assert KindlingHook().get_job("j1")["id"] == "j1"


def test_password_wins_over_token_file(fake, monkeypatch, tmp_path):
    _conn(monkeypatch, fake, password="pw", extra={"token_file": str(tmp_path / "missing")})
    fake.add_job("j1")
    KindlingHook().get_job("j1")
    assert fake.requests[-1][2]["Authorization"] == "Bearer pw"


def test_connection_without_credentials_sends_no_token_even_with_one_in_the_environment(fake, monkeypatch):
    _conn(monkeypatch, fake)
    monkeypatch.setenv("KINDLING_TOKEN", "ambient")
    fake.add_job("j1")
    KindlingHook().get_job("j1")
    assert "Authorization" not in fake.requests[-1][2]


def test_missing_default_connection_uses_the_clients_token_look_up(fake, monkeypatch, tmp_path):
    monkeypatch.delenv("AIRFLOW_CONN_KINDLING_DEFAULT", raising=False)
    monkeypatch.setenv("KINDLING_API_URL", fake.url)
    home = tmp_path / "home"
    home.mkdir()
    (home / "admin.token").write_text("admin-tok\n")
    monkeypatch.setenv("KINDLING_HOME", str(home))
    fake.tokens = {"admin-tok"}
    fake.add_job("j1")
    assert KindlingHook().get_job("j1")["id"] == "j1"


def test_oidc_extra_builds_client_credentials(fake, monkeypatch, token_endpoint, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("app-secret")
    _conn(monkeypatch, fake, password="ignored-when-a-secret-file-is-named", extra={"oidc": {
        "client_id": "kindling-airflow", "client_secret_file": str(secret),
        "token_endpoint": f"{token_endpoint.url}/token", "scope": "kindling"}})
    fake.tokens = {"tok-1"}
    fake.add_job("j1")
    assert KindlingHook().get_job("j1")["id"] == "j1"
    assert token_endpoint.requests[0].form["client_secret"] == "app-secret"
    assert token_endpoint.requests[0].form["scope"] == "kindling"


@pytest.mark.parametrize("oidc,problem", [
    ("yes", "must be an object"),
    ({"tenant_id": "t", "scopes": "x"}, "unknown keys"),
    ({"tenant_id": "t"}, "need a client id"),
])
def test_bad_oidc_extra_is_a_clear_error(fake, monkeypatch, oidc, problem):
    _conn(monkeypatch, fake, extra={"oidc": oidc})
    with pytest.raises(Exception, match=problem):
        KindlingHook().get_conn()
