"""schemathesis against the live api, from the document the api serves (GET /openapi.yaml), with
every check, authenticated with the admin token. Bounded and reproducible: schemathesis.toml
fixes the seed, the examples per operation and the workers. Any failure fails the test, with
schemathesis's report (each failure with a curl line to reproduce it).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import requests

from conftest import DOCUMENT, HERE

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
TIMEOUT = float(os.environ.get("KINDLING_SCHEMATHESIS_TIMEOUT", "600"))


def test_the_api_serves_its_document_without_a_token(stack):
    answer = requests.get(stack.api_url + "/openapi.yaml", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/yaml")
    assert answer.content == DOCUMENT.read_bytes()
    # the schemas it refers to by relative name resolve beside it
    for name in sorted(set(re.findall(r"'([a-z0-9-]+\.schema\.json)'", DOCUMENT.read_text()))):
        schema = requests.get(f"{stack.api_url}/{name}", timeout=10)
        assert schema.status_code == 200, name
        assert schema.json()["$id"].endswith(name)


def test_schemathesis_finds_no_failure(stack, tmp_path):
    started = time.monotonic()
    run = subprocess.run(
        [str(SCHEMATHESIS), "--no-color", "--config-file", str(HERE / "schemathesis.toml"), "run",
         stack.api_url + "/openapi.yaml",
         # use_after_free: DELETE /v1/sessions/{id} (the api's only DELETE) ends a session, which stays
         # readable like a finished job (ENDED, reason DELETED): a GET after it answers 200 by design
         "--checks", "all", "--exclude-checks", "use_after_free", "--header", f"Authorization: Bearer {stack.token}",
         "--report", "junit", "--report-junit-path", str(tmp_path / "schemathesis.xml")],
        cwd=HERE, env=dict(os.environ, PYTHONPATH=str(HERE)), capture_output=True, text=True, timeout=TIMEOUT)
    seconds = time.monotonic() - started
    summary = re.search(r"(\d+) generated, .*", run.stdout)
    print(f"schemathesis: {summary.group(0) if summary else '?'} in {seconds:.0f} s")
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
    assert summary is not None and int(summary.group(1)) > 0, run.stdout[-5000:]
