"""Fixtures of the integration tests: the real Kindling stack (``./kindling up`` on free ports,
a temporary KINDLING_HOME, stopped with SIGTERM at the end) and a real Airflow home (SQLite).

``KINDLING_TEST_API_URL`` (and ``KINDLING_TEST_KAFKA``) point the tests at a stack that is
already running instead, for a faster edit-test loop.

The token: ``./kindling up`` with authentication writes ``$KINDLING_HOME/admin.token``; the
tests read it from the stack's KINDLING_HOME (``KINDLING_TEST_TOKEN`` wins; for an external stack
the client's look-up: ``KINDLING_TOKEN``, ``KINDLING_TOKEN_FILE``, ``$KINDLING_HOME/admin.token``
with the repository's ``.kindling`` as the default home). When the api answers 401 without a
token and none is found, the tests fail saying so; when it does not ask for one, a token is
sent only if one was found.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "tools" / "pytest"))
from kindling_stack import StackError, admin_token, kindling_up, ready  # noqa: E402

AIRFLOW_DIR = REPO / "airflow"
VENV_BIN = Path(sys.executable).parent


@dataclass
class Stack:
    api_url: str
    kafka: str
    home: Path | None
    token: str | None = None

    def cli_env(self) -> dict[str, str]:
        """Environment of a ``kindling`` CLI process: it finds the token as a user's would, in the
        stack's ``$KINDLING_HOME/admin.token`` (or ``KINDLING_TOKEN`` for an external stack)."""
        env = {k: v for k, v in os.environ.items() if k not in ("KINDLING_TOKEN", "KINDLING_TOKEN_FILE")}
        if self.home is not None and (self.home / "admin.token").is_file():
            env["KINDLING_HOME"] = str(self.home)
        elif self.token:
            env["KINDLING_TOKEN"] = self.token
        return env

    def client(self):
        from kindling_client import KindlingClient

        return KindlingClient(self.api_url, self.token or "")

    def connection(self) -> dict[str, Any]:
        """The ``kindling_default`` connection (JSON form) of this stack, with its token as password."""
        host, port = self.api_url.removeprefix("http://").split(":")
        conn = {"conn_type": "kindling", "host": host, "port": int(port)}
        if self.token:
            conn["password"] = self.token
        return conn


def _status_without_token(url: str) -> int:
    return requests.get(url + "/v1/jobs", params={"limit": 1}, timeout=10).status_code


def stack_token(url: str, home: Path | None, wait: float = 30.0) -> str | None:
    """The token the tests use against the api at ``url`` (see the module's doc)."""
    from kindling_client.auth import resolve_token

    auth_on = _status_without_token(url) == 401
    explicit = os.environ.get("KINDLING_TEST_TOKEN", "").strip()
    looked = ["KINDLING_TEST_TOKEN"]
    token: str | None = explicit or None
    if token is None and home is not None:
        looked.append(str(home / "admin.token"))
        token = admin_token(home, wait if auth_on else 0)
    elif token is None:
        env = dict(os.environ)
        env.setdefault("KINDLING_HOME", str(REPO / ".kindling"))
        looked += ["KINDLING_TOKEN", "KINDLING_TOKEN_FILE", f"{env['KINDLING_HOME']}/admin.token"]
        source = resolve_token(None, env)
        token = source.token() if source is not None else None
    if auth_on and not token:
        pytest.fail(f"the api at {url} asks for a bearer token (GET /v1/jobs answered 401 without one) and no token "
                    f"was found; looked in: {', '.join(looked)}")
    if auth_on:
        answer = requests.get(url + "/v1/jobs", params={"limit": 1}, timeout=10,
                              headers={"Authorization": f"Bearer {token}"})
        if answer.status_code != 200:
            pytest.fail(f"the api at {url} refused the token found in {', '.join(looked)}: "
                        f"{answer.status_code} {answer.text[:500]}")
    return token


@pytest.fixture(scope="session")
def kindling_stack(tmp_path_factory):
    external = os.environ.get("KINDLING_TEST_API_URL")
    if external:
        if not ready(external):
            pytest.fail(f"KINDLING_TEST_API_URL={external} is not ready")
        url = external.rstrip("/")
        yield Stack(url, os.environ.get("KINDLING_TEST_KAFKA", "127.0.0.1:9092"), None, stack_token(url, None))
        return
    home = tmp_path_factory.mktemp("kindling-home")
    try:
        with kindling_up(home) as running:
            yield Stack(running.url, f"127.0.0.1:{running.kafka_port}", home, stack_token(running.url, home))
    except StackError as e:
        pytest.fail(str(e))


@dataclass
class AirflowEnv:
    env: dict[str, str]
    home: Path

    def dags_test(self, dag_id: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(VENV_BIN / "airflow"), "dags", "test", dag_id, *args], env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def popen_dags_test(self, dag_id: str, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([str(VENV_BIN / "airflow"), "dags", "test", dag_id, *args], env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)

    def popen_dag_test_at(self, dag_id: str, when: str) -> subprocess.Popen[str]:
        """``dag.test()`` with a fixed ``run_after`` (and logical date), so that two runs get the same
        run id (``airflow dags test`` takes ``run_after`` from the clock). Exits 0 when the run succeeded."""
        script = (
            "import sys\n"
            "from datetime import datetime\n"
            "from airflow.models.dagbag import DagBag\n"
            "dag = DagBag(dag_folder=sys.argv[1], include_examples=False).get_dag(sys.argv[2])\n"
            "when = datetime.fromisoformat(sys.argv[3])\n"
            "run = dag.test(logical_date=when, run_after=when)\n"
            "print('[DAG TEST RUN]', run.run_id, run.state, flush=True)\n"
            "sys.exit(0 if str(run.state).endswith('success') else 1)\n"
        )
        return subprocess.Popen([str(VENV_BIN / "python"), "-c", script, self.env["AIRFLOW__CORE__DAGS_FOLDER"], dag_id,
                                 when], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)

    def airflow(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(VENV_BIN / "airflow"), *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout)


@pytest.fixture(scope="session")
def airflow_env(kindling_stack, tmp_path_factory):
    """A real Airflow (the pinned one in this venv) with SQLite metadata, the example DAGs and
    the test DAGs in its dags folder, and a ``kindling_default`` connection to the stack."""
    home = tmp_path_factory.mktemp("airflow-home")
    dags = home / "dags"
    dags.mkdir()
    shutil.copy(REPO / "examples" / "airflow" / "kindling_pi.py", dags)
    shutil.copy(Path(__file__).parent / "dags" / "kindling_it.py", dags)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "AIRFLOW_CONN_KINDLING_DEFAULT": json.dumps(kindling_stack.connection()),
        "KINDLING_EXAMPLES_DIR": str(REPO / "examples"),
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    })
    migrate = subprocess.run([str(VENV_BIN / "airflow"), "db", "migrate"], env=env, capture_output=True, text=True,
                             timeout=600)
    assert migrate.returncode == 0, migrate.stdout[-3000:] + migrate.stderr[-3000:]
    return AirflowEnv(env, home)
