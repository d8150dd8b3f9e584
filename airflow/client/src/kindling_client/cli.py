"""``kindling``: submit Spark jobs to Kindling, follow them, read their logs.

    kindling submit FILE [ARGS...] [--conf k=v ...] [--pool P] [--name N] [--tenant T]
                    [--secret ENV=SECRET/KEY ...] [--upload] [--wait] [--follow]
    kindling status ID
    kindling logs ID [-f] [--stream stdout|stderr] [--attempt N]
    kindling cancel ID
    kindling list [--state S ...] [--pool P] [--label k=v ...] [--limit N] [--cursor C]

``--api`` (or ``$KINDLING_API_URL``, default http://127.0.0.1:8080) names the api. The bearer
token is ``--token``, else ``$KINDLING_TOKEN``, else the file ``$KINDLING_TOKEN_FILE``, else
``$KINDLING_HOME/admin.token`` (``KINDLING_HOME`` defaults to ``./.kindling``, where
``./kindling up`` writes it). ``--wait``/``--follow``/``logs -f`` exit 0 when the job SUCCEEDED
and 1 otherwise; errors of the api (401/403 included) exit 2.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import IO, Any

from kindling_client import states
from kindling_client.client import STREAMS, KindlingClient, default_api_url
from kindling_client.errors import KindlingError
from kindling_client.models import JobView

EXIT_OK, EXIT_JOB_FAILED, EXIT_ERROR = 0, 1, 2


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def _secret_ref(text: str) -> tuple[str, dict[str, str]]:
    env, ref = _key_value(text)
    secret, sep, key = ref.partition("/")
    if not sep or not secret or not key:
        raise argparse.ArgumentTypeError(f"expected ENV=SECRET/KEY, got {text!r}")
    return env, {"secret": secret, "key": key}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kindling", description="Run Spark jobs on Kindling.")
    parser.add_argument("--api", default=None, help="api base URL (default $KINDLING_API_URL or http://127.0.0.1:8080)")
    parser.add_argument("--token", default=None,
                        help="bearer token (default $KINDLING_TOKEN, $KINDLING_TOKEN_FILE, $KINDLING_HOME/admin.token)")
    parser.add_argument("--poll-interval", type=float, default=1.0, help="seconds between polls when following")
    sub = parser.add_subparsers(dest="command", required=True)

    submit = sub.add_parser("submit", help="submit a Spark application")
    submit.add_argument("file", help="the application: a .py file or a jar (local path or URI)")
    submit.add_argument("args", nargs="*", help="arguments of the application")
    submit.add_argument("--conf", action="append", type=_key_value, default=[], metavar="K=V", help="Spark conf")
    submit.add_argument("--pool", help="Kindling worker pool")
    submit.add_argument("--name", help="job name")
    submit.add_argument("--class", dest="main_class", help="main class of a JVM application")
    submit.add_argument("--label", action="append", type=_key_value, default=[], metavar="K=V")
    submit.add_argument("--env", action="append", type=_key_value, default=[], metavar="K=V")
    submit.add_argument("--py-files", action="append", default=[])
    submit.add_argument("--tenant", help="tenant of the job (and of an uploaded FILE); default: the token's")
    submit.add_argument("--secret", action="append", type=_secret_ref, default=[], metavar="ENV=SECRET/KEY",
                        help="driver environment variable ENV from key KEY of the tenant's secret SECRET")
    submit.add_argument("--idempotency-key")
    submit.add_argument("--upload", action="store_true", help="upload a local FILE through /v1/artifacts")
    submit.add_argument("--wait", action="store_true", help="wait until the job ends; exit with its status")
    submit.add_argument("--follow", action="store_true", help="print the driver's output live until the job ends")

    status = sub.add_parser("status", help="a job's state and attempts (JSON)")
    status.add_argument("id")

    logs = sub.add_parser("logs", help="a job's driver log")
    logs.add_argument("id")
    logs.add_argument("-f", "--follow", action="store_true", help="follow until the job ends")
    logs.add_argument("--stream", choices=STREAMS, default=None,
                      help="one stream (default: stdout, or both when following)")
    logs.add_argument("--attempt", type=int, help="attempt number (default the latest)")

    cancel = sub.add_parser("cancel", help="cancel a job")
    cancel.add_argument("id")

    lst = sub.add_parser("list", help="list jobs")
    lst.add_argument("--state", action="append", choices=states.ALL, default=[])
    lst.add_argument("--pool")
    lst.add_argument("--label", action="append", type=_key_value, default=[], metavar="K=V")
    lst.add_argument("--limit", type=int)
    lst.add_argument("--cursor", help="the nextCursor of the previous page")
    return parser


def _print_json(value: Any, out: IO[str]) -> None:
    out.write(json.dumps(value, indent=2, sort_keys=False) + "\n")


def _job_summary(job: JobView) -> str:
    text = f"job {job['id']}: {job['state']}"
    if job.get("reason"):
        text += f" ({job['reason']})"
    attempts = job["attempts"]
    if attempts:
        last = attempts[-1]
        if last.get("exitCode") is not None:
            text += f", exit code {last['exitCode']}"
        if last.get("sparkAppId"):
            text += f", Spark app {last['sparkAppId']}"
    if job.get("message"):
        text += f": {job['message']}"
    return text


def _exit_for(job: JobView) -> int:
    return EXIT_OK if job["state"] == states.SUCCEEDED else EXIT_JOB_FAILED


def _write_bytes(target: IO[str], data: bytes) -> None:
    """Raw bytes to a text stream's binary buffer when it has one (stdout), else decoded."""
    buffer = getattr(target, "buffer", None)
    if buffer is not None:
        buffer.write(data)
    else:
        target.write(data.decode("utf-8", errors="replace"))


