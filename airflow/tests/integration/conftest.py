"""Fixtures of the integration tests: the real Kindling stack (``./kindling up`` on free ports,
a temporary KINDLING_HOME, stopped with SIGTERM at the end) and a real Airflow home (SQLite).

``KINDLING_TEST_API_URL`` (and ``KINDLING_TEST_KAFKA``) point the tests at a stack that is
already running instead, for a faster edit-test loop.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[3]
AIRFLOW_DIR = REPO / "airflow"
VENV_BIN = Path(sys.executable).parent
UP_TIMEOUT = float(os.environ.get("KINDLING_TEST_UP_TIMEOUT", "900"))  # a first build can take minutes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Stack:
    api_url: str
    kafka: str
    home: Path | None


def _ready(url: str) -> bool:
    try:
        return requests.get(url + "/health/ready", timeout=2).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture(scope="session")
def kindling_stack(tmp_path_factory):
    external = os.environ.get("KINDLING_TEST_API_URL")
    if external:
        if not _ready(external):
            pytest.fail(f"KINDLING_TEST_API_URL={external} is not ready")
        yield Stack(external.rstrip("/"), os.environ.get("KINDLING_TEST_KAFKA", "127.0.0.1:9092"), None)
        return
    home = tmp_path_factory.mktemp("kindling-home")
    http_port, kafka_port = free_port(), free_port()
    env = dict(os.environ, KINDLING_HTTP_PORT=str(http_port), KINDLING_KAFKA_PORT=str(kafka_port),
               KINDLING_HOME=str(home))
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
        yield Stack(url, f"127.0.0.1:{kafka_port}", home)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # the script forwards one SIGTERM to the JVM
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        out.close()


@dataclass
class AirflowEnv:
    env: dict[str, str]
    home: Path

    def dags_test(self, dag_id: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run([str(VENV_BIN / "airflow"), "dags", "test", dag_id, *args], env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def popen_dags_test(self, dag_id: str, *args: str) -> subprocess.Popen:
        return subprocess.Popen([str(VENV_BIN / "airflow"), "dags", "test", dag_id, *args], env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)

    def popen_dag_test_at(self, dag_id: str, when: str) -> subprocess.Popen:
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

    def airflow(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
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
    host_port = kindling_stack.api_url.removeprefix("http://")
    host, port = host_port.split(":")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "AIRFLOW_CONN_KINDLING_DEFAULT": json.dumps({"conn_type": "kindling", "host": host, "port": int(port)}),
        "KINDLING_EXAMPLES_DIR": str(REPO / "examples"),
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    })
    migrate = subprocess.run([str(VENV_BIN / "airflow"), "db", "migrate"], env=env, capture_output=True, text=True,
                             timeout=600)
    assert migrate.returncode == 0, migrate.stdout[-3000:] + migrate.stderr[-3000:]
    return AirflowEnv(env, home)
