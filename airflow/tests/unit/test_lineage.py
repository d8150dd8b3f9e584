"""OpenLineage injection into the job's Spark conf, with the real apache-airflow-providers-openlineage
(its configuration read from Airflow's config, its macros and its Spark helpers) and the real
template context of a Task SDK RuntimeTaskInstance."""
from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from airflow.providers.openlineage import conf as ol_conf
from airflow.providers.openlineage.plugins.macros import lineage_root_run_id, lineage_run_id
from airflow.sdk import DAG

from kindling_provider.operators.kindling import KindlingSparkSubmitOperator
from tests.unit.helpers import runtime_context

PARENT_KEYS = {
    "spark.openlineage.parentJobNamespace", "spark.openlineage.parentJobName", "spark.openlineage.parentRunId",
    "spark.openlineage.rootParentJobNamespace", "spark.openlineage.rootParentJobName",
    "spark.openlineage.rootParentRunId",
}
HTTP_TRANSPORT = {"type": "http", "url": "http://marquez.example:5000", "endpoint": "api/v1/lineage", "timeout": 7,
                  "auth": {"type": "api_key", "apiKey": "ol-secret"}, "custom_headers": {"X-Team": "data"}}


def _clear_ol_caches() -> None:
    for value in vars(ol_conf).values():
        if callable(value) and hasattr(value, "cache_clear"):
            value.cache_clear()


