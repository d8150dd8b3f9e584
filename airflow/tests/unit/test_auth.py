"""Token sources: the documented look-up order, token files, OIDC client credentials against a
token endpoint served on loopback, and the client's handling of 401/403."""
from __future__ import annotations

import os

import pytest
import responses

from kindling_client import (
    ClientCredentials,
    FileToken,
    KindlingApiError,
    KindlingAuthError,
    KindlingClient,
    KindlingTokenError,
    StaticToken,
    resolve_token,
)

API = "http://kindling.test"


def _write(path, text):
    path.write_text(text)
    return path


def _token(token, environ):
    source = resolve_token(token, environ)
    assert source is not None
    return source.token()


# ------------------------------------------------------------------ look-up order

def test_explicit_token_wins_over_everything(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    _write(home / "admin.token", "from-home\n")
    env = {"KINDLING_TOKEN": "from-env", "KINDLING_TOKEN_FILE": str(_write(tmp_path / "f", "from-file")),
           "KINDLING_HOME": str(home)}
    assert _token("explicit", env) == "explicit"
    assert _token(None, env) == "from-env"
    del env["KINDLING_TOKEN"]
    assert _token(None, env) == "from-file"
    del env["KINDLING_TOKEN_FILE"]
    source = resolve_token(None, env)
    assert source is not None and source.token() == "from-home" and "admin.token" in source.description
    assert resolve_token(None, {"KINDLING_HOME": str(tmp_path / "empty")}) is None


def test_empty_explicit_token_means_none_and_looks_no_further():
    assert resolve_token("", {"KINDLING_TOKEN": "from-env"}) is None


def test_kindling_home_defaults_to_dot_kindling_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".kindling").mkdir()
    _write(tmp_path / ".kindling" / "admin.token", "dot-kindling\n")
    assert _token(None, {}) == "dot-kindling"


def test_token_file_is_read_again_when_it_changes(tmp_path):
    path = _write(tmp_path / "token", "first\n")
    source = FileToken(path)
    assert source.token() == "first"
    path.write_text("second-and-longer\n")
    assert source.token() == "second-and-longer"


def test_token_file_missing_or_empty_is_a_clear_error(tmp_path):
    with pytest.raises(KindlingTokenError, match=r"cannot read the Kindling token from .*nope"):
        FileToken(tmp_path / "nope").token()
    with pytest.raises(KindlingTokenError, match="is empty"):
        FileToken(_write(tmp_path / "empty", "\n")).token()


def test_token_file_env_that_does_not_exist_fails_the_request(tmp_path):
    source = resolve_token(None, {"KINDLING_TOKEN_FILE": str(tmp_path / "missing")})
    with pytest.raises(KindlingTokenError, match="KINDLING_TOKEN_FILE="):
        KindlingClient(API, source).get("j1")


# ------------------------------------------------------------------ the client and 401/403

@responses.activate
def test_client_takes_the_token_from_the_environment(monkeypatch):
    monkeypatch.setenv("KINDLING_TOKEN", "env-token")
    responses.get(f"{API}/v1/jobs/j1", json={"id": "j1", "state": "RUNNING", "attempts": []})
    KindlingClient(API).get("j1")
    assert responses.calls[0].request.headers["Authorization"] == "Bearer env-token"


@responses.activate
def test_no_token_found_sends_no_header():
    responses.get(f"{API}/v1/jobs/j1", json={"id": "j1", "state": "RUNNING", "attempts": []})
    KindlingClient(API).get("j1")
    assert "Authorization" not in responses.calls[0].request.headers


@responses.activate
def test_401_without_a_token_says_how_to_give_one():
    responses.get(f"{API}/v1/jobs/j1", status=401, headers={"WWW-Authenticate": 'Bearer realm="kindling"'},
                  json={"code": "UNAUTHENTICATED", "message": "a bearer token is required", "details": []})
    with pytest.raises(KindlingAuthError) as e:
        KindlingClient(API, sleep=lambda s: None).get("j1")
    text = str(e.value)
    assert e.value.status == 401 and e.value.code == "UNAUTHENTICATED"
    assert "a bearer token is required" in text and "No token was sent" in text and "KINDLING_TOKEN" in text
    assert len(responses.calls) == 1  # a static nothing is not retried


