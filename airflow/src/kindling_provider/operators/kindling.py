"""``KindlingSparkSubmitOperator``: runs a Spark application through Kindling and writes the
driver's stdout/stderr into the task log while it runs."""
from __future__ import annotations

import collections
import os
import time
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.configuration import conf as airflow_conf
from airflow.exceptions import TaskDeferred

from kindling_client import AttemptView, JobView, LineSplitter, LogEvent, LogFollower, states
from kindling_client.errors import KindlingApiError, KindlingAuthError, KindlingError
from kindling_provider._compat import AirflowException, BaseOperator
from kindling_provider.hooks.kindling import KindlingHook
from kindling_provider.lineage import inject_openlineage
from kindling_provider.links import JOB_XCOM_KEY, KindlingJobLogsLink, KindlingSparkUiLink
from kindling_provider.log_offsets import VariableOffsetStore, offsets_key, positions_for
from kindling_provider.spec import (
    RESOURCE_CONF,
    URI_FIELDS,
    SpecError,
    as_list,
    check_labels,
    idempotency_key,
    job_name,
    job_spec,
    secret_refs_of,
)
from kindling_provider.tracing import XCOM_KEY as TRACE_XCOM_KEY
from kindling_provider.tracing import is_traceparent, traceparent_for
from kindling_provider.triggers.kindling import KindlingJobTrigger

if TYPE_CHECKING:
    from airflow.sdk import Context

__all__ = ["KindlingSparkSubmitOperator", "idempotency_key", "secret_refs_of"]


