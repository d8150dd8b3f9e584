"""Fixtures of the browser test: the real Kindling stack (``./kindling up`` on free ports with a
temporary KINDLING_HOME, stopped with SIGTERM at the end) and Debian's headless Chromium driven
by Playwright (``/usr/bin/chromium``; no browser download).

When the api authenticates (``KINDLING_AUTH_TOKENS_FILE`` is a known key), the stack gets a
tokens file with an admin and two team tokens, and OIDC settings pointing at a fake provider on
loopback (``fake_oidc.py``) for the authorization code + PKCE sign-in; otherwise the UI signs in with
``$KINDLING_HOME/admin.token`` when ``./kindling up`` wrote one (any token when the api has no
authentication yet).

``KINDLING_TEST_API_URL`` (with ``KINDLING_TEST_TOKEN``) points the test at a running stack.
Screenshots go to ``$KINDLING_UI_SCREENSHOTS`` (default ``ui/target/screenshots``).
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "pytest"))
from kindling_stack import StackError, admin_token, free_port, kindling_up, ready  # noqa: E402

CHROMIUM = os.environ.get("KINDLING_CHROMIUM", "/usr/bin/chromium")
KNOWN_KEYS = REPO / "common/src/main/java/io/kindling/common/config/KnownKeys.java"


@dataclass
class Stack:
    url: str
    home: Path | None
    token: str
    auth: bool  # the api authenticates callers (tenants are enforced)
    tokens: dict[str, str] = field(default_factory=dict)  # name -> token (auth only)
    oidc: object | None = None  # the FakeOidc the api trusts (auth only)

    def call(self, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict | None]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        tok = self.token if token is None else token
        if tok:
            req.add_header("Authorization", f"Bearer {tok}")
        try:
            with urllib.request.urlopen(req, timeout=10) as res:
                raw = res.read()
                return res.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return e.code, json.loads(raw)
            except ValueError:
                return e.code, None


def _auth_supported() -> bool:
    return KNOWN_KEYS.exists() and "KINDLING_AUTH_TOKENS_FILE" in KNOWN_KEYS.read_text()


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    external = os.environ.get("KINDLING_TEST_API_URL")
    if external:
        if not ready(external):
            pytest.fail(f"KINDLING_TEST_API_URL={external} is not ready")
        s = Stack(external.rstrip("/"), None, os.environ.get("KINDLING_TEST_TOKEN", ""), False)
        s.auth = s.call("GET", "/v1/jobs?limit=1", token="")[0] == 401
        yield s
        return
    home = tmp_path_factory.mktemp("kindling-home")
    # two pools: "default" (run by the embedded worker, with limits the Queues page shows) and
    # "parked" (no worker serves it: its first job stays DISPATCHED, the others QUEUED)
    pools = home / "pools.yaml"
    pools.write_text("pools:\n  default: {maxRunning: 2, maxRunningPerTenant: 2}\n  parked: {maxRunning: 1}\n")
    # the test's own settings are not the stack's (it refuses KINDLING_* keys it does not know)
    own = ("KINDLING_TEST_", "KINDLING_UI_SCREENSHOTS", "KINDLING_CHROMIUM")
    env = dict({k: v for k, v in os.environ.items() if not k.startswith(own)},
               KINDLING_CONFIG=str(pools), KINDLING_WORKER_POOL="default",
               # the worker runs local files only from allowed directories: the examples and this test's own scripts
               KINDLING_WORKER_LOCAL_PATHS=f"{REPO / 'examples'},{Path(__file__).resolve().parent}")
    tokens: dict[str, str] = {}
    auth = _auth_supported()
    oidc = None
    if auth:
        from fake_oidc import FakeOidc

        oidc = FakeOidc(audience="kindling-api", client_id="kindling-ui",
                        claims={"sub": "alice", "tenants": ["team-a"], "roles": ["read", "submit", "cancel"]}).__enter__()
        env.update(KINDLING_OIDC_ISSUER=oidc.issuer, KINDLING_OIDC_AUDIENCE="kindling-api",
                   KINDLING_OIDC_JWKS_URL=f"{oidc.issuer}/jwks", KINDLING_UI_OIDC_CLIENT_ID="kindling-ui",
                   KINDLING_UI_OIDC_SCOPE="openid")
        tokens = {name: secrets.token_urlsafe(24) for name in ("ui-admin", "team-a", "team-b")}
        entries = [
            {"name": "ui-admin", "tenants": ["default"], "roles": ["admin"]},
            {"name": "team-a", "tenants": ["team-a"], "roles": ["submit", "read", "cancel"]},
            {"name": "team-b", "tenants": ["team-b"], "roles": ["submit", "read", "cancel"]},
        ]
        for e in entries:
            e["sha256"] = hashlib.sha256(tokens[e["name"]].encode()).hexdigest()
        tokens_file = home / "tokens.yaml"
        tokens_file.write_text(json.dumps({"tokens": entries}))  # JSON is YAML
        tokens_file.chmod(0o600)
        env["KINDLING_AUTH_TOKENS_FILE"] = str(tokens_file)
    try:
        with kindling_up(home, env) as running:
            if auth:
                token = tokens["team-a"]
            else:
                # without authentication configured, ./kindling up writes an admin token
                token = admin_token(home, wait=0) or "no-auth-yet"
            yield Stack(running.url, home, token, auth, tokens, oidc)
    except StackError as e:
        pytest.fail(str(e))
    finally:
        if oidc is not None:
            oidc.__exit__(None, None, None)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    d = Path(os.environ.get("KINDLING_UI_SCREENSHOTS", REPO / "ui" / "target" / "screenshots"))
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: ./kindling installs Debian's chromium (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, device_scale_factor=1)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()
