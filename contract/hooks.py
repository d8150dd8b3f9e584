"""schemathesis hooks: rules of the api that JSON Schema cannot state across parameter locations.

The OpenAPI document states them in prose (openapi.yaml): a request that names one thing in two
places (the ``tenant`` field and the ``X-Kindling-Tenant`` header; the ``idempotencyKey`` field and
the ``Idempotency-Key`` header) must give the same value in both, else 400; ``tail`` and ``offset``
of a log read exclude each other (400). Generated requests that break one of these rules are not
valid requests, so they are not sent as such. A job's ``pool`` must be one the deployment is
configured with (stated in prose too; the test's stack has only ``default``), so a schema-valid
pool name is sent as ``default``. A listing ``cursor`` is opaque: only those the api
returned are valid, which a generator cannot make, so none is generated (the client test and the
api's own tests page with real ones). The same rules hold for a session (``POST /v1/sessions``),
and every session a generated request creates is deleted at once, so the fuzzed sessions do not
hold the test stack's worker slots.
"""
from __future__ import annotations

from typing import Any

import re

import requests
import schemathesis
from hypothesis.internal import lambda_sources

# CPython 3.11.7 fails to parse source at some stack depths ("SystemError: AST constructor
# recursion depth mismatch", fixed in later 3.11 releases): Hypothesis then cannot name a lambda
# for a strategy's repr. A name is all it wanted, so give a plain one instead of failing the run.
_describe_lambda = lambda_sources._lambda_description


def _lambda_description(f: Any) -> str:
    try:
        return _describe_lambda(f)
    except SystemError:
        return "lambda: <source unavailable>"


lambda_sources._lambda_description = _lambda_description


def _header(case: Any, name: str) -> Any:
    for key, value in (case.headers or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def _field(case: Any, name: str) -> Any:
    return case.body.get(name) if isinstance(case.body, dict) else None


def _disagree(one: Any, other: Any) -> bool:
    return one not in (None, "") and other not in (None, "") and one != other


@schemathesis.hook
def filter_case(context: Any, case: Any) -> bool:
    path, method = case.operation.path, case.operation.method.upper()
    if method == "POST" and path in ("/v1/jobs", "/v1/artifacts", "/v1/sessions"):
        if _disagree(_field(case, "tenant"), _header(case, "X-Kindling-Tenant")):
            return False
        if path == "/v1/jobs" and _disagree(_field(case, "idempotencyKey"), _header(case, "Idempotency-Key")):
            return False
    if path in ("/v1/jobs", "/v1/sessions") and method == "GET" and "cursor" in (case.query or {}):
        return False
    if path == "/v1/jobs/{id}/logs/{stream}":
        query = case.query or {}
        if query.get("tail") is not None and query.get("offset") is not None:
            return False
    return True


# job-spec.schema.json's pool pattern: only a name that is valid by the schema is replaced, so a
# generated invalid value (negative testing) stays invalid
_POOL_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
_KNOWN_POOL = "default"


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    if (case.operation.method.upper() == "POST" and case.operation.path in ("/v1/jobs", "/v1/sessions")
            and isinstance(case.body, dict)):
        pool = case.body.get("pool")
        if isinstance(pool, str) and len(pool) <= 63 and _POOL_NAME.match(pool):
            case.body["pool"] = _KNOWN_POOL
    return case


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    if (case.operation.method.upper() == "POST" and case.operation.path == "/v1/sessions"
            and response.status_code in (200, 201)):
        session = response.json()["id"]
        url = response.request.url.split("/v1/sessions")[0] + f"/v1/sessions/{session}"
        requests.delete(url, headers={"Authorization": response.request.headers.get("Authorization", "")}, timeout=30)
