"""A small synchronous client of the Kindling HTTP API (``/v1``).

One HTTP stack: ``requests``, with retries by urllib3's :class:`~urllib3.util.Retry` mounted on
the session: connection errors, read timeouts and the transient statuses 502/503/504 are
retried with exponential backoff (and a 429/503 ``Retry-After`` is honoured), for every method
-- a submission is safe to retry because it always carries an idempotency key. Any other error
answer raises :class:`KindlingApiError` carrying the api's ``{code, message, details[]}``
(:class:`KindlingAuthError` for 401/403). Answers are typed (:mod:`kindling_client.models`) and
checked against the fields the OpenAPI document requires. The bearer token comes from
:func:`kindling_client.auth.resolve_token`.
"""
from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, TypeVar, Union

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from kindling_client import states
from kindling_client.auth import TOKEN_ENV, TOKEN_FILE_ENV, TokenSource, resolve_token
from kindling_client.errors import (
    KindlingApiError,
    KindlingAuthError,
    KindlingConnectionError,
)
from kindling_client.models import (
    BadResponse,
    JobPage,
    JobView,
    SessionPage,
    SessionView,
    artifact,
    job_page,
    job_view,
    session_page,
    session_view,
)

DEFAULT_API_URL = "http://127.0.0.1:8080"
API_URL_ENV = "KINDLING_API_URL"
TRANSIENT_STATUSES = frozenset({502, 503, 504})
NEXT_OFFSET = "Kindling-Next-Offset"
LOG_COMPLETE = "Kindling-Log-Complete"
LOG_ATTEMPT = "Kindling-Attempt"
IDEMPOTENT_REPLAY = "Kindling-Idempotent-Replay"
TRACEPARENT = "traceparent"
STREAMS = ("stdout", "stderr")

#: a W3C ``traceparent`` value, or a callable giving one per request (``None``: send none)
TraceparentSource = Union[str, Callable[[], Optional[str]], None]
_T = TypeVar("_T")


def default_api_url() -> str:
    return os.environ.get(API_URL_ENV) or DEFAULT_API_URL


def retry_policy(retries: int, backoff: float, max_backoff: float) -> Retry:
    """The retry policy of every call: ``retries`` retries of connection errors, read timeouts
    and 502/503/504 (``backoff * 2**(n-1)`` seconds before the n-th retry after the first,
    at most ``max_backoff``), for every method; the last error answer is returned, not raised,
    so that its ``{code, message}`` reaches the caller."""
    return Retry(total=retries, connect=retries, read=retries, status=retries, other=0, redirect=0,
                 backoff_factor=backoff, backoff_max=max_backoff, status_forcelist=TRANSIENT_STATUSES,
                 allowed_methods=None, raise_on_status=False, respect_retry_after_header=True)


@dataclass(frozen=True)
class LogChunk:
    """Bytes of one attempt's stream, from ``offset`` to ``next_offset``."""

    data: bytes
    offset: int
    next_offset: int
    complete: bool
    attempt: int | None


@dataclass(frozen=True)
class Submission:
    """The answer to a submission: the job view and whether it was an idempotent replay."""

    job: JobView
    replay: bool
    status: int


@dataclass(frozen=True)
class LogEvent:
    """New bytes of ``stream`` of ``attempt`` (``next_offset`` is where the next read starts)."""

    attempt: int
    stream: str
    data: bytes
    next_offset: int


def position_key(attempt: int, stream: str) -> str:
    """Key of a log position: ``"<attempt>/<stream>"`` (JSON-friendly, for XCom and triggers)."""
    return f"{attempt}/{stream}"