def _follow(client: KindlingClient, job_id: str, streams: Sequence[str], poll: float, out: IO[str],
            err: IO[str]) -> int:
    follower = client.follow(job_id, streams, poll_interval=poll)
    for event in follower:
        target = err if event.stream == "stderr" else out
        _write_bytes(target, event.data)
        target.flush()
    job = follower.job or client.get(job_id)
    err.write(_job_summary(job) + "\n")
    return _exit_for(job)


def run(argv: Sequence[str] | None = None, out: IO[str] | None = None, err: IO[str] | None = None,
        client: KindlingClient | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    args = build_parser().parse_args(argv)
    try:
        client = client or KindlingClient(args.api or default_api_url(), args.token)
        if args.command == "submit":
            return _submit(client, args, out, err)
        if args.command == "status":
            _print_json(client.get(args.id), out)
            return EXIT_OK
        if args.command == "logs":
            if args.follow:
                streams = [args.stream] if args.stream else list(STREAMS)
                return _follow(client, args.id, streams, args.poll_interval, out, err)
            offset = 0
            stream = args.stream or "stdout"
            while True:
                chunk = client.read_log(args.id, stream, attempt=args.attempt, offset=offset)
                if chunk.data:
                    _write_bytes(out, chunk.data)
                if not chunk.data or chunk.next_offset <= offset:
                    break
                offset = chunk.next_offset
            out.flush()
            return EXIT_OK
        if args.command == "cancel":
            job = client.cancel(args.id)
            err.write(f"cancel requested for job {args.id} (now {job['state']})\n")
            return EXIT_OK
        if args.command == "list":
            page = client.list(state=args.state or None, pool=args.pool, labels=dict(args.label), limit=args.limit,
                               cursor=args.cursor)
            for job in page["items"]:
                out.write(f"{job['id']}\t{job['state']}\t{job.get('pool', '')}\t{job.get('name') or ''}\n")
            if page["nextCursor"]:
                err.write(f"more: --cursor {page['nextCursor']}\n")
            return EXIT_OK
    except KindlingError as e:
        err.write(f"kindling: error: {e}\n")
        return EXIT_ERROR
    raise AssertionError(args.command)


def _submit(client: KindlingClient, args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    file = args.file
    if args.upload:
        file = client.upload(file, tenant=args.tenant)
    elif "://" not in file:
        file = os.path.abspath(file)
    app_type = "jvm" if file.endswith(".jar") or args.main_class else "python"
    application: dict[str, Any] = {"type": app_type, "file": file}
    if args.main_class:
        application["mainClass"] = args.main_class
    if args.args:
        application["args"] = list(args.args)
    spec: dict[str, Any] = {"application": application}
    if args.name:
        spec["name"] = args.name
    if args.pool:
        spec["pool"] = args.pool
    if args.conf:
        spec["conf"] = dict(args.conf)
    if args.label:
        spec["labels"] = dict(args.label)
    if args.env:
        spec["env"] = dict(args.env)
    if args.py_files:
        spec["pyFiles"] = list(args.py_files)
    if args.tenant:
        spec["tenant"] = args.tenant
    if args.secret:
        spec["secretRefs"] = dict(args.secret)
    job = client.submit(spec, idempotency_key=args.idempotency_key)
    out.write(job["id"] + "\n")
    out.flush()
    if args.follow:
        return _follow(client, job["id"], list(STREAMS), args.poll_interval, out, err)
    if args.wait:
        job = client.wait(job["id"], poll_interval=args.poll_interval)
        err.write(_job_summary(job) + "\n")
        return _exit_for(job)
    return EXIT_OK


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
