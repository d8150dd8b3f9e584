"""The api's answers, typed after the OpenAPI document's schemas (``JobView``, ``AttemptView``,
``JobPage``, ``Artifact``, ``SessionView``, ``SessionPage``, ``Error``).

They are ``TypedDict`` s, so a view stays the JSON object the api sent (an XCom value, a
trigger event) while a type checker knows its fields. The ``_*Required`` bases hold what the
document marks ``required``; :func:`job_view`, :func:`job_page` and :func:`artifact` check those
fields are there and raise :class:`BadResponse` when they are not, instead of guessing (the
client turns it into a :class:`~kindling_client.errors.KindlingApiError` with code
``BAD_RESPONSE``).
"""
from __future__ import annotations

from typing import Any, TypedDict, cast


class BadResponse(ValueError):
    """An answer that is not what the OpenAPI document says."""


class ErrorDetail(TypedDict, total=False):
    field: str
    problem: str


class ErrorBody(TypedDict):
    code: str
    message: str
    details: list[ErrorDetail]


class _AttemptViewRequired(TypedDict):
    number: int
    attemptId: str
    state: str


class AttemptView(_AttemptViewRequired, total=False):
    workerId: str | None
    exitCode: int | None
    reason: str | None
    message: str | None
    sparkAppId: str | None
    sparkUiUrl: str | None
    createdAt: str
    startedAt: str | None
    finishedAt: str | None


class JobWaiting(TypedDict):
    reason: str
    message: str
    since: str


class _JobViewRequired(TypedDict):
    id: str
    state: str
    attempts: list[AttemptView]


class JobView(_JobViewRequired, total=False):
    name: str | None
    pool: str
    tenant: str
    reason: str | None
    message: str | None
    labels: dict[str, str]
    submittedAt: str
    updatedAt: str
    nextAttemptAt: str | None
    queuePosition: int | None
    waiting: JobWaiting | None


class JobPage(TypedDict):
    items: list[JobView]
    nextCursor: str | None


class Artifact(TypedDict):
    uri: str
    sha256: str
    size: int


class _SessionViewRequired(TypedDict):
    id: str
    state: str
    connectUrl: str
    tenant: str
    pool: str
    labels: dict[str, str]
    idleTimeoutSeconds: int
    logs: str


class SessionView(_SessionViewRequired, total=False):
    """An interactive session (``/v1/sessions``): STARTING, READY, ENDED or FAILED (with ``reason``)."""

    reason: str | None
    message: str | None
    maxLifetimeSeconds: int | None
    createdAt: str | None
    updatedAt: str | None
    attempt: int | None


class SessionPage(TypedDict):
    items: list[SessionView]
    nextCursor: str | None


def _require(body: Any, schema: str, fields: tuple[str, ...], where: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadResponse(f"{where} answered {type(body).__name__}, not a {schema} object")
    missing = [f for f in fields if f not in body]
    if missing:
        raise BadResponse(f"{where} answered a {schema} without {', '.join(missing)}")
    return body


def attempt_view(body: Any, where: str = "the api") -> AttemptView:
    return cast(AttemptView, _require(body, "AttemptView", ("number", "attemptId", "state"), where))


def job_view(body: Any, where: str = "the api") -> JobView:
    """``body`` as a :class:`JobView`, once its required fields (and its attempts') are checked."""
    view = _require(body, "JobView", ("id", "state", "attempts"), where)
    if not isinstance(view["attempts"], list):
        raise BadResponse(f"{where} answered a JobView whose attempts is not a list")
    for attempt in view["attempts"]:
        attempt_view(attempt, where)
    return cast(JobView, view)


def job_page(body: Any, where: str = "the api") -> JobPage:
    page = _require(body, "JobPage", ("items", "nextCursor"), where)
    if not isinstance(page["items"], list):
        raise BadResponse(f"{where} answered a JobPage whose items is not a list")
    for item in page["items"]:
        job_view(item, where)
    return cast(JobPage, page)


def artifact(body: Any, where: str = "the api") -> Artifact:
    return cast(Artifact, _require(body, "Artifact", ("uri", "sha256", "size"), where))


_SESSION_FIELDS = ("id", "state", "connectUrl", "tenant", "pool", "labels", "idleTimeoutSeconds", "logs")


def session_view(body: Any, where: str = "the api") -> SessionView:
    return cast(SessionView, _require(body, "SessionView", _SESSION_FIELDS, where))


def session_page(body: Any, where: str = "the api") -> SessionPage:
    page = _require(body, "SessionPage", ("items", "nextCursor"), where)
    if not isinstance(page["items"], list):
        raise BadResponse(f"{where} answered a SessionPage whose items is not a list")
    for item in page["items"]:
        session_view(item, where)
    return cast(SessionPage, page)