class KindlingClient:
    """Talks to one Kindling api.

    :param api_url: base URL (default ``$KINDLING_API_URL`` or ``http://127.0.0.1:8080``)
    :param token: bearer token sent as ``Authorization: Bearer <token>``, or a
        :class:`~kindling_client.auth.TokenSource`; ``None`` looks for one in ``$KINDLING_TOKEN``,
        ``$KINDLING_TOKEN_FILE`` and ``$KINDLING_HOME/admin.token`` (none found: no header is sent)
    :param retries: how many times a transient failure is retried (0 = never); see :func:`retry_policy`
    :param session: a ``requests.Session`` to use; the retry policy is mounted on it
    :param sleep: how :meth:`wait` and :meth:`follow` wait between polls
    :param traceparent: a W3C ``traceparent`` header value sent on every request, or a callable
        giving one per request (``None``: none is sent)
    """

    def __init__(self, api_url: str | None = None, token: str | TokenSource | None = None, *, timeout: float = 30.0,
                 retries: int = 5, backoff: float = 0.5, max_backoff: float = 10.0,
                 session: requests.Session | None = None, sleep: Callable[[float], None] = time.sleep,
                 traceparent: TraceparentSource = None):
        self.api_url = (api_url or default_api_url()).rstrip("/")
        self.auth = resolve_token(token)
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.session = session or requests.Session()
        adapter = HTTPAdapter(max_retries=retry_policy(self.retries, backoff, max_backoff))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.traceparent = traceparent
        self._sleep = sleep

    # ------------------------------------------------------------------ transport

    @property
    def token(self) -> str | None:
        """The bearer token the next request sends (``None``: none)."""
        return self.auth.token() if self.auth is not None else None

    def _headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": "kindling-python-client"}
        token = self.token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        traceparent = self.traceparent() if callable(self.traceparent) else self.traceparent
        if traceparent:
            headers[TRACEPARENT] = traceparent
        if extra:
            headers.update(extra)
        return headers

    def _request(self, method: str, path: str, *, ok: Iterable[int] = (200,),
                 headers: Mapping[str, str] | None = None, **kwargs: Any) -> requests.Response:
        url = self.api_url + path
        expected = set(ok)
        refreshed = False
        while True:
            files = kwargs.get("files")
            if files:  # a second try (after a 401) must send the file from its first byte again
                for value in files.values():
                    handle = value[1] if isinstance(value, tuple) else value
                    if hasattr(handle, "seek"):
                        handle.seek(0)
            try:
                response = self.session.request(method, url, headers=self._headers(headers), timeout=self.timeout,
                                                **kwargs)
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.RetryError) as e:
                raise KindlingConnectionError(
                    f"{method} {url}: cannot reach the Kindling api (after {self.retries} retries): {e}") from e
            if response.status_code in expected:
                return response
            if response.status_code == 401 and not refreshed and self.auth is not None and self.auth.refresh():
                refreshed = True  # an expired or rotated token: one more try with a fresh one
                continue
            raise _api_error(response, method, url, self.auth)

    def _parse(self, response: requests.Response, parse: Callable[[Any, str], _T]) -> _T:
        where = f"{response.request.method} {response.url}"
        try:
            return parse(response.json(), where)
        except (BadResponse, ValueError) as e:  # requests' JSONDecodeError is a ValueError
            raise KindlingApiError(response.status_code, "BAD_RESPONSE", f"not the documented answer: {e}",
                                   method=response.request.method or "", url=response.url) from e

    # ------------------------------------------------------------------ jobs

    def submit(self, spec: Mapping[str, Any], idempotency_key: str | None = None) -> JobView:
        """Submits a job spec; returns the job view (202, or 200 for an idempotent replay)."""
        return self.submit_detailed(spec, idempotency_key).job

    def submit_detailed(self, spec: Mapping[str, Any], idempotency_key: str | None = None) -> Submission:
        """Like :meth:`submit`, and says whether the api answered with an existing job.

        Without a key, one is generated, so a retry after a lost answer cannot start a second job.
        """
        body = dict(spec)
        key = idempotency_key or body.get("idempotencyKey") or f"client-{uuid.uuid4()}"
        body["idempotencyKey"] = key
        response = self._request("POST", "/v1/jobs", ok=(200, 201, 202), json=body,
                                 headers={"Idempotency-Key": key, "Content-Type": "application/json"})
        replay = response.status_code == 200 or response.headers.get(IDEMPOTENT_REPLAY, "").lower() == "true"
        return Submission(job=self._parse(response, job_view), replay=replay, status=response.status_code)

    def get(self, job_id: str) -> JobView:
        return self._parse(self._request("GET", f"/v1/jobs/{job_id}"), job_view)

    status = get

    def cancel(self, job_id: str) -> JobView:
        """Asks for the job to be cancelled (202; 200 when it had already ended); the job's view."""
        return self._parse(self._request("POST", f"/v1/jobs/{job_id}/cancel", ok=(200, 202)), job_view)

    def list(self, state: str | Iterable[str] | None = None, pool: str | None = None,
             labels: Mapping[str, str] | None = None, limit: int | None = None,
             cursor: str | None = None) -> JobPage:
        """One page of jobs: ``{items, nextCursor}``."""
        params: list[tuple[str, str]] = []
        if state:
            for s in [state] if isinstance(state, str) else state:
                params.append(("state", s))
        if pool:
            params.append(("pool", pool))
        for k, v in (labels or {}).items():
            params.append(("label", f"{k}={v}"))
        if limit is not None:
            params.append(("limit", str(limit)))
        if cursor:
            params.append(("cursor", cursor))
        return self._parse(self._request("GET", "/v1/jobs", params=params), job_page)

    def iter_jobs(self, **filters: Any) -> Iterator[JobView]:
        """Every job matching the filters, page after page."""
        cursor = None
        while True:
            page = self.list(cursor=cursor, **filters)
            yield from page["items"]
            cursor = page["nextCursor"]
            if not cursor:
                return

    def wait(self, job_id: str, poll_interval: float = 2.0, timeout: float | None = None) -> JobView:
        """Polls until the job is in a terminal state; returns its view."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job = self.get(job_id)
            if states.is_terminal(job["state"]):
                return job
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"job {job_id} still {job['state']} after {timeout}s")
            self._sleep(poll_interval)

    # ------------------------------------------------------------------ interactive sessions

    def create_session(self, pool: str | None = None, conf: Mapping[str, str] | None = None,
                       idle_timeout_seconds: int | None = None, max_lifetime_seconds: int | None = None,
                       labels: Mapping[str, str] | None = None, idempotency_key: str | None = None) -> SessionView:
        """Starts a Spark Connect session (``POST /v1/sessions``); its view, STARTING.

        Without a key, one is generated, so a retry after a lost answer cannot start a second session.
        """
        body: dict[str, Any] = {}
        if pool:
            body["pool"] = pool
        if conf:
            body["conf"] = dict(conf)
        if idle_timeout_seconds is not None:
            body["idleTimeoutSeconds"] = idle_timeout_seconds
        if max_lifetime_seconds is not None:
            body["maxLifetimeSeconds"] = max_lifetime_seconds
        if labels:
            body["labels"] = dict(labels)
        key = idempotency_key or f"client-{uuid.uuid4()}"
        response = self._request("POST", "/v1/sessions", ok=(200, 201), json=body,
                                 headers={"Idempotency-Key": key, "Content-Type": "application/json"})
        return self._parse(response, session_view)

    def get_session(self, session_id: str) -> SessionView:
        return self._parse(self._request("GET", f"/v1/sessions/{session_id}"), session_view)

    def delete_session(self, session_id: str) -> SessionView:
        """Ends the session (202; 200 when it had already ended); its view."""
        return self._parse(self._request("DELETE", f"/v1/sessions/{session_id}", ok=(200, 202)), session_view)

    def list_sessions(self, pool: str | None = None, limit: int | None = None,
                      cursor: str | None = None) -> SessionPage:
        """One page of the caller's sessions: ``{items, nextCursor}``."""
        params: list[tuple[str, str]] = []
        if pool:
            params.append(("pool", pool))
        if limit is not None:
            params.append(("limit", str(limit)))
        if cursor:
            params.append(("cursor", cursor))
        return self._parse(self._request("GET", "/v1/sessions", params=params), session_page)

    # ------------------------------------------------------------------ logs

    def read_log(self, job_id: str, stream: str = "stdout", attempt: int | None = None, offset: int = 0,
                 limit: int | None = None) -> LogChunk:
        """Bytes of a driver log from ``offset`` (range read; never blocks)."""
        if stream not in STREAMS:
            raise ValueError(f"stream must be one of {STREAMS}, was {stream!r}")
        params: dict[str, Any] = {"offset": offset}
        if attempt is not None:
            params["attempt"] = attempt
        if limit is not None:
            params["limit"] = limit
        response = self._request("GET", f"/v1/jobs/{job_id}/logs/{stream}", params=params)
        data = response.content
        try:  # the document names these headers on every 200
            next_offset = int(response.headers[NEXT_OFFSET])
            complete = response.headers[LOG_COMPLETE].lower() == "true"
            header_attempt = response.headers.get(LOG_ATTEMPT)
            answered_attempt = int(header_attempt) if header_attempt else attempt
        except (KeyError, ValueError) as e:
            raise KindlingApiError(response.status_code, "BAD_RESPONSE",
                                   f"a log read answered without a valid {NEXT_OFFSET} / {LOG_COMPLETE} header: {e}",
                                   method="GET", url=response.url) from e
        return LogChunk(data=data, offset=offset, next_offset=next_offset, complete=complete,
                        attempt=answered_attempt)

    def follow(self, job_id: str, streams: Iterable[str] = STREAMS, *, positions: Mapping[str, int] | None = None,
               poll_interval: float = 1.0, complete_grace: float = 30.0) -> LogFollower:
        """Follows a job's driver logs until it ends; iterate the result for :class:`LogEvent` s."""
        return LogFollower(self, job_id, tuple(streams), dict(positions or {}), poll_interval, complete_grace)

    # ------------------------------------------------------------------ artifacts

    def upload(self, path: str, name: str | None = None, tenant: str | None = None) -> str:
        """Uploads a local file through ``POST /v1/artifacts``; returns its ``artifact://`` URI.

        ``tenant`` (the ``tenant`` form field) names the tenant the artifact belongs to; without
        it the api takes the caller's (see the api's tenant rules). A job can use only the
        artifacts of its own tenant, so give the same ``tenant`` as the job's spec. An error
        answer (e.g. 413 for a file over the api's limit) raises :class:`KindlingApiError`.
        """
        filename = name or os.path.basename(path)
        data = {"tenant": tenant} if tenant else None
        with open(path, "rb") as handle:
            response = self._request("POST", "/v1/artifacts", ok=(201,), data=data,
                                     files={"file": (filename, handle, "application/octet-stream")})
        return self._parse(response, artifact)["uri"]


