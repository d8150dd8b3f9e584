"""A job submitted straight on Kafka (examples/kafka/produce_job.py) runs and is visible
through the api."""
from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from kindling_client import KindlingApiError

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]


def test_job_submitted_on_kafka_runs_and_is_visible_through_the_api(kindling_stack):
    job_id = f"kafka-it-{uuid.uuid4().hex[:12]}"
    produced = subprocess.run(
        [sys.executable, str(REPO / "examples" / "kafka" / "produce_job.py"),
         "--bootstrap-servers", kindling_stack.kafka, "--job-id", job_id, "--name", "pi-from-kafka",
         f"file://{REPO / 'examples' / 'pi.py'}", "2"],
        capture_output=True, text=True, timeout=120)
    assert produced.returncode == 0, produced.stdout + produced.stderr
    assert job_id in produced.stdout

    client = kindling_stack.client()
    deadline = time.monotonic() + 300
    while True:
        try:
            job = client.get(job_id)
            if job["state"] in ("SUCCEEDED", "FAILED", "CANCELLED", "REJECTED"):
                break
        except KindlingApiError as e:
            assert e.status == 404, e  # not folded into the view yet
        assert time.monotonic() < deadline, f"job {job_id} did not end"
        time.sleep(1)
    assert job["state"] == "SUCCEEDED", job
    assert job["name"] == "pi-from-kafka"
    stdout = b"".join(event.data for event in client.follow(job_id, ["stdout"], poll_interval=0.5))
    assert b"Pi is roughly 3.1" in stdout
