"""Where the bearer token sent to the Kindling api comes from.

A :class:`TokenSource` gives the token to send (``Authorization: Bearer <token>``) and may be
asked for a fresh one after the api answered 401:

- :class:`StaticToken`: a token given as it is (``--token``, ``KINDLING_TOKEN``, a connection's
  password);
- :class:`FileToken`: the content of a file, read again when the file changes (a Kubernetes
  secret volume, ``$KINDLING_HOME/admin.token``);
- :class:`ClientCredentials`: an OAuth 2.0 / OIDC client-credentials grant (an Entra ID app
  registration, or any OIDC provider's token endpoint), fetched with Authlib and fetched again
  before it expires.

:func:`resolve_token` applies the documented order: the explicit argument, ``KINDLING_TOKEN``,
``KINDLING_TOKEN_FILE``, ``$KINDLING_HOME/admin.token`` (``KINDLING_HOME`` defaults to
``./.kindling``, where ``./kindling up`` writes it). When none is found no header is sent.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Callable

from kindling_client.errors import KindlingConnectionError, KindlingTokenError

TOKEN_ENV = "KINDLING_TOKEN"
TOKEN_FILE_ENV = "KINDLING_TOKEN_FILE"
HOME_ENV = "KINDLING_HOME"
DEFAULT_HOME = ".kindling"
ADMIN_TOKEN_FILE = "admin.token"
ENTRA_AUTHORITY = "https://login.microsoftonline.com"


class TokenSource:
    """Gives the bearer token to send; ``description`` says where it comes from (never the token)."""

    description = "a token source"

    def token(self) -> str | None:
        raise NotImplementedError

    def refresh(self) -> bool:
        """Called after the api answered 401 with this source's token. True when the next
        :meth:`token` may be a different one (worth one more try)."""
        return False

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.description})"


class StaticToken(TokenSource):
    def __init__(self, value: str, description: str = "the given token") -> None:
        self._value = value.strip()
        self.description = description

    def token(self) -> str | None:
        return self._value or None


class FileToken(TokenSource):
    """The first line of a file, read again whenever its modification time or size changes
    (and after a 401), so a rotated secret is picked up without a restart."""

    def __init__(self, path: str | os.PathLike[str], description: str | None = None) -> None:
        self.path = Path(path).expanduser()
        self.description = description or f"the file {self.path}"
        self._stamp: tuple[int, int] | None = None
        self._value: str | None = None
        self._lock = threading.Lock()

    def token(self) -> str | None:
        with self._lock:
            try:
                stat = self.path.stat()
                stamp = (stat.st_mtime_ns, stat.st_size)
                if stamp != self._stamp:
                    lines = self.path.read_text(encoding="utf-8").splitlines()
                    self._value = lines[0].strip() if lines else ""
                    self._stamp = stamp
            except OSError as e:
                raise KindlingTokenError(f"cannot read the Kindling token from {self.description}: {e}") from e
            if not self._value:
                raise KindlingTokenError(f"{self.description} is empty: it should hold the token on one line")
            return self._value

    def refresh(self) -> bool:
        with self._lock:
            before = self._value
            self._stamp = None
        return self.token() != before


class ClientCredentials(TokenSource):
    """OAuth 2.0 client-credentials grant (RFC 6749 §4.4) through Authlib.

    The token endpoint is ``token_endpoint`` if given; else, for Microsoft Entra ID,
    ``<authority>/<tenant_id>/oauth2/v2.0/token`` (``authority`` defaults to
    ``https://login.microsoftonline.com``); else the ``token_endpoint`` of the OIDC discovery
    document ``<issuer>/.well-known/openid-configuration``. For Entra the scope is the api's
    app ID URI with ``/.default`` (e.g. ``api://kindling-api/.default``).

    The client secret is ``client_secret``, or the content of ``client_secret_file`` (read
    again for every token request, so a rotated secret is used). The token is kept until
    ``leeway`` seconds before it expires, then fetched again; a 401 from the api drops it.
    """

    def __init__(self, client_id: str, client_secret: str | None = None, *, client_secret_file: str | None = None,
                 scope: str | None = None, token_endpoint: str | None = None, tenant_id: str | None = None,
                 authority: str | None = None, issuer: str | None = None, audience: str | None = None,
                 auth_method: str = "client_secret_post", timeout: float = 30.0, leeway: float = 60.0,
                 session_factory: Callable[..., Any] | None = None) -> None:
        if not client_id:
            raise KindlingTokenError("OIDC client credentials need a client id")
        if not client_secret and not client_secret_file:
            raise KindlingTokenError(f"OIDC client credentials of client {client_id!r} need a client secret "
                                     "(the connection's password, client_secret or client_secret_file)")
        if not (token_endpoint or tenant_id or issuer):
            raise KindlingTokenError(f"OIDC client credentials of client {client_id!r} need token_endpoint, "
                                     "tenant_id (Entra ID) or issuer (OIDC discovery)")
        self.client_id = client_id
        self._client_secret = client_secret
        self.client_secret_file = client_secret_file
        self.scope = scope
        self.audience = audience
        self.auth_method = auth_method
        self.timeout = timeout
        self.leeway = leeway
        self.issuer = issuer.rstrip("/") if issuer else None
        if token_endpoint:
            self._endpoint: str | None = token_endpoint
        elif tenant_id:
            self._endpoint = f"{(authority or ENTRA_AUTHORITY).rstrip('/')}/{tenant_id}/oauth2/v2.0/token"
        else:
            self._endpoint = None  # discovered from the issuer on first use
        self.description = f"OIDC client credentials of client {client_id!r}"
        self._session_factory = session_factory
        self._token: Any = None
        self._lock = threading.Lock()

    @property
    def token_endpoint(self) -> str:
        if self._endpoint is None:
            self._endpoint = self._discover()
        return self._endpoint

    def _session(self) -> Any:  # an Authlib OAuth2Session (Authlib has no type information)
        if self._session_factory is not None:
            return self._session_factory()
        from authlib.integrations.requests_client import OAuth2Session

        return OAuth2Session(self.client_id, self._secret(), scope=self.scope,
                             token_endpoint_auth_method=self.auth_method)

    def _secret(self) -> str:
        if self.client_secret_file:
            try:
                secret = Path(self.client_secret_file).expanduser().read_text(encoding="utf-8").strip()
            except OSError as e:
                raise KindlingTokenError(f"cannot read the client secret of {self.description} from "
                                         f"{self.client_secret_file}: {e}") from e
            if not secret:
                raise KindlingTokenError(f"{self.client_secret_file} (client secret of {self.description}) is empty")
            return secret
        return self._client_secret or ""

    def _discover(self) -> str:
        import requests

        url = f"{self.issuer}/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=self.timeout)
        except requests.RequestException as e:
            raise KindlingConnectionError(f"cannot read the OIDC discovery document {url}: {e}") from e
        try:
            response.raise_for_status()
            endpoint = response.json().get("token_endpoint")
        except (requests.HTTPError, ValueError, AttributeError) as e:
            raise KindlingTokenError(f"the OIDC discovery document {url} is unusable: {e}") from e
        if not isinstance(endpoint, str) or not endpoint:
            raise KindlingTokenError(f"the OIDC discovery document {url} names no token_endpoint")
        return endpoint

    def token(self) -> str | None:
        with self._lock:
            if self._token is None or self._token.is_expired(leeway=self.leeway):
                self._token = self._fetch()
            return str(self._token["access_token"])

    def refresh(self) -> bool:
        with self._lock:
            self._token = None
        return True

    def _fetch(self) -> Any:
        import requests
        from authlib.integrations.base_client import OAuthError

        endpoint = self.token_endpoint
        extra: dict[str, Any] = {}
        if self.audience:
            extra["audience"] = self.audience
        session = self._session()
        try:
            token = session.fetch_token(endpoint, grant_type="client_credentials", timeout=self.timeout, **extra)
        except OAuthError as e:
            raise KindlingTokenError(f"{endpoint} refused {self.description}: {e.error}"
                                     + (f": {e.description}" if e.description else "")) from e
        except requests.HTTPError as e:
            raise KindlingTokenError(f"{endpoint} answered {self.description} with HTTP "
                                     f"{e.response.status_code if e.response is not None else '?'}") from e
        except requests.RequestException as e:
            raise KindlingConnectionError(f"cannot reach the token endpoint {endpoint}: {e}") from e
        except ValueError as e:  # not a JSON token response (e.g. an HTML error page)
            raise KindlingTokenError(f"{endpoint} answered {self.description} without a token: {e}") from e
        finally:
            session.close()
        if not token.get("access_token"):
            raise KindlingTokenError(f"{endpoint} answered {self.description} without an access_token")
        return token


def kindling_home(environ: Mapping[str, str] | None = None) -> Path:
    """``$KINDLING_HOME``, default ``./.kindling``."""
    env = os.environ if environ is None else environ
    return Path(env.get(HOME_ENV) or DEFAULT_HOME)


def resolve_token(token: str | TokenSource | None = None,
                  environ: Mapping[str, str] | None = None) -> TokenSource | None:
    """The first token source found, in the documented order (``None``: send no token).

    ``token`` may be a string (an empty string means: send none, look no further) or a
    :class:`TokenSource`.
    """
    if isinstance(token, TokenSource):
        return token
    if token is not None:
        return StaticToken(token, "the given token") if token.strip() else None
    env = os.environ if environ is None else environ
    if env.get(TOKEN_ENV, "").strip():
        return StaticToken(env[TOKEN_ENV], TOKEN_ENV)
    if env.get(TOKEN_FILE_ENV, "").strip():
        return FileToken(env[TOKEN_FILE_ENV], f"{TOKEN_FILE_ENV}={env[TOKEN_FILE_ENV]}")
    admin = kindling_home(env) / ADMIN_TOKEN_FILE
    if admin.is_file():
        return FileToken(admin, f"{admin} (the admin token of ./kindling up)")
    return None