class KindlingSparkSubmitOperator(BaseOperator):
    """Submits a Spark application to Kindling, streams its driver log into the task log, and
    succeeds when the job SUCCEEDED.

    Arguments follow ``SparkSubmitOperator``: ``application`` (a ``.py`` file or a jar),
    ``application_args``, ``conf``, ``py_files``/``jars``/``files``/``archives`` (lists or
    comma-separated strings), ``packages`` (Maven coordinates), ``name``, ``java_class``
    (main class of a JVM application), ``driver_memory``, ``driver_cores``,
    ``executor_memory``, ``executor_cores``, ``num_executors`` (mapped to ``spark.*`` conf),
    ``env_vars``. Kindling's own: ``kindling_pool`` (Airflow's ``pool`` is a different thing),
    ``priority``, ``retry`` (Kindling's retry policy; snake_case or camelCase keys),
    ``timeout_seconds``, ``labels``, ``tenant`` (the Kindling tenant the job and its uploaded
    files belong to; default: the one of the connection's token), ``secret_refs`` (the spec's
    ``secretRefs``: driver environment variable → ``{"secret": …, "key": …}`` or
    ``"secret/key"``, resolved by the worker within the job's tenant).

    Files: a URI (``file://``, ``artifact://``, ``s3a://`` …) is passed as it is — a
    ``file://`` URI names a file on the Kindling worker's host. A bare local path is uploaded
    through ``POST /v1/artifacts`` first (``upload_local_files=True``, the default) or passed
    as it is (``upload_local_files=False``, e.g. when Airflow and the worker share a disk).

    The job's idempotency key is derived from dag id, task id, run id, map index and try
    number (see :func:`idempotency_key`), so a re-run of the same try attaches to the running
    job. Returns (XCom) ``{job_id, state, spark_app_id, attempts, links}``.

    While it writes the driver log, the operator keeps how far it got (per attempt and stream)
    in an Airflow Variable of this task try (see :mod:`kindling_provider.log_offsets`), at most
    every ``log_offsets_save_interval`` seconds; a re-run of the same try resumes from there
    instead of writing the log again. ``persist_log_offsets=False`` turns this off.

    OpenLineage (with ``apache-airflow-providers-openlineage`` configured): like the official
    Spark operators, the job's Spark conf gets this task's parent-job information
    (``openlineage_inject_parent_job_info``) and Airflow's OpenLineage transport
    (``openlineage_inject_transport_info``); each defaults to the ``[openlineage]`` setting
    ``spark_inject_parent_job_info`` / ``spark_inject_transport_info``. Keys set in ``conf``
    are never overridden (see :mod:`kindling_provider.lineage`).

    Tracing: every call to the api carries a W3C ``traceparent`` header: the current
    OpenTelemetry span's when Airflow's OTel tracing is on, else a fresh trace id for this
    task try (see :mod:`kindling_provider.tracing`); it is logged and pushed to XCom
    (``kindling_traceparent``).
    """

    template_fields: Sequence[str] = (
        "application", "application_args", "conf", "py_files", "jars", "files", "archives", "packages",
        "name", "java_class", "env_vars", "secret_refs", "kindling_pool", "labels", "idempotency_key",
        "driver_memory", "executor_memory", "tenant",
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {
        "conf": "json", "env_vars": "json", "labels": "json", "application_args": "json", "secret_refs": "json"}
    operator_extra_links = (KindlingJobLogsLink(), KindlingSparkUiLink())
    ui_color = "#f6b26b"

    def __init__(
        self,
        *,
        application: str,
        application_args: Sequence[str] | None = None,
        conf: Mapping[str, Any] | None = None,
        py_files: str | Sequence[str] | None = None,
        jars: str | Sequence[str] | None = None,
        files: str | Sequence[str] | None = None,
        archives: str | Sequence[str] | None = None,
        packages: str | Sequence[str] | None = None,
        name: str | None = None,
        java_class: str | None = None,
        driver_memory: str | None = None,
        driver_cores: int | str | None = None,
        executor_memory: str | None = None,
        executor_cores: int | str | None = None,
        num_executors: int | str | None = None,
        env_vars: Mapping[str, str] | None = None,
        secret_refs: Mapping[str, Mapping[str, str] | str] | None = None,
        tenant: str | None = None,
        kindling_pool: str | None = None,
        priority: int | None = None,
        retry: Mapping[str, Any] | None = None,
        timeout_seconds: int | None = None,
        labels: Mapping[str, str] | None = None,
        kindling_conn_id: str = KindlingHook.default_conn_name,
        idempotency_key: str | None = None,
        upload_local_files: bool = True,
        deferrable: bool = airflow_conf.getboolean("operators", "default_deferrable", fallback=False),
        poll_interval: float = 2.0,
        log_streams: Sequence[str] = ("stdout", "stderr"),
        error_tail_lines: int = 20,
        cancel_on_kill: bool = True,
        log_complete_grace: float = 30.0,
        persist_log_offsets: bool = True,
        log_offsets_save_interval: float = 5.0,
        openlineage_inject_parent_job_info: bool | None = None,
        openlineage_inject_transport_info: bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.application = application
        self.application_args = application_args
        self.conf = conf
        self.py_files = py_files
        self.jars = jars
        self.files = files
        self.archives = archives
        self.packages = packages
        self.name = name
        self.java_class = java_class
        self.driver_memory = driver_memory
        self.driver_cores = driver_cores
        self.executor_memory = executor_memory
        self.executor_cores = executor_cores
        self.num_executors = num_executors
        self.env_vars = env_vars
        self.secret_refs = secret_refs
        self.tenant = tenant
        self.kindling_pool = kindling_pool
        self.priority = priority
        self.retry = retry
        self.timeout_seconds = timeout_seconds
        self.labels = labels
        self.kindling_conn_id = kindling_conn_id
        self.idempotency_key = idempotency_key
        self.upload_local_files = upload_local_files
        self.deferrable = deferrable
        self.poll_interval = poll_interval
        self.log_streams = tuple(log_streams)
        self.error_tail_lines = error_tail_lines
        self.cancel_on_kill = cancel_on_kill
        self.log_complete_grace = log_complete_grace
        self.persist_log_offsets = persist_log_offsets
        self.log_offsets_save_interval = log_offsets_save_interval
        self.openlineage_inject_parent_job_info = openlineage_inject_parent_job_info
        self.openlineage_inject_transport_info = openlineage_inject_transport_info
        self._job_id: str | None = None
        self._offsets_key: str | None = None
        self._offsets_saved: dict[str, int] | None = None  # what the record holds (None: no record known)
        self._offsets_saved_at: float | None = None
        self._offsets_warned: set[str] = set()
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=max(1, error_tail_lines))
        self._tail_attempt: int | None = None
        self._splitter = LineSplitter()

    # ------------------------------------------------------------------ spec

    @cached_property
    def hook(self) -> KindlingHook:
        return KindlingHook(self.kindling_conn_id)

    def _resolve(self, path: str, what: str) -> str:
        if "://" in path or not self.upload_local_files:
            return path
        if not os.path.isfile(path):
            raise AirflowException(
                f"{what} {path!r} is neither a URI nor a file on this Airflow worker. Pass a URI the Kindling "
                "worker can read (e.g. file:///abs/path on the worker's host) or set upload_local_files=False.")
        try:
            uri = self.hook.upload(path, tenant=self.tenant or None)
        except KindlingError as e:
            raise AirflowException(
                f"cannot upload {what} {path!r} to Kindling: {e}. To use a file the Kindling worker can already "
                f"read instead, pass 'file://{os.path.abspath(path)}' or set upload_local_files=False.") from e
        self.log.info("uploaded %s %s as %s", what, path, uri)
        return uri

    def build_spec(self, context: Context | None = None) -> dict[str, Any]:
        """The job spec (``POST /v1/jobs`` body) of this task, without the idempotency key (see
        :func:`kindling_provider.spec.job_spec`). Local files are uploaded first, once the
        arguments were checked."""
        try:
            check_labels(self.labels)
            if self.secret_refs:
                secret_refs_of(self.secret_refs)
            application_file = self._resolve(str(self.application), "application")
            uris = {field: [self._resolve(v, field) for v in as_list(getattr(self, arg))]
                    for field, arg in URI_FIELDS.items()}
            labels = self._airflow_labels(context)
            labels.update({str(k): str(v) for k, v in (self.labels or {}).items()})
            return job_spec(
                name=job_name(self.name, f"{self.dag_id}.{self.task_id}" if self.has_dag() else self.task_id),  # type: ignore[no-untyped-call]
                application_file=application_file, java_class=self.java_class,
                application_args=self.application_args, conf=self._conf_with_lineage(context),
                resources={arg: getattr(self, arg) for arg in RESOURCE_CONF}, uris=uris, packages=self.packages,
                env=self.env_vars, pool=self.kindling_pool, priority=self.priority,
                timeout_seconds=self.timeout_seconds, retry=self.retry, labels=labels, tenant=self.tenant,
                secret_refs=self.secret_refs)
        except SpecError as e:
            raise AirflowException(str(e)) from e

    def _conf_with_lineage(self, context: Context | None) -> Mapping[str, Any] | None:
        """``conf`` plus the OpenLineage properties (only when running, i.e. with a context)."""
        if context is None:
            return self.conf
        return inject_openlineage(self.conf, context, parent_job_info=self.openlineage_inject_parent_job_info,
                                  transport_info=self.openlineage_inject_transport_info, logger=self.log)

    def _airflow_labels(self, context: Context | None) -> dict[str, str]:
        if not context:
            return {}
        ti = context["ti"]
        labels = {"airflow-dag-id": ti.dag_id, "airflow-task-id": ti.task_id, "airflow-run-id": context["run_id"],
                  "airflow-try-number": str(ti.try_number)}
        map_index = getattr(ti, "map_index", -1)
        if map_index is not None and map_index >= 0:
            labels["airflow-map-index"] = str(map_index)
        return {k: v[:253] for k, v in labels.items()}

    def idempotency_key_for(self, context: Context) -> str:
        if self.idempotency_key:
            return str(self.idempotency_key)
        ti = context["ti"]
        map_index = getattr(ti, "map_index", -1)
        return idempotency_key(ti.dag_id, ti.task_id, context["run_id"], -1 if map_index is None else map_index,
                               ti.try_number)

    # ------------------------------------------------------------------ run

    def execute(self, context: Context) -> Any:
        self._offsets_key = self._offsets_key_for(context)
        try:
            return self._execute(context)
        except TaskDeferred:
            raise
        except BaseException:
            self._forget_offsets()  # this try is over: a re-run of it is not expected any more
            raise

    def _trace(self, context: Context, traceparent: str | None = None) -> None:
        """Chooses the W3C ``traceparent`` of this run's api calls (see :mod:`kindling_provider.tracing`)."""
        if traceparent and is_traceparent(traceparent):
            source = "the task before it deferred"
        else:
            traceparent, source = traceparent_for(context)
        self.hook.traceparent = traceparent
        self.log.info("Kindling api calls carry traceparent %s (from %s)", traceparent, source)
        try:
            context["ti"].xcom_push(key=TRACE_XCOM_KEY, value=traceparent)
        except Exception as e:  # noqa: BLE001 - the trace id is a convenience
            self.log.debug("could not push the traceparent: %s", e)

    def _execute(self, context: Context) -> Any:
        self._trace(context)
        spec = self.build_spec(context)
        key = self.idempotency_key_for(context)
        try:
            submission = self.hook.submit(spec, key)
        except KindlingAuthError as e:
            raise AirflowException(
                f"Kindling refused the credentials of connection {self.kindling_conn_id!r}: {e}") from e
        except KindlingApiError as e:
            if e.status == 409:
                raise AirflowException(
                    f"Kindling already has a job for idempotency key {key!r} with a different spec ({e.message}); "
                    "the task's arguments changed since that job was submitted. Clear the task to start a new try."
                ) from e
            raise AirflowException(f"Kindling rejected the job: {e}") from e
        except KindlingError as e:
            raise AirflowException(f"cannot submit to Kindling: {e}") from e
        job = submission.job
        self._job_id = job["id"]
        positions: dict[str, int] = {}
        if submission.replay:
            positions = self._load_offsets()
            if positions:
                self.log.info("re-attached to Kindling job %s (idempotency key %s), now %s; resuming its driver "
                              "log where this try's previous run left it (%s)", self._job_id, key, job.get("state"),
                              _describe_positions(positions))
            else:
                self.log.info("re-attached to Kindling job %s (idempotency key %s), now %s; no saved log offsets "
                              "for this try, so its driver log is written again from the start", self._job_id, key,
                              job.get("state"))
        else:
            self.log.info("submitted Kindling job %s (idempotency key %s)", self._job_id, key)
        self._push_job(context, job)

        follower = self.hook.follow(self._job_id, self.log_streams, positions=positions,
                                    poll_interval=self.poll_interval)
        if self.deferrable:
            try:  # write what the driver printed so far; the trigger waits for the rest
                self._write(follower.poll())
                state = follower.view["state"]
            except KindlingError as e:
                self.log.warning("could not read job %s before deferring: %s", self._job_id, e)
                state = job.get("state")
            if not states.is_terminal(state):
                written = self._written_positions(follower)
                self._save_offsets(follower, force=True)
                self.log.info("deferring until Kindling job %s ends (it is %s)", self._job_id, state)
                self.defer(
                    trigger=KindlingJobTrigger(job_id=self._job_id, kindling_conn_id=self.kindling_conn_id,
                                               poll_interval=self.poll_interval, positions=written,
                                               traceparent=self.hook.traceparent),
                    method_name="execute_complete",
                    timeout=self.execution_timeout,
                )
        return self._follow_to_end(context, follower)

    def execute_complete(self, context: Context, event: dict[str, Any]) -> Any:
        self._offsets_key = self._offsets_key_for(context)
        try:
            return self._execute_complete(context, event)
        except BaseException:
            self._forget_offsets()
            raise

    def _execute_complete(self, context: Context, event: dict[str, Any]) -> Any:
        self._trace(context, event.get("traceparent"))
        self._job_id = event["job_id"]
        positions = {str(k): int(v) for k, v in (event.get("positions") or {}).items()}
        for k, v in self._load_offsets().items():  # a run of this try may have got further since
            positions[k] = max(v, positions.get(k, 0))
        follower = self.hook.follow(self._job_id, self.log_streams, positions=positions,
                                    poll_interval=self.poll_interval)
        if event.get("status") != "done":
            try:  # write what can still be read; the error below is what matters
                self._drain(follower, grace=0)
            except AirflowException as e:
                self.log.warning("%s", e)
            if event.get("status") == "timeout":
                self._cancel_quietly()
            raise AirflowException(f"waiting for Kindling job {self._job_id} failed: {event.get('message')}")
        return self._follow_to_end(context, follower)

    def _follow_to_end(self, context: Context, follower: LogFollower) -> Any:
        self._drain(follower, grace=self.log_complete_grace)
        self._forget_offsets()  # the job has ended and its remaining lines are written
        job = follower.view
        self._push_job(context, job)
        return self._result(job)

    def _drain(self, follower: LogFollower, grace: float) -> None:
        """Writes the driver log until the job has ended and its log is complete (or ``grace``
        seconds after the end, when the log-shipper is slow)."""
        last_state = None
        ended_at: float | None = None
        while True:
            try:
                events = follower.poll()
            except KindlingError as e:
                raise AirflowException(f"lost track of Kindling job {self._job_id}: {e}") from e
            self._write(events)
            self._save_offsets(follower)
            job = follower.view
            if job["state"] != last_state:
                last_state = job["state"]
                self.log.info("Kindling job %s is %s%s", self._job_id, last_state, _attempt_summary(job))
            if follower.finished():
                break
            if states.is_terminal(last_state):
                ended_at = ended_at if ended_at is not None else time.monotonic()
                if time.monotonic() - ended_at >= grace:
                    if grace:
                        self.log.warning("the driver log of job %s is not complete %.0fs after it ended; "
                                         "going on without the rest", self._job_id, grace)
                    break
            time.sleep(self.poll_interval)
        for key, line in self._splitter.flush():
            self._write_line(key, line)

    def _write(self, events: list[LogEvent]) -> None:
        for event in events:
            key = f"{event.attempt}/{event.stream}"
            for line in self._splitter.feed(key, event.data):
                self._write_line(key, line)

    def _write_line(self, key: str, line: str) -> None:
        attempt_text, _, stream = key.partition("/")
        attempt = int(attempt_text)
        tag = stream if attempt == 1 else f"{stream} attempt {attempt}"
        self.log.info("[%s] %s", tag, line)
        if stream == "stderr":
            if self._tail_attempt != attempt:
                self._stderr_tail.clear()
                self._tail_attempt = attempt
            self._stderr_tail.append(line)

    # ------------------------------------------------------------------ log offsets of this try

    def _offsets_key_for(self, context: Context) -> str | None:
        if not self.persist_log_offsets:
            return None
        try:
            ti = context["ti"]
            map_index = getattr(ti, "map_index", -1)
            return offsets_key(ti.dag_id, ti.task_id, context["run_id"], -1 if map_index is None else map_index,
                               ti.try_number)
        except (KeyError, AttributeError, TypeError):
            return None

    @cached_property
    def _offset_store(self) -> VariableOffsetStore:
        return VariableOffsetStore()

    def _offsets_failed(self, what: str, error: BaseException) -> None:
        if what in self._offsets_warned:
            self.log.debug("could not %s the driver-log offsets (Variable %s): %s", what, self._offsets_key, error)
            return
        self._offsets_warned.add(what)
        consequence = {
            "read": "writing the driver log from offset 0: lines a previous run of this try wrote appear again",
            "save": "a re-run of this try after a worker restart would write the driver log again from offset 0 "
                    "(lines appear twice)",
            "delete": "the Variable stays behind; it is harmless and can be deleted",
        }[what]
        self.log.warning("could not %s the driver-log offsets of this try (Airflow Variable %s): %s: %s; %s",
                         what, self._offsets_key, type(error).__name__, error, consequence)

    def _load_offsets(self) -> dict[str, int]:
        """The saved positions of this try's job (empty: start from 0)."""
        if not self._offsets_key or not self._job_id:
            return {}
        try:
            record = self._offset_store.load(self._offsets_key)
        except Exception as e:  # noqa: BLE001 - never fail the task over its log offsets
            self._offsets_failed("read", e)
            return {}
        if record is not None:
            self._offsets_saved = {}  # a record exists: delete it at the end
        positions = positions_for(record, self._job_id)
        if record is not None and not positions and record.get("job_id") != self._job_id:
            self.log.info("the saved driver-log offsets of this try belong to job %s, not %s; ignoring them",
                          record.get("job_id"), self._job_id)
        return positions

    def _written_positions(self, follower: LogFollower) -> dict[str, int]:
        """Where the written lines end: the follower's positions less the partial lines held back."""
        return {k: v - self._splitter.pending(k) for k, v in follower.positions.items()}

    def _save_offsets(self, follower: LogFollower, force: bool = False) -> None:
        """Saves how far the log is written, at most every ``log_offsets_save_interval`` seconds."""
        if not self._offsets_key or not self._job_id:
            return
        positions = self._written_positions(follower)
        if not positions or positions == self._offsets_saved:
            return
        now = time.monotonic()
        if (not force and self._offsets_saved_at is not None
                and now - self._offsets_saved_at < self.log_offsets_save_interval):
            return
        self._offsets_saved_at = now
        try:
            self._offset_store.save(self._offsets_key, self._job_id, positions)
        except Exception as e:  # noqa: BLE001
            self._offsets_failed("save", e)
            return
        self._offsets_saved = positions

    def _forget_offsets(self) -> None:
        """Deletes this try's record (when one was read or written)."""
        if not self._offsets_key or self._offsets_saved is None:
            return
        try:
            self._offset_store.delete(self._offsets_key)
        except Exception as e:  # noqa: BLE001
            self._offsets_failed("delete", e)
            return
        self._offsets_saved = None

    def _push_job(self, context: Context, job: JobView) -> None:
        try:
            context["ti"].xcom_push(key=JOB_XCOM_KEY, value=self._links(job))
        except Exception as e:  # noqa: BLE001 - links are a convenience
            self.log.debug("could not push the job's links: %s", e)

    def _links(self, job: JobView) -> dict[str, Any]:
        base = self.hook.api_url
        last = _last_attempt(job)
        return {
            "job_id": job["id"],
            "job_url": f"{base}/v1/jobs/{job['id']}",
            "logs_url": f"{base}/v1/jobs/{job['id']}/logs/stdout",
            "stderr_url": f"{base}/v1/jobs/{job['id']}/logs/stderr",
            "spark_ui_url": last.get("sparkUiUrl") if last else None,
        }

    def _result(self, job: JobView) -> dict[str, Any]:
        last = _last_attempt(job)
        if job["state"] == states.SUCCEEDED:
            self.log.info("Kindling job %s SUCCEEDED%s", job["id"], _attempt_summary(job))
            return {"job_id": job["id"], "state": job["state"],
                    "spark_app_id": last.get("sparkAppId") if last else None,
                    "attempts": len(job["attempts"]), "links": self._links(job)}
        text = f"Kindling job {job['id']} {job['state']}"
        reason = job.get("reason") or (last.get("reason") if last else None)
        if reason:
            text += f": reason {reason}"
        if last and last.get("exitCode") is not None:
            text += f", exit code {last.get('exitCode')}"
        message = job.get("message") or (last.get("message") if last else None)
        if message:
            text += f" — {message}"
        if self._stderr_tail:
            text += "\nlast stderr lines:\n" + "\n".join(self._stderr_tail)
        raise AirflowException(text)

    def _cancel_quietly(self) -> None:
        if not self._job_id:
            return
        try:
            self.hook.cancel(self._job_id)
            self.log.info("asked Kindling to cancel job %s", self._job_id)
        except KindlingError as e:
            self.log.error("could not cancel Kindling job %s: %s", self._job_id, e)

    def on_kill(self) -> None:
        if self.cancel_on_kill:
            self._cancel_quietly()


def _describe_positions(positions: Mapping[str, int]) -> str:
    return ", ".join(f"attempt {k.partition('/')[0]} {k.partition('/')[2]} at byte {v}"
                     for k, v in sorted(positions.items()))


def _last_attempt(job: JobView) -> AttemptView | None:
    return job["attempts"][-1] if job["attempts"] else None


def _attempt_summary(job: JobView) -> str:
    last = _last_attempt(job)
    if last is None:
        return ""
    parts = [f"attempt {last['number']} {last['state']}"]
    if last.get("sparkAppId"):
        parts.append(f"Spark app {last.get('sparkAppId')}")
    if last.get("exitCode") is not None:
        parts.append(f"exit code {last.get('exitCode')}")
    return " (" + ", ".join(parts) + ")"