@pytest.fixture
def openlineage(monkeypatch):
    """Configures Airflow's OpenLineage provider through the environment, as a deployment would."""

    def configure(transport: dict[str, Any] | None = HTTP_TRANSPORT, parent: bool = True, transport_info: bool = True,
                  disabled: bool = False) -> None:
        monkeypatch.setenv("AIRFLOW__OPENLINEAGE__NAMESPACE", "kindling-it")
        if transport is not None:
            monkeypatch.setenv("AIRFLOW__OPENLINEAGE__TRANSPORT", json.dumps(transport))
        monkeypatch.setenv("AIRFLOW__OPENLINEAGE__SPARK_INJECT_PARENT_JOB_INFO", str(parent))
        monkeypatch.setenv("AIRFLOW__OPENLINEAGE__SPARK_INJECT_TRANSPORT_INFO", str(transport_info))
        monkeypatch.setenv("AIRFLOW__OPENLINEAGE__DISABLED", str(disabled))
        _clear_ol_caches()

    for name in ("TRANSPORT", "NAMESPACE", "DISABLED", "SPARK_INJECT_PARENT_JOB_INFO", "SPARK_INJECT_TRANSPORT_INFO"):
        monkeypatch.delenv(f"AIRFLOW__OPENLINEAGE__{name}", raising=False)
    for name in ("OPENLINEAGE_URL", "OPENLINEAGE_CONFIG", "OPENLINEAGE_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    _clear_ol_caches()
    yield configure
    _clear_ol_caches()


def task_in_dag(**kw) -> KindlingSparkSubmitOperator:
    with DAG("lineage_dag", schedule=None):
        return KindlingSparkSubmitOperator(task_id="spark", application="file:///jobs/app.py", **kw)


def ol_keys(conf: dict[str, Any]) -> set[str]:
    return {k for k in conf if k.startswith("spark.openlineage.")}


def test_nothing_is_injected_without_openlineage_configuration(openlineage):
    task = task_in_dag(conf={"spark.x": "1"})
    assert task.build_spec(runtime_context(task))["conf"] == {"spark.x": "1"}


def test_parent_job_and_transport_from_airflows_openlineage_config(openlineage):
    openlineage()
    task = task_in_dag(conf={"spark.x": "1"})
    context = runtime_context(task)
    conf = task.build_spec(context)["conf"]
    ti = context["ti"]
    assert conf["spark.x"] == "1"
    assert conf["spark.openlineage.parentJobNamespace"] == "kindling-it"
    assert conf["spark.openlineage.parentJobName"] == "lineage_dag.spark"
    # the run id Airflow's OpenLineage listener gives this task try (a UUID), and its DAG run's
    assert conf["spark.openlineage.parentRunId"] == lineage_run_id(ti)
    assert uuid.UUID(conf["spark.openlineage.parentRunId"]).version == 7
    assert conf["spark.openlineage.rootParentJobNamespace"] == "kindling-it"
    assert conf["spark.openlineage.rootParentJobName"] == "lineage_dag"
    assert conf["spark.openlineage.rootParentRunId"] == lineage_root_run_id(ti)
    assert conf["spark.openlineage.rootParentRunId"] != conf["spark.openlineage.parentRunId"]
    assert {k: v for k, v in conf.items() if k.startswith("spark.openlineage.transport.")} == {
        "spark.openlineage.transport.type": "http",
        "spark.openlineage.transport.url": "http://marquez.example:5000",
        "spark.openlineage.transport.endpoint": "api/v1/lineage",
        "spark.openlineage.transport.timeoutInMillis": "7000",
        "spark.openlineage.transport.auth.type": "api_key",
        "spark.openlineage.transport.auth.apiKey": "Bearer ol-secret",
        "spark.openlineage.transport.headers.X-Team": "data",
    }


def test_the_same_try_gets_the_same_lineage_conf_so_a_rerun_reattaches(openlineage):
    openlineage()
    task = task_in_dag()
    first = task.build_spec(runtime_context(task))["conf"]
    assert task.build_spec(runtime_context(task))["conf"] == first
    retry = task.build_spec(runtime_context(task, try_number=2))["conf"]
    assert retry["spark.openlineage.parentRunId"] != first["spark.openlineage.parentRunId"]
    assert retry["spark.openlineage.rootParentRunId"] == first["spark.openlineage.rootParentRunId"]


def test_operator_opts_out_of_each_part(openlineage):
    openlineage()
    no_parent = task_in_dag(openlineage_inject_parent_job_info=False)
    conf = no_parent.build_spec(runtime_context(no_parent))["conf"]
    assert not PARENT_KEYS & set(conf) and conf["spark.openlineage.transport.type"] == "http"
    no_transport = task_in_dag(openlineage_inject_transport_info=False)
    conf = no_transport.build_spec(runtime_context(no_transport))["conf"]
    assert PARENT_KEYS <= set(conf) and not any(k.startswith("spark.openlineage.transport") for k in conf)


def test_operator_opts_in_when_the_config_does_not(openlineage):
    openlineage(parent=False, transport_info=False)
    default = task_in_dag()
    assert not ol_keys(default.build_spec(runtime_context(default)).get("conf", {}))
    opted_in = task_in_dag(openlineage_inject_parent_job_info=True)
    assert ol_keys(opted_in.build_spec(runtime_context(opted_in))["conf"]) == PARENT_KEYS


def test_keys_the_user_set_are_never_overridden(openlineage):
    openlineage()
    task = task_in_dag(conf={"spark.openlineage.rootParentRunId": "mine", "spark.openlineage.transport.url": "u"})
    conf = task.build_spec(runtime_context(task))["conf"]
    assert conf["spark.openlineage.rootParentRunId"] == "mine"  # the rest of the parent keys are added
    assert conf["spark.openlineage.parentJobName"] == "lineage_dag.spark"
    assert conf["spark.openlineage.transport.url"] == "u"  # a transport of the user's: none of Airflow's
    transport = [k for k in conf if k.startswith("spark.openlineage.transport.")]
    assert transport == ["spark.openlineage.transport.url"]
    own_parent = task_in_dag(conf={"spark.openlineage.parentRunId": "p"})
    conf = own_parent.build_spec(runtime_context(own_parent))["conf"]
    assert conf["spark.openlineage.parentRunId"] == "p"
    assert not (PARENT_KEYS - {"spark.openlineage.parentRunId"}) & set(conf)  # the provider's rule: all or none


def test_disabled_openlineage_injects_nothing(openlineage):
    openlineage(disabled=True)
    task = task_in_dag()
    assert not ol_keys(task.build_spec(runtime_context(task)).get("conf", {}))


def test_the_submitted_job_carries_the_lineage_conf(openlineage, kindling_conn):
    openlineage()
    task = task_in_dag(poll_interval=0, log_complete_grace=0)
    context = runtime_context(task)
    result = task.execute(context)
    conf = kindling_conn.jobs[result["job_id"]].spec["conf"]
    assert conf["spark.openlineage.parentRunId"] == lineage_run_id(context["ti"])
    assert conf["spark.openlineage.transport.url"] == "http://marquez.example:5000"
