from __future__ import annotations

import pytest
from airflow.exceptions import AirflowException, TaskDeferred

from kindling_provider.sensors.kindling import KindlingJobSensor
from tests.unit.helpers import context, run_trigger


def sensor(**kw) -> KindlingJobSensor:
    return KindlingJobSensor(task_id="wait", poke_interval=0, **kw)


def test_poke_until_succeeded(kindling_conn):
    kindling_conn.add_job("j")
    s = sensor(job_id="j")
    results = [s.poke(context()) for _ in range(7)]
    assert results[:-1] == [False] * 6 and results[-1] is True


def test_failed_job_fails_sensor(kindling_conn):
    kindling_conn.add_job("j", steps=["FAILED"])
    with pytest.raises(AirflowException, match="ended FAILED"):
        sensor(job_id="j").poke(context())


def test_unknown_job_is_waited_for_unless_told(kindling_conn):
    assert sensor(job_id="later").poke(context()) is False
    with pytest.raises(AirflowException, match="NOT_FOUND"):
        sensor(job_id="later", fail_on_missing=True).poke(context())


def test_target_states(kindling_conn):
    kindling_conn.add_job("j", steps=["RUNNING"])
    assert sensor(job_id="j", target_states=["RUNNING"]).poke(context())


def test_deferrable(kindling_conn):
    kindling_conn.add_job("j")
    s = sensor(job_id="j", deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        s.execute(context())
    event = run_trigger(deferred.value.trigger)[0]
    assert s.execute_complete(context(), event.payload)["state"] == "SUCCEEDED"
