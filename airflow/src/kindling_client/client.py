"""A small synchronous client of the Kindling HTTP API (``/v1``).

Every call retries, with exponential backoff, on connection errors, timeouts and the
transient statuses 502/503/504; any other error answer raises :class:`KindlingApiError`
carrying the api's ``{code, message, details[]}`` (:class:`KindlingAuthError` for 401/403).
The bearer token comes from :func:`kindling_client.auth.resolve_token`.
"""
from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping

import requests

from kindling_client import states
from kindling_client.auth import TOKEN_ENV, TOKEN_FILE_ENV, TokenSource, resolve_token
from kindling_client.errors import (
    ArtifactUploadUnsupported,
    KindlingApiError,
    KindlingAuthError,
    KindlingConnectionError,
)

DEFAULT_API_URL = "http://127.0.0.1:8080"
API_URL_ENV = "KINDLING_API_URL"
TRANSIENT_STATUSES = frozenset({502, 503, 504})
NEXT_OFFSET = "Kindling-Next-Offset"
LOG_COMPLETE = "Kindling-Log-Complete"
LOG_ATTEMPT = "Kindling-Attempt"
IDEMPOTENT_REPLAY = "Kindling-Idempotent-Replay"
STREAMS = ("stdout", "stderr")


def default_api_url() -> str:
    return os.environ.get(API_URL_ENV) or DEFAULT_API_URL


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

    job: dict[str, Any]
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
    :param retries: how many times a transient failure is retried (0 = never)
    """

    def __init__(self, api_url: str | None = None, token: str | TokenSource | None = None, *, timeout: float = 30.0,
                 retries: int = 5, backoff: float = 0.5, max_backoff: float = 10.0,
                 session: requests.Session | None = None, sleep: Callable[[float], None] = time.sleep):
        self.api_url = (api_url or default_api_url()).rstrip("/")
        self.auth = resolve_token(token)
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.session = session or requests.Session()
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
        if extra:
            headers.update(extra)
        return headers

    def _request(self, method: str, path: str, *, ok: Iterable[int] = (200,), **kwargs: Any) -> requests.Response:
        url = self.api_url + path
        extra_headers = kwargs.pop("headers", None)
        headers = self._headers(extra_headers)
        ok = set(ok)
        attempt = 0
        refreshed = False
        while True:
            try:
                files = kwargs.get("files")
                if files:  # a retried upload must start from the first byte again
                    for value in files.values():
                        handle = value[1] if isinstance(value, tuple) else value
                        if hasattr(handle, "seek"):
                            handle.seek(0)
                response = self.session.request(method, url, headers=headers, timeout=self.timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as e:
                if attempt >= self.retries:
                    raise KindlingConnectionError(
                        f"{method} {url}: cannot reach the Kindling api after {attempt + 1} tries: {e}") from e
            else:
                if response.status_code in ok:
                    return response
                if response.status_code == 401 and not refreshed and self.auth is not None and self.auth.refresh():
                    refreshed = True  # an expired or rotated token: one more try with a fresh one
                    headers = self._headers(extra_headers)
                    continue
                if response.status_code not in TRANSIENT_STATUSES or attempt >= self.retries:
                    raise _api_error(response, method, url, self.auth)
            self._sleep(min(self.max_backoff, self.backoff * (2 ** attempt)))
            attempt += 1

    # ------------------------------------------------------------------ jobs

    def submit(self, spec: Mapping[str, Any], idempotency_key: str | None = None) -> dict[str, Any]:
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
        return Submission(job=response.json(), replay=replay, status=response.status_code)

    def get(self, job_id: str) -> dict[str, Any]:
        return self._request("GET", f"/v1/jobs/{job_id}").json()

    status = get

    def cancel(self, job_id: str) -> dict[str, Any]:
        """Asks for the job to be cancelled (202; 200 when it had already ended)."""
        response = self._request("POST", f"/v1/jobs/{job_id}/cancel", ok=(200, 202))
        return response.json() if response.content else {}

    def list(self, state: str | Iterable[str] | None = None, pool: str | None = None,
             labels: Mapping[str, str] | None = None, limit: int | None = None,
             cursor: str | None = None) -> dict[str, Any]:
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
        return self._request("GET", "/v1/jobs", params=params).json()

    def iter_jobs(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Every job matching the filters, page after page."""
        cursor = None
        while True:
            page = self.list(cursor=cursor, **filters)
            yield from page.get("items", [])
            cursor = page.get("nextCursor")
            if not cursor:
                return

    def wait(self, job_id: str, poll_interval: float = 2.0, timeout: float | None = None) -> dict[str, Any]:
        """Polls until the job is in a terminal state; returns its view."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job = self.get(job_id)
            if states.is_terminal(job.get("state")):
                return job
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"job {job_id} still {job.get('state')} after {timeout}s")
            self._sleep(poll_interval)

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
        next_offset = int(response.headers.get(NEXT_OFFSET, offset + len(data)))
        complete = response.headers.get(LOG_COMPLETE, "false").lower() == "true"
        header_attempt = response.headers.get(LOG_ATTEMPT)
        return LogChunk(data=data, offset=offset, next_offset=next_offset, complete=complete,
                        attempt=int(header_attempt) if header_attempt else attempt)

    def follow(self, job_id: str, streams: Iterable[str] = STREAMS, *, positions: Mapping[str, int] | None = None,
               poll_interval: float = 1.0, complete_grace: float = 30.0) -> "LogFollower":
        """Follows a job's driver logs until it ends; iterate the result for :class:`LogEvent` s."""
        return LogFollower(self, job_id, tuple(streams), dict(positions or {}), poll_interval, complete_grace)

    # ------------------------------------------------------------------ artifacts

    def upload(self, path: str, name: str | None = None, tenant: str | None = None) -> str:
        """Uploads a local file through ``POST /v1/artifacts``; returns its ``artifact://`` URI.

        ``tenant`` (the ``tenant`` form field) names the tenant the artifact belongs to; without
        it the api takes the caller's (see the api's tenant rules). A job can use only the
        artifacts of its own tenant, so give the same ``tenant`` as the job's spec.
        Raises :class:`ArtifactUploadUnsupported` when the api has no artifact endpoint (404).
        """
        filename = name or os.path.basename(path)
        data = {"tenant": tenant} if tenant else None
        with open(path, "rb") as handle:
            try:
                response = self._request("POST", "/v1/artifacts", ok=(200, 201), data=data,
                                         files={"file": (filename, handle, "application/octet-stream")})
            except KindlingApiError as e:
                if e.status in (404, 405) and not isinstance(e, KindlingAuthError):
                    raise ArtifactUploadUnsupported(
                        f"the Kindling api at {self.api_url} does not accept artifact uploads "
                        f"(POST /v1/artifacts answered {e.status}); cannot upload {path!r}. "
                        "Put the file where the worker can read it and pass its absolute path or URI "
                        "(or a file:// URI in the embedded mode).") from e
                raise
        body = response.json()
        uri = body.get("uri") if isinstance(body, dict) else None  # the Artifact schema: {uri, sha256, size}
        if not uri:
            raise KindlingApiError(response.status_code, "BAD_RESPONSE",
                                   f"artifact upload answered without a uri: {body!r}", method="POST",
                                   url=self.api_url + "/v1/artifacts")
        return uri


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
    job: dict[str, Any] | None = None
    complete: set[str] = field(default_factory=set)

    def poll(self) -> list[LogEvent]:
        """One round: fetches the job and every byte available now; never sleeps."""
        self.job = self.client.get(self.job_id)
        events: list[LogEvent] = []
        for attempt in sorted(a["number"] for a in self.job.get("attempts") or []):
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

    def finished(self) -> bool:
        """True once the job is terminal and every attempt's streams are complete."""
        if not self.job or not states.is_terminal(self.job.get("state")):
            return False
        numbers = [a["number"] for a in self.job.get("attempts") or []]
        return all(position_key(n, s) in self.complete for n in numbers for s in self.streams)

    def __iter__(self) -> Iterator[LogEvent]:
        ended_at: float | None = None
        while True:
            yield from self.poll()
            if self.finished():
                return
            if states.is_terminal(self.job.get("state")):
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
    code, message, details = f"HTTP_{response.status_code}", response.reason or "", []
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        code = str(body.get("code") or code)
        message = str(body.get("message") or message)
        details = body.get("details") or []
    elif response.text:
        message = response.text[:500]
    return api_error(response.status_code, code, message, details, method, url, auth)


def api_error(status: int, code: str, message: str, details: list, method: str, url: str,
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
