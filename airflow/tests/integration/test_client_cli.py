"""The ``kindling`` CLI and the operator's re-attach, against the real stack."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]
KINDLING = str(Path(sys.executable).parent / "kindling")


def _cli(stack, *args, timeout=600):
    return subprocess.run([KINDLING, "--api", stack.api_url, *args], capture_output=True, text=True, timeout=timeout,
                          env=stack.cli_env())


def test_submit_follow_prints_the_driver_output_live_and_exits_with_the_job_status(kindling_stack):
    result = _cli(kindling_stack, "submit", str(REPO / "examples" / "pi.py"), "2", "--name", "cli-pi", "--follow")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    job_id, *output = result.stdout.splitlines()
    assert any(line.startswith("Pi is roughly 3.1") for line in output), result.stdout
    assert "SUCCEEDED" in result.stderr.splitlines()[-1]

    status = _cli(kindling_stack, "status", job_id)
    assert status.returncode == 0 and json.loads(status.stdout)["state"] == "SUCCEEDED"
    logs = _cli(kindling_stack, "logs", job_id)
    assert logs.returncode == 0 and "Pi is roughly" in logs.stdout
    follow_done = _cli(kindling_stack, "logs", job_id, "-f", "--stream", "stdout")
    assert follow_done.returncode == 0 and "Pi is roughly" in follow_done.stdout


def test_logs_follow_prints_a_running_jobs_output_live(kindling_stack):
    submitted = _cli(kindling_stack, "submit", str(REPO / "examples" / "sleep.py"), "12", "--name", "cli-live")
    assert submitted.returncode == 0, submitted.stderr[-2000:]
    job_id = submitted.stdout.split()[0]
    follower = subprocess.Popen([KINDLING, "--api", kindling_stack.api_url, "logs", job_id, "-f"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=kindling_stack.cli_env())
    try:
        assert follower.stdout is not None
        first = follower.stdout.readline()
        # the first line reached us while the job was still running: it is followed live
        state_then = json.loads(_cli(kindling_stack, "status", job_id).stdout)["state"]
        assert first.startswith("kindling-sleep:"), first
        assert state_then == "RUNNING", state_then
        rest, err = follower.communicate(timeout=300)
    finally:
        if follower.poll() is None:
            follower.kill()
    assert follower.returncode == 0, err[-2000:]
    assert "kindling-sleep: done" in rest


def test_logs_follow_of_a_failing_job_exits_non_zero(kindling_stack):
    result = _cli(kindling_stack, "submit", str(REPO / "examples" / "fail.py"), "5", "--follow")
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-4000:]
    assert "kindling-fail: failing on purpose with exit code 5" in result.stderr
    assert "FAILED" in result.stderr.splitlines()[-1]


def test_same_try_of_a_task_reattaches_to_its_job(kindling_stack, monkeypatch):
    from kindling_provider.operators.kindling import KindlingSparkSubmitOperator
    from tests.unit.helpers import capture, context

    monkeypatch.setenv("AIRFLOW_CONN_KINDLING_DEFAULT", json.dumps(kindling_stack.connection()))
    run_id = f"manual__reattach-{Path(kindling_stack.api_url).name}-{id(monkeypatch)}"

    def task():
        return KindlingSparkSubmitOperator(task_id="pi", application=f"file://{REPO / 'examples' / 'pi.py'}",
                                           application_args=["1"], poll_interval=1)

    first = task().execute(context(run_id=run_id))
    again = task()
    lines = capture(again)
    second = again.execute(context(run_id=run_id))
    assert second["job_id"] == first["job_id"] and second["state"] == "SUCCEEDED"
    assert "re-attached to Kindling job" in lines.text
    # the first run finished the job and deleted its saved offsets (and outside a task runner the
    # Task SDK cannot write a Variable anyway): the log is written again from offset 0, as documented
    assert "[stdout] Pi is roughly" in lines.text
    retry = task().execute(context(run_id=run_id, try_number=2))
    assert retry["job_id"] != first["job_id"]
