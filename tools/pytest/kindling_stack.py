"""The one way the Python test suites (``airflow/tests/integration``, ``ui/tests``, ``contract/``)
start the real stack: ``./kindling up`` on free ports with a temporary ``KINDLING_HOME``, waited
for until ``/health/ready`` answers 200, and stopped with SIGTERM at the end.

Standard library only: each suite runs in its own venv and puts this directory on ``sys.path``.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
UP_TIMEOUT = float(os.environ.get("KINDLING_TEST_UP_TIMEOUT", "900"))  # a first build can take minutes
STOP_TIMEOUT = 120.0


class StackError(RuntimeError):
    """The stack did not start; the message carries the tail of its output."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ready(url: str) -> bool:
    """Whether the api at ``url`` answers ``GET /health/ready`` with 200."""
    try:
        with urllib.request.urlopen(url + "/health/ready", timeout=2) as res:
            return bool(res.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def admin_token(home: Path, wait: float = 30.0) -> str | None:
    """``$KINDLING_HOME/admin.token`` as the api writes it when it starts (it may trail readiness)."""
    admin = home / "admin.token"
    deadline = time.monotonic() + wait
    while not admin.is_file() and time.monotonic() < deadline:
        time.sleep(0.5)
    if not admin.is_file():
        return None
    return admin.read_text().strip() or None


@dataclass(frozen=True)
class RunningStack:
    url: str
    home: Path
    http_port: int
    kafka_port: int


@contextmanager
def kindling_up(home: Path, env: Mapping[str, str] | None = None) -> Iterator[RunningStack]:
    """Runs ``./kindling up`` with ``KINDLING_HOME=home`` on free HTTP, Kafka, metrics and session
    gateway ports; ``env`` (default: this process's environment) is the rest of its environment.
    Yields once the api is ready; raises :class:`StackError` with the output's tail if it exits or
    times out."""
    http_port, kafka_port = free_port(), free_port()
    full = dict(os.environ if env is None else env, KINDLING_HTTP_PORT=str(http_port),
                KINDLING_KAFKA_PORT=str(kafka_port), KINDLING_METRICS_PORT=str(free_port()),
                KINDLING_GATEWAY_CLIENT_PORT=str(free_port()), KINDLING_GATEWAY_AGENT_PORT=str(free_port()),
                KINDLING_HOME=str(home))
    log = home / "kindling-up.out"
    url = f"http://127.0.0.1:{http_port}"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(REPO / "kindling"), "up"], cwd=REPO, env=full, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            deadline = time.monotonic() + UP_TIMEOUT
            while not ready(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    out.flush()
                    tail = log.read_text(errors="replace")[-4000:]
                    raise StackError(f"./kindling up did not become ready (exit {proc.poll()}):\n{tail}")
                time.sleep(1)  # polling the readiness endpoint, not a synchronisation sleep
            yield RunningStack(url, home, http_port, kafka_port)
        finally:
            _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # the script forwards one SIGTERM to the JVM
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
