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
