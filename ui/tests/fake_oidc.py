"""A minimal OpenID Connect provider on loopback for the browser test: discovery, an authorize
endpoint that signs the user in at once (no form) and redirects back with a code, a token endpoint
that checks the PKCE code verifier (S256) and answers RS256 JWTs, and the JWKS. The keys are
generated here. It answers CORS, as a real provider does for single-page apps."""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class FakeOidc:
    def __init__(self, audience: str, client_id: str, claims: dict):
        self.audience, self.client_id, self.claims = audience, client_id, claims
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)
        self.codes: dict[str, dict] = {}
        self.token_requests: list[dict] = []  # what the token endpoint was sent (to check PKCE was used)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeOidc":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def jwt(self, claims: dict) -> str:
        header = {"alg": "RS256", "typ": "JWT", "kid": self.kid}
        signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}".encode()
        signature = self.key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input.decode()}.{b64url(signature)}"

    def jwks(self) -> dict:
        n = self.key.public_key().public_numbers()
        as_bytes = lambda i: i.to_bytes((i.bit_length() + 7) // 8, "big")  # noqa: E731
        return {"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
                          "n": b64url(as_bytes(n.n)), "e": b64url(as_bytes(n.e))}]}

    def _handler(self):
        oidc = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, body: dict | None = None, headers: dict | None = None):
                self.send_response(status)
                self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin") or "*")
                self.send_header("Access-Control-Allow-Headers", "Content-Type, Authorization")
                self.send_header("Cache-Control", "no-store")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                data = b"" if body is None else json.dumps(body).encode()
                if body is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_OPTIONS(self):
                self._send(204)

            def do_GET(self):
                url = urllib.parse.urlparse(self.path)
                if url.path == "/.well-known/openid-configuration":
                    self._send(200, {
                        "issuer": oidc.issuer,
                        "authorization_endpoint": f"{oidc.issuer}/authorize",
                        "token_endpoint": f"{oidc.issuer}/token",
                        "jwks_uri": f"{oidc.issuer}/jwks",
                        "response_types_supported": ["code"],
                        "code_challenge_methods_supported": ["S256"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "subject_types_supported": ["public"],
                    })
                elif url.path == "/jwks":
                    self._send(200, oidc.jwks())
                elif url.path == "/authorize":
                    q = dict(urllib.parse.parse_qsl(url.query))
                    if q.get("client_id") != oidc.client_id or q.get("response_type") != "code":
                        self._send(400, {"error": "invalid_request"})
                        return
                    code = secrets.token_urlsafe(16)
                    oidc.codes[code] = q
                    back = q["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": q.get("state", "")})
                    self._send(302, None, {"Location": back})
                else:
                    self._send(404, {"error": "not_found"})

            def do_POST(self):
                if urllib.parse.urlparse(self.path).path != "/token":
                    self._send(404, {"error": "not_found"})
                    return
                form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()))
                oidc.token_requests.append(form)
                asked = oidc.codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                challenge = b64url(hashlib.sha256(verifier.encode()).digest())
                if (asked is None or asked.get("code_challenge_method") != "S256" or asked.get("code_challenge") != challenge
                        or form.get("redirect_uri") != asked.get("redirect_uri")):
                    self._send(400, {"error": "invalid_grant"})
                    return
                now = int(time.time())
                base = {"iss": oidc.issuer, "iat": now, "exp": now + 3600, **oidc.claims}
                access = oidc.jwt({**base, "aud": oidc.audience})
                id_token = oidc.jwt({**base, "aud": oidc.client_id, "nonce": asked.get("nonce")} if asked.get("nonce")
                                    else {**base, "aud": oidc.client_id})
                self._send(200, {"access_token": access, "id_token": id_token, "token_type": "Bearer",
                                 "expires_in": 3600, "scope": asked.get("scope", "openid")})

        return Handler