@dataclass
class LogFollower:
    """Iterates new driver-log bytes of every attempt, in attempt order, until the job has ended
    and its logs are complete (or ``complete_grace`` seconds after the end, whichever is first).

    ``positions`` (``"<attempt>/<stream>" → offset``) is updated as bytes are yielded, so a caller
    can persist it and resume; ``job`` is the last view seen.
    """

    client: KindlingClient
    job_id: str
    streams: tuple[str, ...]
    positions: dict[str, int]
    poll_interval: float = 1.0
    complete_grace: float = 30.0
    job: JobView | None = None
    complete: set[str] = field(default_factory=set)

    def poll(self) -> list[LogEvent]:
        """One round: fetches the job and every byte available now; never sleeps."""
        self.job = self.client.get(self.job_id)
        events: list[LogEvent] = []
        for attempt in sorted(a["number"] for a in self.job["attempts"]):
            for stream in self.streams:
                key = position_key(attempt, stream)
                while key not in self.complete:
                    offset = self.positions.get(key, 0)
                    try:
                        chunk = self.client.read_log(self.job_id, stream, attempt=attempt, offset=offset)
                    except KindlingApiError as e:
                        if e.status == 404:  # the attempt has no log yet
                            break
                        raise
                    if chunk.data:
                        self.positions[key] = chunk.next_offset
                        events.append(LogEvent(attempt, stream, chunk.data, chunk.next_offset))
                    if chunk.complete:
                        self.complete.add(key)
                    if not chunk.data:
                        break
        return events

    @property
    def view(self) -> JobView:
        """The last job view seen (after at least one :meth:`poll`)."""
        if self.job is None:
            raise RuntimeError("no job view yet: poll() first")
        return self.job

    def finished(self) -> bool:
        """True once the job is terminal and every attempt's streams are complete."""
        if not self.job or not states.is_terminal(self.job["state"]):
            return False
        numbers = [a["number"] for a in self.job["attempts"]]
        return all(position_key(n, s) in self.complete for n in numbers for s in self.streams)

    def __iter__(self) -> Iterator[LogEvent]:
        ended_at: float | None = None
        while True:
            yield from self.poll()
            if self.finished():
                return
            if self.job is not None and states.is_terminal(self.job["state"]):
                ended_at = ended_at if ended_at is not None else time.monotonic()
                if time.monotonic() - ended_at >= self.complete_grace:
                    return
            self.client._sleep(self.poll_interval)


