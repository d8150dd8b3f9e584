"""The operator keeps its driver-log offsets in an Airflow Variable of the task try, so a
re-run of the same try (worker restart) resumes the log instead of writing it twice."""
from __future__ import annotations

import re
from typing import ClassVar

import pytest
from airflow.exceptions import TaskDeferred

from kindling_client import LineSplitter
from kindling_provider import log_offsets
from kindling_provider.operators.kindling import KindlingSparkSubmitOperator
from tests.unit.helpers import capture, context, run_trigger

N = 40
STDOUT = b"".join(b"out %03d\n" % i for i in range(1, N + 1))
STDERR = b"".join(b"err %03d\n" % i for i in range(1, N + 1))
# RUNNING for 8 polls: the fake api reveals the log a few lines per poll
STEPS = ["QUEUED", "DISPATCHED", "SUBMITTING"] + ["RUNNING"] * 8 + ["SUCCEEDED"]
KEY = "kindling_log_offsets/dag/task/manual__2026-11-21T06:00:00+00:00/-1/1"


class WorkerDied(BaseException):
    """Stands for SIGKILL: nothing after it runs (no clean-up, no on_kill)."""


class DyingOperator(KindlingSparkSubmitOperator):
    """Dies right after its ``die_after``-th save of the offsets, mid-job."""

    die_after = 3

    def _save_offsets(self, follower, force=False):
        before = self._offsets_saved
        super()._save_offsets(follower, force)
        if self._offsets_saved is not before:
            self.saves = getattr(self, "saves", 0) + 1
            if self.saves >= self.die_after:
                raise WorkerDied()

    def _forget_offsets(self):  # a killed worker cleans nothing up
        pass


def op(cls=KindlingSparkSubmitOperator, **kw):
    kw.setdefault("application", "file:///jobs/numbered.py")
    kw.setdefault("poll_interval", 0)
    kw.setdefault("log_complete_grace", 0)
    kw.setdefault("log_offsets_save_interval", 0)
    return cls(task_id="spark", **kw)


def driver_lines(text: str, stream: str) -> list[str]:
    prefix = "out" if stream == "stdout" else "err"
    return re.findall(rf"^\[{stream}\] ({prefix} \d+)$", text, re.M)


@pytest.fixture
def numbered(kindling_conn):
    kindling_conn.job_template.update(stdout=STDOUT, stderr=STDERR, steps=list(STEPS))
    return kindling_conn


def test_second_run_of_the_same_try_resumes_without_doubling_lines(numbered, variables):
    first = op(DyingOperator)
    lines1 = capture(first)
    with pytest.raises(WorkerDied):
        first.execute(context())
    out1, err1 = driver_lines(lines1.text, "stdout"), driver_lines(lines1.text, "stderr")
    assert 0 < len(out1) < N and 0 < len(err1) < N, "the first run must die mid-job"
    record = variables.get(KEY, None, deserialize_json=True)
    assert record["job_id"] == first._job_id
    assert record["positions"] == {"1/stdout": len(out1) * 8, "1/stderr": len(err1) * 8}

    second = op()
    lines2 = capture(second)
    result = second.execute(context())
    assert result["job_id"] == first._job_id and result["state"] == "SUCCEEDED"
    assert "resuming its driver log where this try's previous run left it" in lines2.text
    out2, err2 = driver_lines(lines2.text, "stdout"), driver_lines(lines2.text, "stderr")
    assert len(out1) + len(out2) == N and len(err1) + len(err2) == N
    assert out1 + out2 == [f"out {i:03d}" for i in range(1, N + 1)]
    assert err1 + err2 == [f"err {i:03d}" for i in range(1, N + 1)]
    # the job ended and every line is written: the record is gone
    assert KEY not in variables.values and variables.deletes == [KEY]


def test_offsets_are_saved_while_streaming_and_deleted_at_the_end(numbered, variables):
    result = op().execute(context())
    saved = [value for key, value in variables.sets if key == KEY]
    assert len(saved) >= 2 and all(v["job_id"] == result["job_id"] for v in saved)
    stdout_offsets = [v["positions"].get("1/stdout", 0) for v in saved]
    assert stdout_offsets == sorted(stdout_offsets) and stdout_offsets[-1] <= len(STDOUT)
    assert variables.values == {}


def test_offsets_are_saved_at_most_every_interval(numbered, variables):
    op(log_offsets_save_interval=3600).execute(context())
    assert len(variables.sets) == 1  # the first save; then only the delete at the end
    assert variables.deletes == [KEY]