@responses.activate
def test_401_with_a_static_token_names_its_source_never_the_token():
    responses.get(f"{API}/v1/jobs/j1", status=401,
                  json={"code": "UNAUTHENTICATED", "message": "the bearer token is not valid", "details": []})
    with pytest.raises(KindlingAuthError) as e:
        KindlingClient(API, StaticToken("s3cr3t-value", "KINDLING_TOKEN")).get("j1")
    assert "The token from KINDLING_TOKEN was refused" in str(e.value)
    assert "s3cr3t-value" not in str(e.value)
    assert len(responses.calls) == 1


@responses.activate
def test_403_keeps_the_api_message():
    responses.post(f"{API}/v1/jobs", status=403, json={
        "code": "FORBIDDEN", "message": "principal 'ci' has no role 'submit' in tenant 'team-a'", "details": []})
    with pytest.raises(KindlingAuthError) as e:
        KindlingClient(API, "t").submit({"application": {"type": "python", "file": "/a.py"}, "tenant": "team-a"})
    assert e.value.status == 403 and "no role 'submit' in tenant 'team-a'" in str(e.value)
    assert "lacks the role or tenant" in str(e.value)


@responses.activate
def test_404_is_not_an_auth_error():
    responses.get(f"{API}/v1/jobs/j1", status=404, json={"code": "NOT_FOUND", "message": "no job", "details": []})
    with pytest.raises(KindlingApiError) as e:
        KindlingClient(API, "t").get("j1")
    assert not isinstance(e.value, KindlingAuthError)


@responses.activate
def test_a_rotated_token_file_is_used_after_a_401(tmp_path):
    path = _write(tmp_path / "token", "old\n")
    source = FileToken(path)
    assert source.token() == "old"
    path.write_text("new\n")  # same size: the modification time tells the change
    os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns + 1_000_000))

    def answer(request):
        ok = request.headers.get("Authorization") == "Bearer new"
        if ok:
            return 200, {}, '{"id": "j1", "state": "RUNNING", "attempts": []}'
        return 401, {}, '{"code": "UNAUTHENTICATED", "message": "x", "details": []}'

    responses.add_callback(responses.GET, f"{API}/v1/jobs/j1", callback=answer)
    assert dict(KindlingClient(API, source).get("j1")) == {"id": "j1", "state": "RUNNING", "attempts": []}


@responses.activate
def test_upload_names_the_tenant_in_the_form(tmp_path):
    f = _write(tmp_path / "job.py", "print(1)\n")
    responses.post(f"{API}/v1/artifacts", status=201,
                   json={"uri": "artifact://team-a/abc/job.py", "sha256": "a" * 64, "size": 9})
    assert KindlingClient(API, "t").upload(str(f), tenant="team-a") == "artifact://team-a/abc/job.py"
    body = responses.calls[0].request.body
    assert isinstance(body, bytes)
    assert b'name="tenant"\r\n\r\nteam-a\r\n' in body and b"print(1)" in body


# ------------------------------------------------------------------ OIDC client credentials

def test_entra_style_client_credentials_are_fetched_cached_and_sent(token_endpoint, fake):
    fake.tokens = {"tok-1"}
    source = ClientCredentials("kindling-airflow", "app-secret", tenant_id="contoso-tenant",
                               authority=token_endpoint.url, scope="api://kindling-api/.default")
    client = KindlingClient(fake.url, source, sleep=lambda s: None)
    fake.add_job("j1")
    for _ in range(3):
        client.get("j1")
    assert token_endpoint.issued == ["tok-1"]  # one token for the three calls
    request = token_endpoint.requests[0]
    assert request.path == "/contoso-tenant/oauth2/v2.0/token"
    assert request.form == {"grant_type": "client_credentials", "scope": "api://kindling-api/.default",
                            "client_id": "kindling-airflow", "client_secret": "app-secret"}
    assert all(headers["Authorization"] == "Bearer tok-1" for _, _, headers in fake.requests)


