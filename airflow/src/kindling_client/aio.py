"""A minimal asyncio client (httpx) for the calls a trigger makes: job status, with the same
retries on connection errors and 502/503/504, and the same bearer token handling (one more
try with a fresh token after a 401), as the synchronous client."""
from __future__ import annotations

import asyncio
from typing import Any

import httpx

from kindling_client.auth import StaticToken, TokenSource
from kindling_client.client import TRANSIENT_STATUSES, api_error
from kindling_client.errors import KindlingApiError, KindlingConnectionError


class AsyncKindlingClient:
    def __init__(self, api_url: str, token: str | TokenSource | None = None, *, timeout: float = 30.0, retries: int = 5,
                 backoff: float = 0.5, max_backoff: float = 10.0, transport: httpx.AsyncBaseTransport | None = None):
        self.api_url = api_url.rstrip("/")
        # unlike the synchronous client, no look-up in the environment: the trigger passes its connection's
        self.auth = token if isinstance(token, TokenSource) or token is None else (
            StaticToken(token) if token.strip() else None)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._transport = transport

    async def get(self, job_id: str) -> dict[str, Any]:
        url = f"{self.api_url}/v1/jobs/{job_id}"
        headers = await self._headers()
        attempt = 0
        refreshed = False
        async with httpx.AsyncClient(timeout=self.timeout, transport=self._transport) as http:
            while True:
                try:
                    response = await http.get(url, headers=headers)
                except httpx.TransportError as e:
                    if attempt >= self.retries:
                        raise KindlingConnectionError(
                            f"GET {url}: cannot reach the Kindling api after {attempt + 1} tries: {e}") from e
                else:
                    if response.status_code == 200:
                        return response.json()
                    if (response.status_code == 401 and not refreshed and self.auth is not None
                            and await asyncio.to_thread(self.auth.refresh)):
                        refreshed = True
                        headers = await self._headers()
                        continue
                    if response.status_code not in TRANSIENT_STATUSES or attempt >= self.retries:
                        raise _error(response, url, self.auth)
                await asyncio.sleep(min(self.max_backoff, self.backoff * (2 ** attempt)))
                attempt += 1

    async def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.auth is not None:  # a token source may read a file or call a token endpoint: not on the loop
            token = await asyncio.to_thread(self.auth.token)
            if token:
                headers["Authorization"] = f"Bearer {token}"
        return headers


def _error(response: httpx.Response, url: str, auth: TokenSource | None = None) -> KindlingApiError:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        return api_error(response.status_code, str(body.get("code") or f"HTTP_{response.status_code}"),
                         str(body.get("message") or ""), body.get("details") or [], "GET", url, auth)
    return api_error(response.status_code, f"HTTP_{response.status_code}", response.text[:500], [], "GET", url,
                     auth)
