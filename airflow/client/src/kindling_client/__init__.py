"""Python client of the Kindling HTTP API, and the ``kindling`` command line."""
from kindling_client import states
from kindling_client.auth import ClientCredentials, FileToken, StaticToken, TokenSource, resolve_token
from kindling_client.client import (
    DEFAULT_API_URL,
    KindlingClient,
    LineSplitter,
    LogChunk,
    LogEvent,
    LogFollower,
    Submission,
    position_key,
)
from kindling_client.errors import (
    ArtifactUploadUnsupported,
    KindlingApiError,
    KindlingAuthError,
    KindlingConnectionError,
    KindlingError,
    KindlingTokenError,
)
from kindling_client.models import Artifact, AttemptView, JobPage, JobView, SessionPage, SessionView
from kindling_client.sessions import KindlingSession, KindlingSessionError

__all__ = [
    "DEFAULT_API_URL",
    "Artifact",
    "ArtifactUploadUnsupported",
    "AttemptView",
    "ClientCredentials",
    "FileToken",
    "JobPage",
    "JobView",
    "KindlingApiError",
    "KindlingAuthError",
    "KindlingClient",
    "KindlingConnectionError",
    "KindlingError",
    "KindlingSession",
    "KindlingSessionError",
    "KindlingTokenError",
    "LineSplitter",
    "LogChunk",
    "LogEvent",
    "LogFollower",
    "SessionPage",
    "SessionView",
    "StaticToken",
    "Submission",
    "TokenSource",
    "position_key",
    "resolve_token",
    "states",
]
__version__ = "0.1.0"
