"""Unit-test fixtures: an in-memory stand-in for Airflow's Variable (where the operator keeps
its driver-log offsets), since there is no execution api or database behind these tests."""
from __future__ import annotations

import json
from typing import Any

import pytest

from kindling_provider import log_offsets

_MISSING = object()


class FakeVariables:
    """``Variable.get/set/delete`` with the signatures of Airflow 3's Task SDK (and 2.10's)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.sets: list[tuple[str, Any]] = []
        self.deletes: list[str] = []

    def get(self, key: str, default: Any = _MISSING, deserialize_json: bool = False) -> Any:
        if key not in self.values:
            if default is _MISSING:
                raise KeyError(key)
            return default
        return json.loads(self.values[key]) if deserialize_json else self.values[key]

    def set(self, key: str, value: Any, description: str | None = None, serialize_json: bool = False) -> None:
        self.values[key] = json.dumps(value) if serialize_json else value
        self.sets.append((key, json.loads(self.values[key]) if serialize_json else value))

    def delete(self, key: str) -> None:
        self.values.pop(key, None)
        self.deletes.append(key)


@pytest.fixture(autouse=True)
def variables(monkeypatch) -> FakeVariables:
    fake = FakeVariables()
    monkeypatch.setattr(log_offsets, "Variable", fake)
    return fake


@pytest.fixture(autouse=True)
def no_ambient_token(monkeypatch, tmp_path):
    """Unit tests never pick up a developer's token: no KINDLING_TOKEN(_FILE), an empty KINDLING_HOME."""
    monkeypatch.delenv("KINDLING_TOKEN", raising=False)
    monkeypatch.delenv("KINDLING_TOKEN_FILE", raising=False)
    monkeypatch.setenv("KINDLING_HOME", str(tmp_path / "kindling-home"))
