"""The contract tests' stack: ``./kindling up`` on free ports with a temporary KINDLING_HOME (its
admin token in ``$KINDLING_HOME/admin.token``), stopped with SIGTERM at the end.

``KINDLING_TEST_API_URL`` (with ``KINDLING_TEST_TOKEN``) points the tests at a stack that is
already running instead, for a faster edit-test loop.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DOCUMENT = REPO / "schemas" / "src" / "main" / "resources" / "io" / "kindling" / "schemas" / "openapi.yaml"
UP_TIMEOUT = float(os.environ.get("KINDLING_TEST_UP_TIMEOUT", "900"))  # a first build can take minutes

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ready(url: str) -> bool:
    try:
        return requests.get(url + "/health/ready", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _token(home: Path) -> str:
    admin = home / "admin.token"
    deadline = time.monotonic() + 30
    while not admin.is_file() and time.monotonic() < deadline:
        time.sleep(0.5)  # written by the api as it starts
    assert admin.is_file(), f"./kindling up wrote no {admin}"
    return admin.read_text().strip()


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    external = os.environ.get("KINDLING_TEST_API_URL")
    if external:
        url = external.rstrip("/")
        if not _ready(url):
            pytest.fail(f"KINDLING_TEST_API_URL={url} is not ready")
        yield Stack(url, os.environ.get("KINDLING_TEST_TOKEN", "").strip())
        return
    home = tmp_path_factory.mktemp("kindling-home")
    http_port, kafka_port = _free_port(), _free_port()
    env = dict(os.environ, KINDLING_HTTP_PORT=str(http_port), KINDLING_KAFKA_PORT=str(kafka_port),
               KINDLING_METRICS_PORT=str(_free_port()),
               KINDLING_HOME=str(home))
    for name in ("KINDLING_AUTH_TOKENS_FILE", "KINDLING_OIDC_ISSUER", "KINDLING_AUTH_DISABLED"):
        env.pop(name, None)  # the default: an admin token in $KINDLING_HOME/admin.token
    out = open(home / "kindling-up.out", "wb")
    proc = subprocess.Popen([str(REPO / "kindling"), "up"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{http_port}"
    deadline = time.monotonic() + UP_TIMEOUT
    try:
        while not _ready(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                out.flush()
                tail = (home / "kindling-up.out").read_text(errors="replace")[-4000:]
                pytest.fail(f"./kindling up did not become ready (exit {proc.poll()}):\n{tail}")
            time.sleep(1)
        yield Stack(url, _token(home))
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # the script forwards one SIGTERM to the JVM
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        out.close()