class LineSplitter:
    """Turns byte chunks into complete text lines, per key, keeping partial lines for later."""

    def __init__(self) -> None:
        self._pending: dict[str, bytes] = {}

    def feed(self, key: str, data: bytes) -> list[str]:
        buffer = self._pending.get(key, b"") + data
        *lines, rest = buffer.split(b"\n")
        self._pending[key] = rest
        return [line.rstrip(b"\r").decode("utf-8", errors="replace") for line in lines]

    def pending(self, key: str) -> int:
        """How many bytes of ``key`` are held back as a partial line (not returned yet)."""
        return len(self._pending.get(key, b""))

    def flush(self) -> list[tuple[str, str]]:
        """The partial last lines (a log that does not end with a newline)."""
        out = [(k, v.rstrip(b"\r").decode("utf-8", errors="replace")) for k, v in self._pending.items() if v]
        self._pending.clear()
        return out


def _api_error(response: requests.Response, method: str, url: str,
               auth: TokenSource | None = None) -> KindlingApiError:
    return error_from_body(response.status_code, response.reason or "", response.text, method, url, auth)


def error_from_body(status: int, reason: str, text: str, method: str, url: str,
                    auth: TokenSource | None) -> KindlingApiError:
    """The exception for an error answer whose body is ``text``: the api's ``Error`` object
    (``{code, message, details}``) when it is one, else ``HTTP_<status>`` and the text."""
    code, message = f"HTTP_{status}", reason
    details: list[Mapping[str, object]] = []
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        code = body["code"]
        message = str(body.get("message") or message)
        details = [d for d in body.get("details") or [] if isinstance(d, dict)]
    elif text:
        message = text[:500]
    return api_error(status, code, message, details, method, url, auth)


def api_error(status: int, code: str, message: str, details: Sequence[Mapping[str, object]], method: str, url: str,
              auth: TokenSource | None) -> KindlingApiError:
    """The exception for an error answer: :class:`KindlingAuthError` (with a hint naming the
    token's source, never the token) for 401 and 403, else :class:`KindlingApiError`."""
    if status == 401:
        if auth is None:
            hint = (f"No token was sent: pass --token (or token=...), set {TOKEN_ENV} or {TOKEN_FILE_ENV}, "
                    "or run where $KINDLING_HOME/admin.token is (./kindling up writes it)")
        else:
            hint = f"The token from {auth.description} was refused"
        return KindlingAuthError(status, code, message, details, method, url, hint)
    if status == 403:
        source = auth.description if auth is not None else "no token"
        return KindlingAuthError(status, code, message, details, method, url,
                                 f"The token from {source} lacks the role or tenant this needs")
    return KindlingApiError(status, code, message, details, method=method, url=url)
