"""The client is its own distribution: no Airflow needed for the library or the ``kindling`` CLI."""
from __future__ import annotations

import subprocess
import sys
from importlib import metadata

import pytest
import responses

from kindling_client import KindlingApiError, KindlingClient


def test_kindling_client_distribution_has_no_airflow_dependency():
    requires = metadata.requires("kindling-client") or []
    assert requires, "kindling-client declares its dependencies"
    assert not [r for r in requires if "airflow" in r.lower()]
    assert [ep.value for ep in metadata.entry_points(group="console_scripts") if ep.name == "kindling"] == [
        "kindling_client.cli:main"]


def test_provider_depends_on_the_client():
    requires = metadata.requires("airflow-provider-kindling") or []
    assert any(r.replace(" ", "").startswith("kindling-client") for r in requires)
    assert any(r.startswith("apache-airflow") for r in requires)


def test_client_and_cli_import_without_airflow():
    code = ("import sys, kindling_client, kindling_client.cli, kindling_client.aio\n"
            "loaded = sorted(m for m in sys.modules if m == 'airflow' or m.startswith('airflow.'))\n"
            "assert not loaded, loaded\n"
            "kindling_client.cli.build_parser().parse_args(['status', 'j1'])\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


@responses.activate
@pytest.mark.parametrize("body", [{"id": "j1"}, {"id": "j1", "state": "RUNNING", "attempts": [{"number": 1}]},
                                  ["not", "an", "object"]])
def test_an_answer_missing_documented_fields_is_an_error_not_a_guess(body):
    responses.get("http://kindling.test/v1/jobs/j1", json=body)
    with pytest.raises(KindlingApiError) as e:
        KindlingClient("http://kindling.test", token="").get("j1")
    assert e.value.code == "BAD_RESPONSE" and e.value.status == 200


@responses.activate
def test_a_log_read_without_the_offset_header_is_an_error():
    responses.get("http://kindling.test/v1/jobs/j1/logs/stdout", body=b"abc")
    with pytest.raises(KindlingApiError, match="Kindling-Next-Offset"):
        KindlingClient("http://kindling.test", token="").read_log("j1")
