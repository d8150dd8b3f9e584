"""The operator's W3C traceparent: on every api call of a task try, from the current OpenTelemetry
span when Airflow's OTel tracing is on (else the task instance's span, else a fresh trace)."""
from __future__ import annotations

import re

import pytest
from airflow.exceptions import TaskDeferred
from airflow.sdk import DAG
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from kindling_provider.operators.kindling import KindlingSparkSubmitOperator
from kindling_provider.tracing import XCOM_KEY, fresh_traceparent, is_traceparent
from tests.unit.helpers import FakeTaskInstance, capture, context, run_trigger, runtime_context

TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


def op(**kw) -> KindlingSparkSubmitOperator:
    kw.setdefault("application", "file:///jobs/pi.py")
    return KindlingSparkSubmitOperator(task_id="spark", poll_interval=0, log_complete_grace=0, **kw)


def sent(fake) -> list[str | None]:
    """The traceparent header of every request the fake api received."""
    return [headers.get("traceparent") for _, _, headers in fake.requests]


@pytest.fixture
def otel_on(monkeypatch):
    monkeypatch.setenv("AIRFLOW__TRACES__OTEL_ON", "True")


@pytest.fixture
def spans():
    """A real OpenTelemetry SDK tracer recording into memory (no global provider is set)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider.get_tracer("kindling-test"), exporter
    provider.shutdown()


def test_fresh_traceparent_is_valid_and_new_each_time():
    a, b = fresh_traceparent(), fresh_traceparent()
    assert TRACEPARENT.match(a) and TRACEPARENT.match(b) and a != b
    assert a.endswith("-01")  # sampled
    assert is_traceparent(a)
    assert not is_traceparent("00-" + "0" * 32 + "-" + "1" * 16 + "-01")
    assert not is_traceparent("00-" + "1" * 32 + "-" + "0" * 16 + "-01")
    assert not is_traceparent("garbage")


def test_tracing_off_every_call_of_the_try_carries_one_fresh_traceparent(kindling_conn, monkeypatch):
    monkeypatch.setenv("AIRFLOW__TRACES__OTEL_ON", "False")
    task = op()
    lines = capture(task)
    ti = FakeTaskInstance()
    task.execute(context(ti=ti))
    headers = sent(kindling_conn)
    assert len(headers) > 3 and len(set(headers)) == 1
    traceparent = headers[0]
    assert traceparent is not None and TRACEPARENT.match(traceparent)
    assert ti.xcoms[XCOM_KEY] == traceparent
    assert f"carry traceparent {traceparent} (from a new trace)" in lines.text
    kindling_conn.requests.clear()
    op().execute(context())
    assert sent(kindling_conn)[0] != traceparent  # another run, another trace


def test_tracing_on_the_current_span_is_the_parent(kindling_conn, otel_on, spans):
    tracer, exporter = spans
    task = op()
    with tracer.start_as_current_span("airflow task spark") as span:
        task.execute(context())
        span_context = span.get_span_context()
    headers = sent(kindling_conn)
    assert len(set(headers)) == 1
    found = TRACEPARENT.match(headers[0] or "")
    assert found, headers[0]
    assert found.group(1) == format(span_context.trace_id, "032x")
    assert found.group(2) == format(span_context.span_id, "016x")
    finished = exporter.get_finished_spans()
    assert [s.name for s in finished] == ["airflow task spark"]
    assert finished[0].context.trace_id == span_context.trace_id


def test_tracing_off_ignores_a_current_span(kindling_conn, spans, monkeypatch):
    monkeypatch.setenv("AIRFLOW__TRACES__OTEL_ON", "False")
    tracer, _ = spans
    with tracer.start_as_current_span("not airflow's") as span:
        op().execute(context())
        trace_id = format(span.get_span_context().trace_id, "032x")
    assert trace_id not in (sent(kindling_conn)[0] or "")


def test_tracing_on_without_a_current_span_uses_the_task_instances_span(kindling_conn, otel_on):
    carrier = {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}
    with DAG("traced", schedule=None):
        task = op()
    task.execute(runtime_context(task, context_carrier=carrier))
    assert set(sent(kindling_conn)) == {carrier["traceparent"]}


def test_tracing_on_without_any_span_is_a_fresh_trace(kindling_conn, otel_on):
    with DAG("traced", schedule=None):
        task = op()
    task.execute(runtime_context(task))
    headers = sent(kindling_conn)
    assert len(set(headers)) == 1 and TRACEPARENT.match(headers[0] or "")


def test_deferral_keeps_the_trace_through_the_trigger_and_the_resumed_task(kindling_conn, otel_on, spans):
    tracer, _ = spans
    task = op(deferrable=True)
    ctx = context()
    with tracer.start_as_current_span("airflow task spark"), pytest.raises(TaskDeferred) as deferred:
        task.execute(ctx)
    before = set(sent(kindling_conn))
    assert len(before) == 1
    traceparent = before.pop()
    trigger = deferred.value.trigger
    assert trigger.serialize()[1]["traceparent"] == traceparent
    kindling_conn.requests.clear()
    events = run_trigger(trigger)
    assert events[0].payload["traceparent"] == traceparent
    assert set(sent(kindling_conn)) == {traceparent}  # the trigger's polls
    kindling_conn.requests.clear()
    resumed = op(deferrable=True)  # a new process: no span is current any more
    assert resumed.execute_complete(ctx, events[0].payload)["state"] == "SUCCEEDED"
    assert set(sent(kindling_conn)) == {traceparent}
