from __future__ import annotations

import pytest
from airflow.exceptions import AirflowException, TaskDeferred

from kindling_provider.operators.kindling import KindlingSparkSubmitOperator, idempotency_key
from kindling_provider.triggers.kindling import KindlingJobTrigger
from tests.unit.helpers import FakeTaskInstance, capture, context, run_trigger


def op(**kw) -> KindlingSparkSubmitOperator:
    kw.setdefault("application", "file:///jobs/pi.py")
    kw.setdefault("poll_interval", 0)
    kw.setdefault("log_complete_grace", 0)
    return KindlingSparkSubmitOperator(task_id="spark", **kw)


def test_build_spec_maps_spark_submit_arguments():
    task = op(application="file:///jobs/app.py", application_args=["a", 1], conf={"spark.x": 1},
              py_files="file:///a.zip,file:///b.zip", jars=["file:///c.jar"], files="file:///f.txt",
              archives=["file:///env.tgz#env"], packages="org.a:b:1.0,org.c:d:2.0", name="nightly",
              driver_memory="1g", driver_cores=1, executor_memory="2g", executor_cores=2, num_executors=3,
              env_vars={"A": 1}, kindling_pool="etl", priority=7, timeout_seconds=600,
              retry={"max_attempts": 3, "retryOn": ["APP_FAILED"]}, labels={"team": "data"},
              secret_refs={"DB_PASSWORD": "db/password", "API_KEY": {"secret": "api", "key": "key"}},
              tenant="team-a")
    spec = task.build_spec(context())
    assert spec["application"] == {"type": "python", "file": "file:///jobs/app.py", "args": ["a", "1"]}
    assert spec["conf"] == {"spark.x": "1", "spark.driver.memory": "1g", "spark.driver.cores": "1",
                            "spark.executor.memory": "2g", "spark.executor.cores": "2",
                            "spark.executor.instances": "3"}
    assert spec["pyFiles"] == ["file:///a.zip", "file:///b.zip"] and spec["jars"] == ["file:///c.jar"]
    assert spec["files"] == ["file:///f.txt"] and spec["archives"] == ["file:///env.tgz#env"]
    assert spec["packages"] == ["org.a:b:1.0", "org.c:d:2.0"]
    assert spec["env"] == {"A": "1"} and spec["pool"] == "etl" and spec["priority"] == 7
    assert spec["timeoutSeconds"] == 600 and spec["retry"] == {"maxAttempts": 3, "retryOn": ["APP_FAILED"]}
    assert spec["labels"]["team"] == "data" and spec["labels"]["airflow-dag-id"] == "dag"
    assert spec["name"] == "nightly"
    assert spec["secretRefs"] == {"DB_PASSWORD": {"secret": "db", "key": "password"},
                                  "API_KEY": {"secret": "api", "key": "key"}}
    assert spec["tenant"] == "team-a" and "tenant" not in spec["labels"]


def test_jvm_application():
    spec = op(application="file:///x/app.jar", java_class="io.x.Main").build_spec()
    assert spec["application"] == {"type": "jvm", "file": "file:///x/app.jar", "mainClass": "io.x.Main"}
    assert spec["name"] == "spark"


def test_template_fields_cover_the_spec():
    for field in ("application", "application_args", "conf", "env_vars", "kindling_pool", "name", "labels"):
        assert field in KindlingSparkSubmitOperator.template_fields


def test_idempotency_key_derivation():
    assert idempotency_key("d", "t", "r", -1, 2) == "airflow/d/t/r/-1/2"
    long = idempotency_key("d" * 250, "t", "r", 0, 1)
    assert len(long) <= 200 and long.startswith("airflow/sha256/")


def test_sync_run_streams_driver_log_and_returns_xcom(kindling_conn):
    task = op()
    lines = capture(task)
    ti = FakeTaskInstance()
    result = task.execute(context(ti=ti))
    assert result["state"] == "SUCCEEDED" and result["spark_app_id"] == "local-123"
    assert result["links"]["logs_url"].endswith(f"/v1/jobs/{result['job_id']}/logs/stdout")
    assert "[stdout] Pi is roughly 3.14159" in lines.text
    assert "[stderr] INFO SparkContext: Running Spark" in lines.text
    assert lines.text.count("Pi is roughly") == 1
    assert ti.xcoms["kindling_job"]["spark_ui_url"] == "http://127.0.0.1:4040"
    # the log was written while the job ran: the Pi line came before the SUCCEEDED state line
    assert lines.text.index("Pi is roughly") < lines.text.index("is SUCCEEDED")
    submitted = kindling_conn.jobs[result["job_id"]].spec
    assert submitted["idempotencyKey"] == "airflow/dag/task/manual__2026-11-21T06:00:00+00:00/-1/1"


