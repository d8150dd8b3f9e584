"""The contract tests' stack: ``./kindling up`` on free ports with a temporary KINDLING_HOME (its
admin token in ``$KINDLING_HOME/admin.token``), stopped with SIGTERM at the end.

``KINDLING_TEST_API_URL`` (with ``KINDLING_TEST_TOKEN``) points the tests at a stack that is
already running instead, for a faster edit-test loop.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DOCUMENT = REPO / "schemas" / "src" / "main" / "resources" / "io" / "kindling" / "schemas" / "openapi.yaml"

sys.path.insert(0, str(REPO / "tools" / "pytest"))
from kindling_stack import StackError, admin_token, kindling_up, ready  # noqa: E402

# The Python client is imported from its sources (it is not installed in this venv): wherever the
# repository keeps it, by its package name only.
for candidate in (REPO / "airflow" / "client" / "src", REPO / "airflow" / "src", REPO / "client" / "src"):
    if (candidate / "kindling_client").is_dir():
        sys.path.insert(0, str(candidate))
        break


@dataclass
class Stack:
    api_url: str
    token: str


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    external = os.environ.get("KINDLING_TEST_API_URL")
    if external:
        url = external.rstrip("/")
        if not ready(url):
            pytest.fail(f"KINDLING_TEST_API_URL={url} is not ready")
        yield Stack(url, os.environ.get("KINDLING_TEST_TOKEN", "").strip())
        return
    home = tmp_path_factory.mktemp("kindling-home")
    env = dict(os.environ)
    for name in ("KINDLING_AUTH_TOKENS_FILE", "KINDLING_OIDC_ISSUER", "KINDLING_AUTH_DISABLED"):
        env.pop(name, None)  # the default: an admin token in $KINDLING_HOME/admin.token
    try:
        with kindling_up(home, env) as running:
            token = admin_token(home)
            assert token, f"./kindling up wrote no {home / 'admin.token'}"
            yield Stack(running.url, token)
    except StackError as e:
        pytest.fail(str(e))
