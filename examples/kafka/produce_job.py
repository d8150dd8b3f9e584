#!/usr/bin/env python3
"""Submit a Spark job to Kindling straight on Kafka, without the HTTP api.

    python examples/kafka/produce_job.py [--bootstrap-servers HOST:PORT] [--tenant TENANT] [--job-id ID]
        [--name NAME] [--pool POOL] [--conf spark.k=v ...] [--topic-prefix kindling.]
        [-X librdkafka.key=value ...] FILE [ARGS...]

Writes one ``submit`` command (schema ``submit-job.schema.json``) to the tenant's commands topic
``<prefix>tenants.<tenant>.commands`` (with ``--tenant``; on a secured cluster the producer may
write only its own tenant's topic) or else to ``<prefix>jobs.commands``, keyed by the job id,
waits for the broker's acknowledgement (acks=all, idempotent producer) and prints the job id.
Security comes from the same ``KINDLING_KAFKA_*`` variables as the Java components (secrets read
from files): ``KINDLING_KAFKA_SECURITY_PROTOCOL``, ``KINDLING_KAFKA_SASL_MECHANISM``,
``KINDLING_KAFKA_SASL_USERNAME``, ``KINDLING_KAFKA_SASL_PASSWORD_FILE``, the OAUTHBEARER
``KINDLING_KAFKA_SASL_OAUTHBEARER_*`` ones, ``KINDLING_KAFKA_SSL_TRUSTSTORE_LOCATION`` (a PEM CA
file here) and ``KINDLING_KAFKA_SSL_KEYSTORE_LOCATION``/``..._PASSWORD_FILE`` (PKCS#12); any other
librdkafka setting with ``-X key=value``. Follow the job through the api: ``kindling status ID`` / ``kindling logs ID -f``.
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


def _secret(env: dict, key: str) -> str:
    path = env.get(key)
    if not path:
        raise ValueError(f"{key} is required with this security setting")
    with open(path, encoding="utf-8") as f:
        value = f.read().strip()
    if not value:
        raise ValueError(f"{key}: {path} is empty")
    return value


def security_config(env: dict) -> dict:
    """librdkafka settings from the KINDLING_KAFKA_* variables (the same ones the Java components read)."""
    protocol = env.get("KINDLING_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT").upper()
    if protocol not in ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"):
        raise ValueError(f"KINDLING_KAFKA_SECURITY_PROTOCOL: unknown protocol {protocol!r}")
    config: dict = {"security.protocol": protocol}
    if protocol.startswith("SASL_"):
        mechanism = env.get("KINDLING_KAFKA_SASL_MECHANISM", "").upper()
        config["sasl.mechanism"] = mechanism
        if mechanism in ("SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"):
            config["sasl.username"] = env.get("KINDLING_KAFKA_SASL_USERNAME") or ""
            config["sasl.password"] = _secret(env, "KINDLING_KAFKA_SASL_PASSWORD_FILE")
        elif mechanism == "OAUTHBEARER":
            config.update({
                "sasl.oauthbearer.method": "oidc",
                "sasl.oauthbearer.token.endpoint.url": env["KINDLING_KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL"],
                "sasl.oauthbearer.client.id": env["KINDLING_KAFKA_SASL_OAUTHBEARER_CLIENT_ID"],
                "sasl.oauthbearer.client.secret": _secret(env, "KINDLING_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE"),
            })
            if env.get("KINDLING_KAFKA_SASL_OAUTHBEARER_SCOPE"):
                config["sasl.oauthbearer.scope"] = env["KINDLING_KAFKA_SASL_OAUTHBEARER_SCOPE"]
        else:
            raise ValueError("KINDLING_KAFKA_SASL_MECHANISM must be SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or PLAIN")
    if env.get("KINDLING_KAFKA_SSL_TRUSTSTORE_LOCATION"):
        config["ssl.ca.location"] = env["KINDLING_KAFKA_SSL_TRUSTSTORE_LOCATION"]  # PEM for librdkafka
    if env.get("KINDLING_KAFKA_SSL_KEYSTORE_LOCATION"):
        config["ssl.keystore.location"] = env["KINDLING_KAFKA_SSL_KEYSTORE_LOCATION"]  # PKCS#12
        config["ssl.keystore.password"] = _secret(env, "KINDLING_KAFKA_SSL_KEYSTORE_PASSWORD_FILE")
    if env.get("KINDLING_KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM", "").lower() == "none":
        config["ssl.endpoint.identification.algorithm"] = "none"
    return config


def commands_topic(prefix: str, tenant: str | None) -> str:
    """``<prefix>tenants.<tenant>.commands`` for a tenant's producer, else ``<prefix>jobs.commands``."""
    if tenant is None:
        return f"{prefix}jobs.commands"
    if not JOB_ID.match(tenant):
        raise ValueError(f"tenant {tenant!r} must match {JOB_ID.pattern}")
    return f"{prefix}tenants.{tenant}.commands"


def produce(bootstrap_servers: str, topic: str, command: dict, timeout: float = 30.0,
            extra: dict | None = None) -> None:
    config = {
        **security_config(dict(os.environ)),
        **(extra or {}),
        "bootstrap.servers": bootstrap_servers,
        "acks": "all",
        "enable.idempotence": True,
        "client.id": "kindling-example-producer",
    }
    producer = Producer(config)
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
    parser.add_argument("--tenant", default=None,
                        help="write to this tenant's commands topic; the job belongs to it")
    parser.add_argument("-X", dest="extra", action="append", default=[], metavar="KEY=VALUE",
                        help="a librdkafka setting, e.g. -X ssl.certificate.location=client.pem")
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
    produce(args.bootstrap_servers, commands_topic(args.topic_prefix, args.tenant), command,
            extra=dict(x.split("=", 1) for x in args.extra))
    print(job_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
