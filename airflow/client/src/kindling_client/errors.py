"""Errors raised by the Kindling client."""
from __future__ import annotations

from collections.abc import Mapping, Sequence


class KindlingError(Exception):
    """Base class of every error the client raises."""


class KindlingApiError(KindlingError):
    """The api answered with an error body ``{code, message, details[]}``.

    ``status`` is the HTTP status, ``code`` the api's error code (e.g. ``NOT_FOUND``,
    ``SCHEMA_VIOLATION``, ``CONFLICT``), ``details`` the list of ``{field, problem}``.
    """

    def __init__(self, status: int, code: str, message: str, details: Sequence[Mapping[str, object]] | None = None,
                 method: str = "", url: str = ""):
        self.status = status
        self.code = code
        self.message = message
        self.details = list(details or [])
        self.method = method
        self.url = url
        super().__init__(self._text())

    def _text(self) -> str:
        text = f"{self.code} ({self.status}): {self.message}"
        problems = [f"{d.get('field', '?')}: {d.get('problem', '')}" for d in self.details]
        if problems:
            text += " [" + "; ".join(problems) + "]"
        if self.method and self.url:
            text += f" — {self.method} {self.url}"
        return text


class KindlingConnectionError(KindlingError):
    """The api could not be reached (after the configured retries)."""


class ArtifactUploadUnsupported(KindlingError):
    """Deprecated, no longer raised: ``POST /v1/artifacts`` is part of the api's contract, so the
    client does not probe for it; an upload's error answer is a :class:`KindlingApiError`. Kept
    so that code importing it keeps working."""


class KindlingAuthError(KindlingApiError):
    """The api refused the credential: 401 (none, or not valid) or 403 (not allowed).

    ``hint`` says which token was sent (its source, never the token) and what to do.
    """

    def __init__(self, status: int, code: str, message: str, details: Sequence[Mapping[str, object]] | None = None,
                 method: str = "", url: str = "", hint: str = ""):
        self.hint = hint
        super().__init__(status, code, message, details, method, url)

    def _text(self) -> str:
        text = super()._text()
        return f"{text}. {self.hint}" if self.hint else text


class KindlingTokenError(KindlingError):
    """No token could be had from the configured source (unreadable file, token endpoint refusal)."""
