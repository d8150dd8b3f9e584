"""An asyncio face of :class:`~kindling_client.client.KindlingClient` for the calls a trigger
makes (job status).

There is one HTTP stack: each call runs the synchronous client -- its retries, its token
handling (one more try with a fresh token after a 401), its typed answers -- in a worker thread
(:func:`asyncio.to_thread`), so the event loop never blocks on the network, a token file or a
token endpoint.
"""
from __future__ import annotations

import asyncio
from typing import Any

from kindling_client.auth import StaticToken, TokenSource
from kindling_client.client import KindlingClient, TraceparentSource
from kindling_client.models import JobView


class AsyncKindlingClient:
    """Like :class:`KindlingClient` (same arguments), awaitable.

    Unlike the synchronous client, ``token=None`` looks nothing up in the environment: the
    trigger passes its connection's credential (``None``: send none).
    """

    def __init__(self, api_url: str, token: str | TokenSource | None = None, *, timeout: float = 30.0,
                 retries: int = 5, backoff: float = 0.5, max_backoff: float = 10.0,
                 traceparent: TraceparentSource = None, **kwargs: Any):
        auth: TokenSource | None = token if isinstance(token, TokenSource) or token is None else (
            StaticToken(token) if token.strip() else None)
        self.sync = KindlingClient(api_url, auth if auth is not None else "", timeout=timeout, retries=retries,
                                   backoff=backoff, max_backoff=max_backoff, traceparent=traceparent, **kwargs)

    @property
    def api_url(self) -> str:
        return self.sync.api_url

    @property
    def auth(self) -> TokenSource | None:
        return self.sync.auth

    async def get(self, job_id: str) -> JobView:
        return await asyncio.to_thread(self.sync.get, job_id)
