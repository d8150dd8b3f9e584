"""The job spec (``POST /v1/jobs`` body) made of ``KindlingSparkSubmitOperator``'s arguments:
plain functions, no Airflow, no I/O (uploads are resolved by the operator before)."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

#: SparkSubmitOperator-style resource arguments and the Spark conf they set.
RESOURCE_CONF = {
    "driver_memory": "spark.driver.memory",
    "driver_cores": "spark.driver.cores",
    "executor_memory": "spark.executor.memory",
    "executor_cores": "spark.executor.cores",
    "num_executors": "spark.executor.instances",
}
#: the spec's URI-list fields and the operator arguments that fill them
URI_FIELDS = {"pyFiles": "py_files", "jars": "jars", "files": "files", "archives": "archives"}
MAX_IDEMPOTENCY_KEY = 200
_NAME_BAD = re.compile(r"[^A-Za-z0-9._ -]")


class SpecError(ValueError):
    """An argument that cannot become a valid job spec (said before anything is uploaded or sent)."""


def as_list(value: str | Sequence[str] | None) -> list[str]:
    """SparkSubmitOperator takes comma-separated strings; Kindling takes lists. Accept both."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


def camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def job_name(name: str | None, fallback: str) -> str:
    """``name``, or ``fallback`` (``<dag_id>.<task_id>``) made to fit the spec's name pattern."""
    if name:
        return str(name)
    return _NAME_BAD.sub("-", fallback).lstrip("._ -")[:200] or "airflow-task"


def idempotency_key(dag_id: str, task_id: str, run_id: str, map_index: int, try_number: int) -> str:
    """``airflow/<dag>/<task>/<run>/<map index>/<try>``, hashed when longer than the api allows.

    The same task instance in the same try always gets the same key, so a re-run of it
    (a restarted worker, a resumed deferral) re-attaches to the job it started; a new try
    (an Airflow retry) gets a new key and so a new job.
    """
    key = f"airflow/{dag_id}/{task_id}/{run_id}/{map_index}/{try_number}"
    if len(key) <= MAX_IDEMPOTENCY_KEY:
        return key
    return "airflow/sha256/" + hashlib.sha256(key.encode()).hexdigest()


def secret_refs_of(refs: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The spec's ``secretRefs``: ``{ENV: {"secret": s, "key": k}}``; ``"s/k"`` is short for the object."""
    if not isinstance(refs, Mapping):
        raise SpecError("secret_refs must map a driver environment variable to a secret key, e.g. "
                        "{'DB_PASSWORD': {'secret': 'db', 'key': 'password'}} or {'DB_PASSWORD': 'db/password'}; "
                        f"got {type(refs).__name__}")
    out: dict[str, dict[str, str]] = {}
    for env, ref in refs.items():
        if isinstance(ref, str):
            secret, sep, key = ref.partition("/")
            if not sep or not secret or not key:
                raise SpecError(f"secret_refs[{env!r}] = {ref!r}: expected 'secret/key'")
            out[str(env)] = {"secret": secret, "key": key}
        elif isinstance(ref, Mapping) and set(ref) == {"secret", "key"}:
            out[str(env)] = {"secret": str(ref["secret"]), "key": str(ref["key"])}
        else:
            raise SpecError(f"secret_refs[{env!r}] = {ref!r}: expected {{'secret': …, 'key': …}} or 'secret/key'")
    return out


def check_labels(labels: Mapping[str, Any] | None) -> None:
    if "tenant" in (labels or {}):
        raise SpecError("labels may not name the tenant (the api rejects labels.tenant): "
                        "use the operator's tenant argument")


def job_spec(*, name: str, application_file: str, java_class: str | None = None,
             application_args: Sequence[Any] | None = None, conf: Mapping[str, Any] | None = None,
             resources: Mapping[str, Any] | None = None, uris: Mapping[str, Sequence[str]] | None = None,
             packages: str | Sequence[str] | None = None, env: Mapping[str, Any] | None = None,
             pool: str | None = None, priority: int | None = None, timeout_seconds: int | None = None,
             retry: Mapping[str, Any] | None = None, labels: Mapping[str, Any] | None = None,
             tenant: str | None = None, secret_refs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The spec. ``resources`` maps :data:`RESOURCE_CONF` argument names to values (they win over
    the same keys in ``conf``); ``uris`` maps :data:`URI_FIELDS` spec fields to resolved URIs."""
    check_labels(labels)
    is_jvm = bool(java_class) or application_file.lower().endswith(".jar")
    application: dict[str, Any] = {"type": "jvm" if is_jvm else "python", "file": application_file}
    if java_class:
        application["mainClass"] = java_class
    if application_args:
        application["args"] = [str(a) for a in application_args]
    spec: dict[str, Any] = {"name": name, "application": application}
    if tenant:
        spec["tenant"] = str(tenant)
    spark_conf = {str(k): str(v) for k, v in (conf or {}).items()}
    for arg, key in RESOURCE_CONF.items():
        value = (resources or {}).get(arg)
        if value is not None and value != "":
            spark_conf[key] = str(value)
    if spark_conf:
        spec["conf"] = spark_conf
    for field in URI_FIELDS:
        items = list((uris or {}).get(field) or [])
        if items:
            spec[field] = items
    if packages:
        spec["packages"] = as_list(packages)
    if env:
        spec["env"] = {str(k): str(v) for k, v in env.items()}
    if pool:
        spec["pool"] = pool
    if priority is not None:
        spec["priority"] = int(priority)
    if timeout_seconds is not None:
        spec["timeoutSeconds"] = int(timeout_seconds)
    if retry:
        spec["retry"] = {camel(k): v for k, v in retry.items()}
    if labels:
        spec["labels"] = {str(k): str(v) for k, v in labels.items()}
    if secret_refs:
        spec["secretRefs"] = secret_refs_of(secret_refs)
    return spec
