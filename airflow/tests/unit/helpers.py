from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from airflow.sdk import Context


class FakeTaskInstance:
    """The few task-instance attributes the operator reads from its context."""

    def __init__(self, dag_id: str = "dag", task_id: str = "task", try_number: int = 1, map_index: int = -1):
        self.dag_id, self.task_id, self.try_number, self.map_index = dag_id, task_id, try_number, map_index
        self.xcoms: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcoms[key] = value


def context(try_number: int = 1, run_id: str = "manual__2026-11-21T06:00:00+00:00", *,
            ti: FakeTaskInstance | None = None, **kw: Any) -> Context:
    """A stand-in for Airflow's task context: only the keys the operator reads."""
    return cast("Context", {"ti": ti or FakeTaskInstance(try_number=try_number, **kw), "run_id": run_id})


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def capture(task) -> Lines:
    handler = Lines()
    logger = logging.getLogger(f"kindling.test.{id(task)}")
    task._log = logger  # Airflow 2's LoggingMixin keeps its logger in _log,
    task._cached_logger = logger  # Airflow 3's Task SDK in _cached_logger
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    return handler


def run_trigger(trigger):
    async def collect():
        return [e async for e in trigger.run()]

    return asyncio.run(collect())


def runtime_context(task: Any, *, run_id: str = "manual__2026-12-05T06:00:00+00:00", try_number: int = 1,
                    conf: dict[str, Any] | None = None, context_carrier: dict[str, Any] | None = None) -> Context:
    """The real template context of a real Task SDK ``RuntimeTaskInstance`` of ``task`` (which
    must belong to a DAG), built the way the task runner builds it from what the api server
    sends (a ``TIRunContext`` with the DAG run); no database and no supervisor are needed."""
    from datetime import datetime, timezone

    from airflow.sdk.api.datamodels._generated import DagRun, DagRunState, DagRunType, TIRunContext
    from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance
    from airflow.utils.state import TaskInstanceState
    from uuid6 import uuid7

    when = datetime(2026, 12, 5, 6, 0, tzinfo=timezone.utc)
    dag_run = DagRun(dag_id=task.dag_id, run_id=run_id, logical_date=when, run_after=when, start_date=when,
                     run_type=DagRunType.MANUAL, state=DagRunState.RUNNING, consumed_asset_events=[], clear_number=0,
                     conf=conf or {})
    ti = RuntimeTaskInstance.model_construct(
        id=uuid7(), task_id=task.task_id, dag_id=task.dag_id, run_id=run_id, try_number=try_number, map_index=-1,
        dag_version_id=uuid7(), task=task, _ti_context_from_server=TIRunContext(dag_run=dag_run, max_tries=0),
        max_tries=0, start_date=when, state=TaskInstanceState.RUNNING, context_carrier=context_carrier)
    return ti.get_template_context()
