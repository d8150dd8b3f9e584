"""Where the operator keeps how far it has written a job's driver log into the task log, so
that a re-run of the same try (a worker that died, the task run again) resumes there instead
of writing the log again from offset 0.

The record is an Airflow Variable (``kindling_log_offsets/<dag>/<task>/<run>/<map>/<try>``):
Variables outlive the worker process and, unlike XCom, are not cleared when the task instance
starts again. On Airflow 3 it goes through the Task SDK (``Variable.get/set/delete`` → the
execution api), on Airflow 2.10 through the metadata database. Its value is JSON::

    {"version": 1, "job_id": "…", "positions": {"1/stdout": 2048, "1/stderr": 913}}

``positions`` maps ``"<attempt>/<stream>"`` to the byte offset up to which complete lines were
written. The operator deletes the record once the job has ended and its remaining lines were
written.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kindling_provider._compat import AIRFLOW_3

#: Airflow's Variable keys are at most 250 characters.
MAX_VARIABLE_KEY = 250
PREFIX = "kindling_log_offsets/"
FORMAT_VERSION = 1
DESCRIPTION = ("Kindling: how far the driver log of a running job was written into this task try's log "
               "(deleted by the operator when the job ends)")

if TYPE_CHECKING or AIRFLOW_3:
    from airflow.sdk import Variable
else:  # Airflow 2.10
    from airflow.models import Variable


def offsets_key(dag_id: str, task_id: str, run_id: str, map_index: int, try_number: int) -> str:
    """``kindling_log_offsets/<dag>/<task>/<run>/<map index>/<try>``, hashed when too long."""
    key = f"{PREFIX}{dag_id}/{task_id}/{run_id}/{map_index}/{try_number}"
    if len(key) <= MAX_VARIABLE_KEY:
        return key
    return f"{PREFIX}sha256/" + hashlib.sha256(key.encode()).hexdigest()


class VariableOffsetStore:
    """Reads, writes and deletes the offsets record of one task try. Every method may raise
    (no execution api, no database, …); the operator catches and falls back to offset 0."""

    def load(self, key: str) -> dict[str, Any] | None:
        value = Variable.get(key, None, deserialize_json=True)
        return value if isinstance(value, dict) else None

    def save(self, key: str, job_id: str, positions: Mapping[str, int]) -> None:
        value = {"version": FORMAT_VERSION, "job_id": job_id,
                 "positions": {k: int(v) for k, v in positions.items()}}
        Variable.set(key, value, description=DESCRIPTION, serialize_json=True)

    def delete(self, key: str) -> None:
        Variable.delete(key)


def positions_for(record: Mapping[str, Any] | None, job_id: str) -> dict[str, int]:
    """The saved positions if ``record`` belongs to ``job_id`` (else none: start from 0)."""
    if not record or record.get("job_id") != job_id:
        return {}
    positions = record.get("positions") or {}
    out: dict[str, int] = {}
    for key, value in positions.items():
        attempt, _, stream = str(key).partition("/")
        if attempt.isdigit() and stream and isinstance(value, int) and value >= 0:
            out[str(key)] = value
    return out
