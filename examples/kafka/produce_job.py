#!/usr/bin/env python3
"""Submit a Spark job to Kindling straight on Kafka, without the HTTP api.

    python examples/kafka/produce_job.py [--bootstrap-servers HOST:PORT] [--job-id ID]
        [--name NAME] [--pool POOL] [--conf spark.k=v ...] [--topic-prefix kindling.] FILE [ARGS...]

Writes one ``submit`` command (schema ``submit-job.schema.json``) to ``<prefix>jobs.commands``,
keyed by the job id, waits for the broker's acknowledgement (acks=all, idempotent producer) and
prints the job id. Follow the job through the api: ``kindling status ID`` / ``kindling logs ID -f``.
Format: docs/kafka-producers.md. Needs ``confluent-kafka`` (``pip install 'airflow-provider-kindling[kafka]'``).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import uuid
from datetime import datetime, timezone

from confluent_kafka import Producer

JOB_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def submit_command(job_id: str, spec: dict) -> dict:
    """The record value: ``{"type": "submit", "jobId", "spec", "submittedAt"}``."""
    if not JOB_ID.match(job_id):
        raise ValueError(f"job id {job_id!r} must match {JOB_ID.pattern}")
    return {"type": "submit", "jobId": job_id, "spec": spec,
            "submittedAt": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")}


def produce(bootstrap_servers: str, topic: str, command: dict, timeout: float = 30.0) -> None:
    producer = Producer({
        "bootstrap.servers": bootstrap_servers,
        "acks": "all",
        "enable.idempotence": True,
        "client.id": "kindling-example-producer",
    })
    errors: list[str] = []

    def delivered(err, msg):
        if err is not None:
            errors.append(str(err))

    producer.produce(topic, key=command["jobId"].encode(), value=json.dumps(command).encode(),
                     headers=[("content-type", b"application/json")], on_delivery=delivered)
    remaining = producer.flush(timeout)
    if remaining or errors:
        raise RuntimeError(f"the broker did not acknowledge the command: {errors or 'timed out'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", help="the application: absolute path or URI the worker can read")
    parser.add_argument("args", nargs="*")
    parser.add_argument("--bootstrap-servers",
                        default=os.environ.get("KINDLING_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    parser.add_argument("--topic-prefix", default=os.environ.get("KINDLING_TOPIC_PREFIX", "kindling."))
    parser.add_argument("--job-id", default=None, help="default: a new random id")
    parser.add_argument("--name")
    parser.add_argument("--pool")
    parser.add_argument("--class", dest="main_class", help="main class of a JVM application")
    parser.add_argument("--conf", action="append", default=[], metavar="K=V")
    args = parser.parse_args(argv)

    application = {"type": "jvm" if args.main_class or args.file.endswith(".jar") else "python", "file": args.file}
    if args.main_class:
        application["mainClass"] = args.main_class
    if args.args:
        application["args"] = args.args
    spec: dict = {"application": application}
    if args.name:
        spec["name"] = args.name
    if args.pool:
        spec["pool"] = args.pool
    if args.conf:
        spec["conf"] = dict(c.split("=", 1) for c in args.conf)

    job_id = args.job_id or f"kafka-{uuid.uuid4()}"
    command = submit_command(job_id, spec)
    produce(args.bootstrap_servers, f"{args.topic_prefix}jobs.commands", command)
    print(job_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