def test_a_new_try_starts_from_zero_for_its_new_job(numbered, variables):
    first = op(DyingOperator)
    with pytest.raises(WorkerDied):
        first.execute(context())
    retry = op()
    lines = capture(retry)
    result = retry.execute(context(try_number=2))
    assert result["job_id"] != first._job_id
    assert len(driver_lines(lines.text, "stdout")) == N and len(driver_lines(lines.text, "stderr")) == N
    assert KEY in variables.values  # try 1's record is not try 2's business


def test_saved_offsets_of_another_job_are_ignored(numbered, variables):
    variables.set(KEY, {"version": 1, "job_id": "some-other-job", "positions": {"1/stdout": 80}},
                  serialize_json=True)
    op().execute(context())  # submits: nothing to resume
    task = op()
    lines = capture(task)
    task.execute(context())  # re-attaches; the record (deleted by the first run) is gone
    assert "written again from the start" in lines.text
    assert len(driver_lines(lines.text, "stdout")) == N


class BrokenVariables:
    def get(self, *a, **kw):
        raise ConnectionError("execution api unreachable")

    set = delete = get


def test_variable_failures_do_not_fail_the_task(numbered, monkeypatch):
    monkeypatch.setattr(log_offsets, "Variable", BrokenVariables())
    task = op()
    lines = capture(task)
    assert task.execute(context())["state"] == "SUCCEEDED"
    assert len(driver_lines(lines.text, "stdout")) == N
    assert lines.text.count("could not save the driver-log offsets of this try") == 1  # warned once, not every save

    again = op()
    lines = capture(again)
    assert again.execute(context())["state"] == "SUCCEEDED"
    assert "could not read the driver-log offsets" in lines.text and "offset 0" in lines.text
    assert len(driver_lines(lines.text, "stdout")) == N  # the documented duplicate risk


def test_real_task_sdk_variable_outside_a_task_falls_back(numbered, monkeypatch):
    """Without the execution api (no task runner), the SDK's Variable.set cannot work: warn, go on."""
    from kindling_provider._compat import AIRFLOW_3

    if AIRFLOW_3:
        from airflow.sdk import Variable
    else:  # pragma: no cover
        from airflow.models import Variable
    monkeypatch.setattr(log_offsets, "Variable", Variable)
    task = op()
    lines = capture(task)
    assert task.execute(context())["state"] == "SUCCEEDED"
    assert len(driver_lines(lines.text, "stdout")) == N


def test_persist_log_offsets_false_touches_no_variable(numbered, variables):
    op(persist_log_offsets=False).execute(context())
    assert not variables.sets and not variables.deletes


def test_deferrable_saves_before_deferring_and_resumes_from_the_trigger(numbered, variables):
    numbered.job_template["step"] = 5  # already RUNNING with some log when the task first looks
    task = op(deferrable=True)
    lines = capture(task)
    ctx = context()
    with pytest.raises(TaskDeferred) as deferred:
        task.execute(ctx)
    before = driver_lines(lines.text, "stdout")
    assert 0 < len(before) < N
    saved = variables.get(KEY, None, deserialize_json=True)  # saved before deferring
    assert saved["positions"]["1/stdout"] == len(before) * 8
    event = run_trigger(deferred.value.trigger)[0]
    resumed = op(deferrable=True)  # the resumed task is a new operator object
    resumed_lines = capture(resumed)
    assert resumed.execute_complete(ctx, event.payload)["state"] == "SUCCEEDED"
    out = driver_lines(lines.text, "stdout") + driver_lines(resumed_lines.text, "stdout")
    assert out == [f"out {i:03d}" for i in range(1, N + 1)]
    assert variables.values == {}


def test_trigger_gets_offsets_of_complete_lines_only():
    """A partial last line is not counted as written: it is read again after the deferral."""
    splitter = LineSplitter()
    assert splitter.feed("1/stdout", b"a\nb\npart") == ["a", "b"]
    assert splitter.pending("1/stdout") == 4

    class Follower:
        positions: ClassVar[dict[str, int]] = {"1/stdout": 8}

    task = op()
    task._splitter = splitter
    assert task._written_positions(Follower()) == {"1/stdout": 4}


def test_offsets_key_is_short_enough_for_a_variable():
    assert log_offsets.offsets_key("d", "t", "r", -1, 2) == "kindling_log_offsets/d/t/r/-1/2"
    long = log_offsets.offsets_key("d" * 300, "t", "r", 0, 1)
    assert len(long) <= 250 and long.startswith("kindling_log_offsets/sha256/")