def test_same_try_reattaches_new_try_starts_new_job(kindling_conn):
    first = op().execute(context())
    task = op()
    lines = capture(task)
    again = task.execute(context())
    assert again["job_id"] == first["job_id"]
    assert "re-attached to Kindling job" in lines.text
    retry = op().execute(context(try_number=2))
    assert retry["job_id"] != first["job_id"]
    assert len(kindling_conn.jobs) == 2


def test_changed_body_for_same_key_is_a_clear_error(kindling_conn):
    op().execute(context())
    with pytest.raises(AirflowException, match="different spec"):
        op(application_args=["changed"]).execute(context())


def test_failed_job_fails_task_with_reason_exit_code_and_stderr(kindling_conn):
    with pytest.raises(AirflowException) as e:
        op(application="file:///jobs/fail.py").execute(context())
    text = str(e.value)
    assert "FAILED: reason APP_FAILED, exit code 3" in text
    assert "failing on purpose with exit code 3" in text.split("last stderr lines:")[1]


def test_rejected_submission_is_reported(kindling_conn):
    kindling_conn.fail_next.append(400)
    with pytest.raises(AirflowException, match="rejected"):
        op().execute(context())


def test_deferrable_defers_then_writes_remaining_log(kindling_conn):
    task = op(deferrable=True)
    lines = capture(task)
    ctx = context()
    with pytest.raises(TaskDeferred) as deferred:
        task.execute(ctx)
    trigger = deferred.value.trigger
    assert isinstance(trigger, KindlingJobTrigger) and deferred.value.method_name == "execute_complete"
    events = run_trigger(trigger)
    assert events[0].payload["status"] == "done"
    result = task.execute_complete(ctx, events[0].payload)
    assert result["state"] == "SUCCEEDED"
    assert lines.text.count("[stdout] Pi is roughly 3.14159") == 1


def test_deferrable_failure(kindling_conn):
    task = op(application="file:///jobs/fail.py", deferrable=True)
    ctx = context()
    with pytest.raises(TaskDeferred) as deferred:
        task.execute(ctx)
    event = run_trigger(deferred.value.trigger)[0]
    with pytest.raises(AirflowException, match="APP_FAILED"):
        task.execute_complete(ctx, event.payload)


def test_trigger_error_event_fails_task(kindling_conn):
    with pytest.raises(AirflowException, match="waiting for Kindling job"):
        op().execute_complete(context(), {"status": "error", "job_id": "gone", "message": "boom"})


def test_on_kill_cancels_the_job(kindling_conn):
    fake = kindling_conn
    task = op()
    fake.add_job("running-job", steps=["RUNNING"])
    task._job_id = "running-job"
    task.on_kill()
    assert fake.jobs["running-job"].cancelled


def test_on_kill_without_cancel_endpoint_only_logs(kindling_conn):
    kindling_conn.cancel_supported = False
    kindling_conn.add_job("j", steps=["RUNNING"])
    task = op()
    lines = capture(task)
    task._job_id = "j"
    task.on_kill()
    assert "could not cancel Kindling job j" in lines.text


def test_cancelled_job_fails_task(kindling_conn):
    fake = kindling_conn
    task = op()
    fake.add_job("j", steps=["RUNNING", "RUNNING"]).cancelled = True
    from kindling_client import KindlingClient

    with pytest.raises(AirflowException, match="CANCELLED"):
        task._follow_to_end(context(), KindlingClient(fake.url).follow("j", poll_interval=0))


def test_a_refused_upload_is_a_clear_error(kindling_conn, tmp_path):
    app = tmp_path / "job.py"
    app.write_text("print('hi')")
    with pytest.raises(AirflowException) as e:
        op(application=str(app)).execute(context())
    assert "cannot upload application" in str(e.value) and "NOT_FOUND (404)" in str(e.value)
    assert f"file://{app}" in str(e.value)
    assert not kindling_conn.jobs


