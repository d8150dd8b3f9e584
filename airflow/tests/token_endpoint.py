"""An OAuth 2.0 token endpoint on loopback (http.server), for the client-credentials tests.

It answers ``POST /<tenant>/oauth2/v2.0/token`` (the Entra ID path), ``POST /token`` and
``GET /.well-known/openid-configuration`` (naming ``/token``), checks the client id and secret
(``client_secret_post`` or ``client_secret_basic``) and ``grant_type=client_credentials``, and
issues ``tok-1``, ``tok-2``, … with ``expires_in`` seconds. Every token request is recorded.
"""
from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse


@dataclass
class TokenRequest:
    path: str
    form: dict[str, str]
    basic: tuple[str, str] | None


@dataclass
class TokenEndpoint:
    clients: dict[str, str] = field(default_factory=lambda: {"kindling-airflow": "app-secret"})
    expires_in: int | None = 3600
    requests: list[TokenRequest] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    #: answer the next token requests with this status and body instead (e.g. a 503 HTML page)
    fail_next: list[tuple[int, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> TokenEndpoint:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                endpoint._get(self)

            def do_POST(self) -> None:
                endpoint._post(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _get(self, h: BaseHTTPRequestHandler) -> None:
        if urlparse(h.path).path == "/.well-known/openid-configuration":
            return _send(h, 200, {"issuer": self.url, "token_endpoint": f"{self.url}/token",
                                  "jwks_uri": f"{self.url}/keys"})
        _send(h, 404, {"error": "not_found"})

    def _post(self, h: BaseHTTPRequestHandler) -> None:
        path = urlparse(h.path).path
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0)).decode()
        form = {k: v[0] for k, v in parse_qs(body).items()}
        basic = None
        header = h.headers.get("Authorization", "")
        if header.startswith("Basic "):
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            basic = (unquote(user), unquote(password))
        with self.lock:
            self.requests.append(TokenRequest(path, form, basic))
            if self.fail_next:
                status, text = self.fail_next.pop(0)
                return _send_text(h, status, text)
            if not (path == "/token" or path.endswith("/oauth2/v2.0/token")):
                return _send(h, 404, {"error": "not_found"})
            client_id, secret = basic or (form.get("client_id"), form.get("client_secret"))
            if self.clients.get(client_id or "") != secret:
                return _send(h, 401, {"error": "invalid_client",
                                      "error_description": f"AADSTS7000215: Invalid client secret for '{client_id}'."})
            if form.get("grant_type") != "client_credentials":
                return _send(h, 400, {"error": "unsupported_grant_type"})
            token = f"tok-{len(self.issued) + 1}"
            self.issued.append(token)
            answer: dict[str, Any] = {"access_token": token, "token_type": "Bearer"}
            if self.expires_in is not None:
                answer["expires_in"] = self.expires_in
            _send(h, 200, answer)


def _send(h: BaseHTTPRequestHandler, status: int, body: Any) -> None:
    _send_text(h, status, json.dumps(body), "application/json")


def _send_text(h: BaseHTTPRequestHandler, status: int, text: str, content_type: str = "text/html") -> None:
    data = text.encode()
    h.send_response(status)
    h.send_header("Content-Type", content_type)
    h.send_header("Content-Length", str(len(data)))
    h.send_header("Cache-Control", "no-store")
    h.end_headers()
    h.wfile.write(data)
