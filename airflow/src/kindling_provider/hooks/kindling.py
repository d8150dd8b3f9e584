"""``KindlingHook``: the Airflow side of a ``kindling`` connection."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from kindling_client import KindlingClient, LogChunk, LogFollower, Submission
from kindling_client.client import STREAMS, default_api_url
from kindling_provider._compat import AirflowNotFoundException, BaseHook


def api_url_of(host: str | None, port: int | None, schema: str | None) -> str:
    """The api base URL of a connection: ``host`` may be a bare host or a full URL;
    ``schema`` is the scheme (``http``/``https``, default ``http``)."""
    host = (host or "127.0.0.1").strip().rstrip("/")
    if "://" in host:
        scheme, _, rest = host.partition("://")
    else:
        scheme, rest = (schema or "http"), host
    if port and ":" not in rest.split("/", 1)[0]:
        hostpart, slash, path = rest.partition("/")
        rest = f"{hostpart}:{port}{slash}{path}"
    return f"{scheme}://{rest}"


class KindlingHook(BaseHook):
    """Talks to the Kindling api named by a ``kindling`` connection.

    Connection fields: *Host* (host name or full URL), *Port*, *Schema* (``http`` or ``https``),
    *Password* (bearer token, sent as ``Authorization: Bearer …``). Extra (JSON, optional):
    ``timeout`` (seconds per request), ``retries`` (transient failures retried), ``backoff``.
    When the connection id is the default one and no such connection exists, the hook falls
    back to ``$KINDLING_API_URL`` (default ``http://127.0.0.1:8080``).
    """

    conn_name_attr = "kindling_conn_id"
    default_conn_name = "kindling_default"
    conn_type = "kindling"
    hook_name = "Kindling"

    def __init__(self, kindling_conn_id: str = default_conn_name, *, retries: int | None = None) -> None:
        super().__init__()
        self.kindling_conn_id = kindling_conn_id
        self._retries = retries
        self._client: KindlingClient | None = None

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        return {
            "hidden_fields": ["login"],
            "relabeling": {"host": "API host or URL", "schema": "Scheme (http or https)", "password": "API token"},
            "placeholders": {
                "host": "kindling-api.example.com or http://127.0.0.1:8080",
                "port": "8080",
                "schema": "http",
                "extra": '{"timeout": 30, "retries": 5}',
            },
        }

    def connection_params(self) -> dict[str, Any]:
        """``{api_url, token, timeout, retries, backoff}`` of the connection (blocking: reads it)."""
        try:
            conn = self.get_connection(self.kindling_conn_id)
        except AirflowNotFoundException:
            if self.kindling_conn_id != self.default_conn_name:
                raise
            self.log.info("no connection %r; using %s", self.kindling_conn_id, default_api_url())
            return {"api_url": default_api_url(), "token": None, "timeout": 30.0, "retries": 5, "backoff": 0.5}
        extra = conn.extra_dejson or {}
        return {
            "api_url": api_url_of(conn.host, conn.port, conn.schema),
            "token": conn.password or None,
            "timeout": float(extra.get("timeout", 30.0)),
            "retries": int(extra.get("retries", 5)),
            "backoff": float(extra.get("backoff", 0.5)),
        }

    def get_conn(self) -> KindlingClient:
        if self._client is None:
            p = self.connection_params()
            retries = self._retries if self._retries is not None else p["retries"]
            self._client = KindlingClient(p["api_url"], p["token"], timeout=p["timeout"], retries=retries,
                                          backoff=p["backoff"])
        return self._client

    @property
    def client(self) -> KindlingClient:
        return self.get_conn()

    @property
    def api_url(self) -> str:
        return self.get_conn().api_url

    def submit(self, spec: Mapping[str, Any], idempotency_key: str | None = None) -> Submission:
        return self.get_conn().submit_detailed(spec, idempotency_key)

    def get_job(self, job_id: str) -> dict[str, Any]:
        return self.get_conn().get(job_id)

    def cancel(self, job_id: str) -> dict[str, Any]:
        return self.get_conn().cancel(job_id)

    def read_log(self, job_id: str, stream: str = "stdout", attempt: int | None = None, offset: int = 0,
                 limit: int | None = None) -> LogChunk:
        return self.get_conn().read_log(job_id, stream, attempt=attempt, offset=offset, limit=limit)

    def follow(self, job_id: str, streams: Iterable[str] = STREAMS, *, positions: Mapping[str, int] | None = None,
               poll_interval: float = 2.0) -> LogFollower:
        return self.get_conn().follow(job_id, streams, positions=positions, poll_interval=poll_interval)

    def upload(self, path: str) -> str:
        return self.get_conn().upload(path)

    def test_connection(self) -> tuple[bool, str]:
        """Used by the UI's *Test* button: asks the api's readiness endpoint."""
        try:
            client = self.get_conn()
            response = client.session.get(client.api_url + "/health/ready", headers=client._headers(), timeout=10)
            return response.status_code == 200, f"/health/ready answered {response.status_code}"
        except Exception as e:  # noqa: BLE001 - the UI shows the message
            return False, str(e)
