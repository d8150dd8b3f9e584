"""Interactive Spark sessions: a stock PySpark Spark Connect client through the Kindling gateway.

::

    from kindling_client import KindlingSession

    with KindlingSession(pool="analytics", api="https://kindling.example", token=TOKEN,
                         ca_file="/etc/kindling/ca.pem") as spark:
        spark.range(1000).selectExpr("sum(id)").show()

:class:`KindlingSession` starts a session (``POST /v1/sessions``), waits until it is READY, and
yields ``SparkSession.builder.remote(connectUrl + ";token=" + token).getOrCreate()``; on exit it
stops the Spark session and ends the Kindling one (``DELETE /v1/sessions/{id}``). The Spark Connect
client (``pip install 'pyspark[connect]==4.0.5'``) is imported only then: the rest of this package
does not need it.
"""
from __future__ import annotations

import importlib
import os
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Callable

from kindling_client.auth import TokenSource
from kindling_client.client import KindlingClient
from kindling_client.errors import KindlingError
from kindling_client.models import SessionView

#: gRPC's C core reads the CA file of secure channels from this variable, once, at the first channel
GRPC_ROOTS_ENV = "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"
READY = "READY"
ENDED_STATES = frozenset({"ENDED", "FAILED"})


class KindlingSessionError(KindlingError):
    """The session did not become READY (it FAILED or ENDED, or the wait timed out); ``session`` is its view."""

    def __init__(self, message: str, session: SessionView | None = None):
        self.session = session
        super().__init__(message)


def remote_spark_session(url: str) -> Any:
    """``SparkSession.builder.remote(url).getOrCreate()`` of the installed Spark Connect client."""
    try:
        sql = importlib.import_module("pyspark.sql")
    except ImportError as e:
        raise KindlingSessionError(
            "KindlingSession needs the Spark Connect client: pip install 'pyspark[connect]==4.0.5'") from e
    return sql.SparkSession.builder.remote(url).getOrCreate()


class KindlingSession:
    """A Kindling interactive session as a context manager that yields a ``SparkSession``.

    :param pool: the worker pool that runs the session's Spark Connect server (default: the api's ``default``)
    :param api: the api's base URL (default ``$KINDLING_API_URL`` or ``http://127.0.0.1:8080``)
    :param token: the bearer token (default: as :class:`~kindling_client.KindlingClient` finds one); it
        is sent to the api and appended to the connect URL (``;token=...``), which the gateway checks
    :param ca_file: the gateway's CA (``$KINDLING_HOME/tls/ca.pem`` of ``./kindling up``): exported as
        ``GRPC_DEFAULT_SSL_ROOTS_FILE_PATH`` before the first gRPC channel (gRPC reads it once per process)
    :param conf: Spark configuration of the server; ``idle_timeout_seconds``, ``max_lifetime_seconds``,
        ``labels``: as ``POST /v1/sessions`` takes them
    :param ready_timeout: seconds to wait for READY before giving up (the session is then deleted)
    :param client: a :class:`~kindling_client.KindlingClient` to use instead of ``api`` and ``token``
    :param spark_factory: makes the Spark session from the URL (default :func:`remote_spark_session`)
    """

    def __init__(self, pool: str | None = None, *, api: str | None = None, token: str | TokenSource | None = None,
                 ca_file: str | os.PathLike[str] | None = None, conf: Mapping[str, str] | None = None,
                 idle_timeout_seconds: int | None = None, max_lifetime_seconds: int | None = None,
                 labels: Mapping[str, str] | None = None, ready_timeout: float = 600.0, poll_interval: float = 2.0,
                 client: KindlingClient | None = None, spark_factory: Callable[[str], Any] = remote_spark_session,
                 sleep: Callable[[float], None] = time.sleep):
        self.client = client or KindlingClient(api, token)
        self.pool = pool
        self.ca_file = ca_file
        self.conf = conf
        self.idle_timeout_seconds = idle_timeout_seconds
        self.max_lifetime_seconds = max_lifetime_seconds
        self.labels = labels
        self.ready_timeout = ready_timeout
        self.poll_interval = poll_interval
        self._spark_factory = spark_factory
        self._sleep = sleep
        #: the session's view once created (the READY one inside the ``with`` block)
        self.session: SessionView | None = None
        self.spark: Any = None

    @property
    def connect_url(self) -> str:
        """The session's connect URL with the token appended (what the Spark session was built from)."""
        if self.session is None:
            raise KindlingSessionError("the session is not started")
        token = self.client.token
        return self.session["connectUrl"] + (f";token={token}" if token else "")

    def __enter__(self) -> Any:
        if self.ca_file is not None:
            os.environ[GRPC_ROOTS_ENV] = os.path.abspath(os.fspath(self.ca_file))
        self.session = self.client.create_session(
            pool=self.pool, conf=self.conf, idle_timeout_seconds=self.idle_timeout_seconds,
            max_lifetime_seconds=self.max_lifetime_seconds, labels=self.labels)
        try:
            self.session = self._wait_ready(self.session["id"])
            self.spark = self._spark_factory(self.connect_url)
        except BaseException:
            self._end()
            raise
        return self.spark

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._end()

    def _wait_ready(self, session_id: str) -> SessionView:
        deadline = time.monotonic() + self.ready_timeout
        while True:
            session = self.client.get_session(session_id)
            if session["state"] == READY:
                return session
            if session["state"] in ENDED_STATES:
                raise KindlingSessionError(
                    f"session {session_id} {session['state']} ({session.get('reason') or 'no reason'}) before it was"
                    f" READY: {session.get('message') or ''} (its server's log: GET {self.client.api_url}"
                    f"{session['logs']}/stderr)", session)
            if time.monotonic() >= deadline:
                raise KindlingSessionError(
                    f"session {session_id} still {session['state']} after {self.ready_timeout} s (deleted)", session)
            self._sleep(self.poll_interval)

    def _end(self) -> None:
        spark, self.spark = self.spark, None
        try:
            if spark is not None:
                spark.stop()
        finally:
            if self.session is not None:
                self.session = self.client.delete_session(self.session["id"])