def test_local_application_is_uploaded(kindling_conn, tmp_path):
    kindling_conn.artifacts_supported = True
    app = tmp_path / "job.py"
    app.write_text("print('hi')")
    result = op(application=str(app)).execute(context())
    assert kindling_conn.jobs[result["job_id"]].spec["application"]["file"].startswith("artifact://")
    assert b"print('hi')" in kindling_conn.uploads[0]


def test_local_path_passed_as_is_without_upload(kindling_conn):
    spec = op(application="/shared/pi.py", upload_local_files=False).build_spec()
    assert spec["application"]["file"] == "/shared/pi.py"


def test_missing_local_file(kindling_conn):
    with pytest.raises(AirflowException, match="neither a URI nor a file"):
        op(application="/nope/missing.py").build_spec()


def test_extra_links_are_declared():
    names = {link.name for link in KindlingSparkSubmitOperator.operator_extra_links}
    assert names == {"Kindling job logs", "Spark UI"}


def test_tenant_names_the_job_and_its_uploads_never_a_label(kindling_conn, tmp_path):
    kindling_conn.artifacts_supported = True
    app = tmp_path / "job.py"
    app.write_text("print('hi')")
    result = op(application=str(app), tenant="team-a", labels={"team": "a"}).execute(context())
    spec = kindling_conn.jobs[result["job_id"]].spec
    assert spec["tenant"] == "team-a" and "tenant" not in spec["labels"]
    assert kindling_conn.upload_tenants == ["team-a"]
    assert spec["application"]["file"].startswith("artifact://team-a/")


def test_without_tenant_none_is_sent():
    spec = op().build_spec(context())
    assert "tenant" not in spec and "tenant" not in spec["labels"]


def test_a_tenant_label_is_refused_before_submitting(kindling_conn):
    with pytest.raises(AirflowException, match="use the operator's tenant argument"):
        op(labels={"tenant": "team-b"}).execute(context())
    assert not kindling_conn.jobs


@pytest.mark.parametrize("refs", [["db-password"], {"DB": "no-slash"}, {"DB": {"secret": "db"}}])
def test_malformed_secret_refs_are_a_clear_error(refs):
    with pytest.raises(AirflowException, match="secret_refs"):
        op(secret_refs=refs).build_spec()


def test_runs_against_an_authenticated_api_with_the_connections_token(kindling_conn):
    kindling_conn.tokens = {"s3cret"}  # the password of the test connection
    result = op(secret_refs={"DB_PASSWORD": "db/password"}).execute(context())
    assert result["state"] == "SUCCEEDED"
    assert kindling_conn.jobs[result["job_id"]].spec["secretRefs"] == {
        "DB_PASSWORD": {"secret": "db", "key": "password"}}
    assert {h.get("Authorization") for _, _, h in kindling_conn.requests} == {"Bearer s3cret"}


def test_a_refused_token_fails_the_task_naming_the_connection(kindling_conn):
    kindling_conn.tokens = {"another"}
    with pytest.raises(AirflowException) as e:
        op().execute(context())
    text = str(e.value)
    assert "refused the credentials of connection 'kindling_default'" in text
    assert "UNAUTHENTICATED (401)" in text and "password of connection 'kindling_default'" in text
    assert "s3cret" not in text


def test_oidc_connection_gets_its_token_from_the_token_endpoint(kindling_conn, token_endpoint, monkeypatch):
    import json

    host, port = kindling_conn.url.removeprefix("http://").split(":")
    monkeypatch.setenv("AIRFLOW_CONN_KINDLING_DEFAULT", json.dumps({
        "conn_type": "kindling", "host": host, "port": int(port), "login": "kindling-airflow",
        "password": "app-secret", "extra": {"oidc": {"tenant_id": "contoso", "authority": token_endpoint.url,
                                                     "scope": "api://kindling-api/.default"}}}))
    kindling_conn.tokens = {"tok-1"}
    assert op().execute(context())["state"] == "SUCCEEDED"
    assert token_endpoint.issued == ["tok-1"]
    assert token_endpoint.requests[0].path == "/contoso/oauth2/v2.0/token"


def test_bad_arguments_are_refused_before_anything_is_uploaded(kindling_conn, tmp_path):
    kindling_conn.artifacts_supported = True
    app = tmp_path / "job.py"
    app.write_text("print('hi')")
    for bad in ({"labels": {"tenant": "x"}}, {"secret_refs": {"DB": "no-slash"}}):
        with pytest.raises(AirflowException):
            op(application=str(app), **bad).execute(context())
    assert kindling_conn.uploads == [] and not kindling_conn.jobs
