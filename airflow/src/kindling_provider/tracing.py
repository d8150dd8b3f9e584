"""The W3C ``traceparent`` the operator sends on its calls to the Kindling api, so that the api,
the dispatcher, the worker and the Spark driver can join the trace of the Airflow task.

Which one (:func:`traceparent_for`):

1. when Airflow's OpenTelemetry tracing is on (``[traces] otel_on``): the current OpenTelemetry
   span of this process, if there is a valid one (e.g. a span the DAG's code or an Airflow
   plugin started around the task); else the task instance's own span, which Airflow's
   scheduler and executor hand to the task as its ``context_carrier``;
2. else (tracing off, or no span to be had): a fresh one -- a random trace id and span id,
   sampled -- so that the job can still be followed from the task log to the api and the driver.

The value is the same for every call of one task try (submission, polls, log reads, cancel,
the trigger while deferred); the operator logs it and pushes it to XCom (``kindling_traceparent``).
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow.sdk import Context

TRACEPARENT = "traceparent"
XCOM_KEY = "kindling_traceparent"
_TRACEPARENT = re.compile(r"^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$")


def is_traceparent(value: object) -> bool:
    """True for a valid version-00 W3C ``traceparent`` (non-zero trace and span ids)."""
    return isinstance(value, str) and _TRACEPARENT.match(value) is not None


def fresh_traceparent() -> str:
    """A new trace: random 128-bit trace id and 64-bit span id, sampled."""
    trace_id = span_id = ""
    while not is_traceparent(f"00-{trace_id}-{span_id}-01"):
        trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
    return f"00-{trace_id}-{span_id}-01"


def airflow_otel_on() -> bool:
    """``[traces] otel_on`` of Airflow's configuration."""
    from airflow.configuration import conf

    return conf.getboolean("traces", "otel_on", fallback=False)


def current_otel_traceparent() -> str | None:
    """The ``traceparent`` of the current OpenTelemetry span of this process (``None``: no valid span,
    or no OpenTelemetry API installed)."""
    try:
        from opentelemetry import trace
        from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
    except ImportError:
        return None
    if not trace.get_current_span().get_span_context().is_valid:
        return None
    carrier: dict[str, str] = {}
    TraceContextTextMapPropagator().inject(carrier)
    value = carrier.get(TRACEPARENT)
    return value if is_traceparent(value) else None


def task_span_traceparent(context: Context | Mapping[str, Any] | None) -> str | None:
    """The ``traceparent`` of the task instance's span (its ``context_carrier``), if Airflow made one."""
    ti = context.get("ti") if context is not None else None
    carrier = getattr(ti, "context_carrier", None)
    value = carrier.get(TRACEPARENT) if isinstance(carrier, Mapping) else None
    return value if is_traceparent(value) else None


def traceparent_for(context: Context | Mapping[str, Any] | None) -> tuple[str, str]:
    """``(traceparent, where it comes from)`` for a task run (see the module's documentation)."""
    if airflow_otel_on():
        current = current_otel_traceparent()
        if current:
            return current, "the current OpenTelemetry span"
        task_span = task_span_traceparent(context)
        if task_span:
            return task_span, "the task instance's span"
    return fresh_traceparent(), "a new trace"