def test_a_token_about_to_expire_is_fetched_again(token_endpoint, fake):
    token_endpoint.expires_in = 30  # within the leeway of 60 s: already "expired" for the client
    fake.tokens = {"tok-1", "tok-2"}
    fake.add_job("j1")
    client = KindlingClient(fake.url, ClientCredentials("kindling-airflow", "app-secret",
                                                        token_endpoint=f"{token_endpoint.url}/token"))
    client.get("j1")
    client.get("j1")
    assert token_endpoint.issued == ["tok-1", "tok-2"]
    assert [h["Authorization"] for _, _, h in fake.requests] == ["Bearer tok-1", "Bearer tok-2"]


def test_a_401_drops_the_token_and_retries_once_with_a_new_one(token_endpoint, fake):
    fake.tokens = {"tok-2"}  # the api no longer accepts the first token (revoked, or keys rotated)
    fake.add_job("j1")
    client = KindlingClient(fake.url, ClientCredentials("kindling-airflow", "app-secret",
                                                        token_endpoint=f"{token_endpoint.url}/token"))
    assert client.get("j1")["id"] == "j1"
    assert token_endpoint.issued == ["tok-1", "tok-2"]
    fake.tokens = set()  # nothing is accepted any more: one refresh, then the error
    with pytest.raises(KindlingAuthError, match="OIDC client credentials of client 'kindling-airflow' was refused"):
        client.get("j1")
    assert token_endpoint.issued == ["tok-1", "tok-2", "tok-3"]


def test_issuer_discovery_and_basic_client_authentication(token_endpoint):
    source = ClientCredentials("kindling-airflow", "app-secret", issuer=token_endpoint.url + "/",
                               auth_method="client_secret_basic", audience="kindling")
    assert source.token() == "tok-1"
    assert source.token_endpoint == f"{token_endpoint.url}/token"
    request = token_endpoint.requests[0]
    assert request.basic == ("kindling-airflow", "app-secret") and "client_secret" not in request.form
    assert request.form["audience"] == "kindling"


def test_client_secret_file_is_read_for_every_token_request(token_endpoint, tmp_path):
    secret = _write(tmp_path / "secret", "app-secret\n")
    source = ClientCredentials("kindling-airflow", client_secret_file=str(secret),
                               token_endpoint=f"{token_endpoint.url}/token")
    assert source.token() == "tok-1"
    secret.write_text("rotated\n")
    token_endpoint.clients["kindling-airflow"] = "rotated"
    source.refresh()
    assert source.token() == "tok-2"
    assert token_endpoint.requests[1].form["client_secret"] == "rotated"


def test_refused_client_credentials_give_the_endpoints_error(token_endpoint):
    source = ClientCredentials("kindling-airflow", "wrong", token_endpoint=f"{token_endpoint.url}/token")
    with pytest.raises(KindlingTokenError) as e:
        source.token()
    assert "invalid_client" in str(e.value) and "AADSTS7000215" in str(e.value)
    assert "wrong" not in str(e.value).replace("kindling-airflow", "")


def test_a_token_endpoint_that_answers_html_is_a_clear_error(token_endpoint):
    token_endpoint.fail_next.append((503, "<html>Service Unavailable</html>"))
    source = ClientCredentials("kindling-airflow", "app-secret", token_endpoint=f"{token_endpoint.url}/token")
    with pytest.raises(KindlingTokenError, match="HTTP 503"):
        source.token()
    assert source.token() == "tok-1"  # the next call tries again


@pytest.mark.parametrize("kwargs,problem", [
    ({"client_id": "", "client_secret": "s", "token_endpoint": "http://x"}, "client id"),
    ({"client_id": "c", "token_endpoint": "http://x"}, "client secret"),
    ({"client_id": "c", "client_secret": "s"}, "token_endpoint, tenant_id"),
])
def test_incomplete_client_credentials_are_refused_up_front(kwargs, problem):
    with pytest.raises(KindlingTokenError, match=problem):
        ClientCredentials(**kwargs)
