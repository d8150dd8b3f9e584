"""``KindlingHook``: the Airflow side of a ``kindling`` connection."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kindling_client import JobView, KindlingClient, LogChunk, LogFollower, Submission
from kindling_client.auth import ClientCredentials, FileToken, StaticToken, TokenSource, resolve_token
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


#: keys of the connection extra's ``oidc`` object, passed to :class:`ClientCredentials`
OIDC_KEYS = ("client_id", "client_secret", "client_secret_file", "scope", "token_endpoint", "tenant_id", "authority",
             "issuer", "audience", "auth_method")


def auth_of(conn_id: str, login: str | None, password: str | None, extra: Mapping[str, Any]) -> TokenSource | None:
    """The token source of a connection.

    - ``extra.oidc`` (an object): OAuth 2.0 client credentials (:class:`ClientCredentials`); the
      client id defaults to the connection's *Login*, the client secret to its *Password*
      (or ``client_secret_file``);
    - else the *Password* is the token;
    - else ``extra.token_file`` names a file holding it (read again when it changes);
    - else no token is sent.
    """
    oidc = extra.get("oidc")
    if oidc:
        if not isinstance(oidc, Mapping):
            raise ValueError(f"connection {conn_id!r}: extra.oidc must be an object, was {type(oidc).__name__}")
        unknown = sorted(set(oidc) - set(OIDC_KEYS))
        if unknown:
            raise ValueError(f"connection {conn_id!r}: unknown keys in extra.oidc: {unknown} (known: {OIDC_KEYS})")
        settings = dict(oidc)
        settings.setdefault("client_id", login or None)
        if not settings.get("client_secret_file"):
            settings.setdefault("client_secret", password or None)
        return ClientCredentials(**settings)
    if password:
        return StaticToken(password, f"the password of connection {conn_id!r}")
    if extra.get("token_file"):
        return FileToken(str(extra["token_file"]), f"token_file {extra['token_file']} of connection {conn_id!r}")
    return None


class KindlingHook(BaseHook):
    """Talks to the Kindling api named by a ``kindling`` connection.

    Connection fields: *Host* (host name or full URL), *Port*, *Schema* (``http`` or ``https``),
    *Password* (bearer token, sent as ``Authorization: Bearer …``). Extra (JSON, optional):
    ``timeout`` (seconds per request), ``retries`` (transient failures retried), ``backoff``,
    ``token_file`` (a file holding the token, instead of the password), ``oidc`` (OAuth 2.0
    client credentials, e.g. an Entra ID app: see :func:`auth_of`).
    When the connection id is the default one and no such connection exists, the hook falls
    back to ``$KINDLING_API_URL`` (default ``http://127.0.0.1:8080``) and the client's token
    look-up (``$KINDLING_TOKEN``, ``$KINDLING_TOKEN_FILE``, ``$KINDLING_HOME/admin.token``).
    """

    conn_name_attr = "kindling_conn_id"
    default_conn_name = "kindling_default"
    conn_type = "kindling"
    hook_name = "Kindling"

    def __init__(self, kindling_conn_id: str = default_conn_name, *, retries: int | None = None,
                 traceparent: str | None = None) -> None:
        super().__init__()
        self.kindling_conn_id = kindling_conn_id
        self._retries = retries
        #: the W3C ``traceparent`` header sent on every call (``None``: none); may be set at any time
        self.traceparent = traceparent
        self._client: KindlingClient | None = None

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        return {
            "hidden_fields": [],
            "relabeling": {"host": "API host or URL", "schema": "Scheme (http or https)",
                           "login": "OIDC client id (with extra.oidc)",
                           "password": "API token (or OIDC client secret, with extra.oidc)"},
            "placeholders": {
                "host": "kindling-api.example.com or http://127.0.0.1:8080",
                "port": "8080",
                "schema": "http",
                "login": "only with extra.oidc: the app's client id",
                "extra": '{"timeout": 30, "retries": 5, "token_file": "/var/run/secrets/kindling/token", '
                         '"oidc": {"tenant_id": "<entra tenant id>", "scope": "api://kindling-api/.default"}}',
            },
        }

    def connection_params(self) -> dict[str, Any]:
        """``{api_url, auth, timeout, retries, backoff}`` of the connection (blocking: reads it);
        ``auth`` is a :class:`~kindling_client.auth.TokenSource` or ``None``."""
        try:
            conn = self.get_connection(self.kindling_conn_id)
        except AirflowNotFoundException:
            if self.kindling_conn_id != self.default_conn_name:
                raise
            self.log.info("no connection %r; using %s", self.kindling_conn_id, default_api_url())
            return {"api_url": default_api_url(), "auth": resolve_token(None), "timeout": 30.0, "retries": 5,
                    "backoff": 0.5}
        extra = conn.extra_dejson or {}
        return {
            "api_url": api_url_of(conn.host, conn.port, conn.schema),
            "auth": auth_of(self.kindling_conn_id, conn.login, conn.password, extra),
            "timeout": float(extra.get("timeout", 30.0)),
            "retries": int(extra.get("retries", 5)),
            "backoff": float(extra.get("backoff", 0.5)),
        }

    def get_conn(self) -> KindlingClient:
        if self._client is None:
            p = self.connection_params()
            retries = self._retries if self._retries is not None else p["retries"]
            # "" rather than None: a connection without credentials sends none (no look-up in the environment)
            self._client = KindlingClient(p["api_url"], p["auth"] or "", timeout=p["timeout"], retries=retries,
                                          backoff=p["backoff"], traceparent=lambda: self.traceparent)
        return self._client

    @property
    def client(self) -> KindlingClient:
        return self.get_conn()

    @property
    def api_url(self) -> str:
        return self.get_conn().api_url

    def submit(self, spec: Mapping[str, Any], idempotency_key: str | None = None) -> Submission:
        return self.get_conn().submit_detailed(spec, idempotency_key)

    def get_job(self, job_id: str) -> JobView:
        return self.get_conn().get(job_id)

    def cancel(self, job_id: str) -> JobView:
        return self.get_conn().cancel(job_id)

    def read_log(self, job_id: str, stream: str = "stdout", attempt: int | None = None, offset: int = 0,
                 limit: int | None = None) -> LogChunk:
        return self.get_conn().read_log(job_id, stream, attempt=attempt, offset=offset, limit=limit)

    def follow(self, job_id: str, streams: Iterable[str] = STREAMS, *, positions: Mapping[str, int] | None = None,
               poll_interval: float = 2.0) -> LogFollower:
        return self.get_conn().follow(job_id, streams, positions=positions, poll_interval=poll_interval)

    def upload(self, path: str, tenant: str | None = None) -> str:
        return self.get_conn().upload(path, tenant=tenant)

    def test_connection(self) -> tuple[bool, str]:
        """Used by the UI's *Test* button: asks the api's readiness endpoint, then lists one job
        with the connection's credential (``/health/*`` needs none, so that alone proves nothing)."""
        try:
            client = self.get_conn()
            response = client.session.get(client.api_url + "/health/ready", timeout=10)
            if response.status_code != 200:
                return False, f"/health/ready answered {response.status_code}"
            client.list(limit=1)
            source = client.auth.description if client.auth is not None else "no token"
            return True, f"the api is ready and accepted {source}"
        except Exception as e:  # noqa: BLE001 - the UI shows the message
            return False, str(e)
