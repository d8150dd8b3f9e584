"""``KindlingJobSensor``: waits for a Kindling job started elsewhere (e.g. by a Kafka producer)."""
from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.configuration import conf as airflow_conf

from kindling_client import JobView, states
from kindling_client.errors import KindlingApiError
from kindling_provider._compat import AirflowException, BaseSensorOperator
from kindling_provider.hooks.kindling import KindlingHook
from kindling_provider.triggers.kindling import KindlingJobTrigger

if TYPE_CHECKING:
    from airflow.sdk import Context


class KindlingJobSensor(BaseSensorOperator):
    """Succeeds when job ``job_id`` reaches one of ``target_states`` (default ``SUCCEEDED``);
    fails when it ends in any other terminal state. A job the api does not know (yet) is
    waited for, unless ``fail_on_missing``.

    ``deferrable=True`` hands the waiting to :class:`KindlingJobTrigger`.
    Returns (XCom) the job's view.
    """

    template_fields: Sequence[str] = ("job_id",)

    def __init__(self, *, job_id: str, kindling_conn_id: str = KindlingHook.default_conn_name,
                 target_states: Sequence[str] = (states.SUCCEEDED,), fail_on_missing: bool = False,
                 deferrable: bool = airflow_conf.getboolean("operators", "default_deferrable", fallback=False),
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.job_id = job_id
        self.kindling_conn_id = kindling_conn_id
        self.target_states = tuple(target_states)
        self.fail_on_missing = fail_on_missing
        self.deferrable = deferrable
        self._job: JobView | None = None

    @cached_property
    def hook(self) -> KindlingHook:
        return KindlingHook(self.kindling_conn_id)

    def _check(self, job: JobView) -> bool:
        state = job["state"]
        if state in self.target_states:
            self._job = job
            return True
        if states.is_terminal(state):
            reason = job.get("reason") or ""
            raise AirflowException(f"Kindling job {self.job_id} ended {state}"
                                   + (f" ({reason})" if reason else "")
                                   + (f": {job['message']}" if job.get("message") else ""))
        return False

    def poke(self, context: Context) -> bool:
        try:
            job = self.hook.get_job(self.job_id)
        except KindlingApiError as e:
            if e.status == 404 and not self.fail_on_missing:
                self.log.info("Kindling job %s not known yet", self.job_id)
                return False
            raise AirflowException(f"cannot read Kindling job {self.job_id}: {e}") from e
        self.log.info("Kindling job %s is %s", self.job_id, job["state"])
        return self._check(job)

    def execute(self, context: Context) -> Any:
        if not self.deferrable:
            super().execute(context)
            return self._job
        if self.poke(context):
            return self._job
        self.defer(trigger=KindlingJobTrigger(job_id=self.job_id, kindling_conn_id=self.kindling_conn_id,
                                              poll_interval=self.poke_interval, timeout=self.timeout),
                   method_name="execute_complete")

    def execute_complete(self, context: Context, event: dict[str, Any]) -> Any:
        if event.get("status") != "done":
            raise AirflowException(f"waiting for Kindling job {self.job_id} failed: {event.get('message')}")
        if not self._check(event["job"]):
            raise AirflowException(f"Kindling job {self.job_id} ended {event['job'].get('state')}")
        return self._job
