"""``KindlingJobTrigger``: waits, in the triggerer, until a Kindling job has ended."""
from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from kindling_client import states
from kindling_client.aio import AsyncKindlingClient
from kindling_client.errors import KindlingError


class KindlingJobTrigger(BaseTrigger):
    """Polls ``GET /v1/jobs/{id}`` every ``poll_interval`` seconds until the job is terminal.

    Fires one event: ``{"status": "done", "job_id", "job": <view>, "positions": …}`` when the
    job has ended, ``{"status": "timeout", …}`` after ``timeout`` seconds, or
    ``{"status": "error", "job_id", "message"}`` when the api could not be asked (after the
    client's retries). ``positions`` (driver-log offsets the task had already written) is
    handed back unchanged so the resumed task writes only the remaining log lines.
    ``traceparent`` (the task's W3C trace context, see :mod:`kindling_provider.tracing`) is sent
    on the trigger's api calls and handed back in every event, so the trace goes on.
    """

    def __init__(self, job_id: str, kindling_conn_id: str = "kindling_default", poll_interval: float = 5.0,
                 positions: dict[str, int] | None = None, timeout: float | None = None,
                 started_at: float | None = None, traceparent: str | None = None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Airflow's BaseTrigger.__init__ is unannotated
        self.job_id = job_id
        self.kindling_conn_id = kindling_conn_id
        self.poll_interval = poll_interval
        self.positions = dict(positions or {})
        self.timeout = timeout
        self.started_at = started_at if started_at is not None else time.time()
        self.traceparent = traceparent

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "job_id": self.job_id,
                "kindling_conn_id": self.kindling_conn_id,
                "poll_interval": self.poll_interval,
                "positions": self.positions,
                "timeout": self.timeout,
                "started_at": self.started_at,
                "traceparent": self.traceparent,
            },
        )

    async def _client(self) -> AsyncKindlingClient:
        from kindling_provider.hooks.kindling import KindlingHook

        hook = KindlingHook(self.kindling_conn_id)
        try:
            from asgiref.sync import sync_to_async

            params = await sync_to_async(hook.connection_params)()
        except ImportError:  # pragma: no cover - asgiref ships with Airflow
            params = await asyncio.to_thread(hook.connection_params)
        return AsyncKindlingClient(params["api_url"], params["auth"], timeout=params["timeout"],
                                   retries=params["retries"], backoff=params["backoff"], traceparent=self.traceparent)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        try:
            client = await self._client()
            while True:
                job = await client.get(self.job_id)
                if states.is_terminal(job["state"]):
                    yield self._event({"status": "done", "job_id": self.job_id, "job": job,
                                       "positions": self.positions})
                    return
                if self.timeout is not None and time.time() - self.started_at >= self.timeout:
                    yield self._event({"status": "timeout", "job_id": self.job_id, "job": job,
                                       "positions": self.positions,
                                       "message": f"job {self.job_id} still {job['state']} after {self.timeout}s"})
                    return
                self.log.debug("Kindling job %s is %s", self.job_id, job["state"])
                await asyncio.sleep(self.poll_interval)
        except KindlingError as e:
            yield self._event({"status": "error", "job_id": self.job_id, "message": str(e),
                               "positions": self.positions})

    def _event(self, payload: dict[str, Any]) -> TriggerEvent:
        if self.traceparent:
            payload["traceparent"] = self.traceparent
        return TriggerEvent(payload)
