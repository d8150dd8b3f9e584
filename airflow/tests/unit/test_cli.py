from __future__ import annotations

import io
import json

from kindling_client import KindlingClient
from kindling_client.cli import EXIT_ERROR, EXIT_JOB_FAILED, EXIT_OK, run


def cli(fake, *argv):
    out, err = io.StringIO(), io.StringIO()
    client = KindlingClient(fake.url, sleep=lambda s: None)
    rc = run(["--poll-interval", "0", *argv], out=out, err=err, client=client)
    return rc, out.getvalue(), err.getvalue()


def test_submit_builds_spec(fake, tmp_path):
    app = tmp_path / "job.py"
    app.write_text("")
    rc, out, _ = cli(fake, "submit", str(app), "10", "--conf", "spark.executor.memory=2g", "--pool", "default",
                     "--name", "my job", "--label", "team=data")
    assert rc == EXIT_OK
    job_id = out.strip()
    spec = fake.jobs[job_id].spec
    assert spec["application"] == {"type": "python", "file": str(app), "args": ["10"]}
    assert spec["conf"] == {"spark.executor.memory": "2g"} and spec["pool"] == "default"
    assert spec["name"] == "my job" and spec["labels"] == {"team": "data"}


def test_submit_jar_is_jvm(fake):
    _rc, out, _ = cli(fake, "submit", "file:///x/app.jar", "--class", "a.B")
    assert fake.jobs[out.strip()].spec["application"] == {"type": "jvm", "file": "file:///x/app.jar",
                                                           "mainClass": "a.B"}


def test_submit_follow_prints_output_and_exits_0(fake):
    rc, out, err = cli(fake, "submit", "/x/pi.py", "--follow")
    assert rc == EXIT_OK
    assert "Pi is roughly 3.14159" in out
    assert "INFO SparkContext" in err and "SUCCEEDED" in err


def test_submit_wait_failing_job_exits_1(fake):
    rc, _, err = cli(fake, "submit", "/x/fail.py", "--wait")
    assert rc == EXIT_JOB_FAILED
    assert "FAILED (APP_FAILED)" in err and "exit code 3" in err


def test_logs_follow_exit_status(fake):
    fake.add_job("ok", stdout=b"hello\n")
    fake.add_job("bad", steps=["QUEUED", "SUBMITTING", "RUNNING", "FAILED"], stderr=b"boom\n")
    rc, out, _ = cli(fake, "logs", "ok", "-f")
    assert rc == EXIT_OK and out == "hello\n"
    rc, _, err = cli(fake, "logs", "bad", "-f", "--stream", "stderr")
    assert rc == EXIT_JOB_FAILED and "boom" in err


def test_logs_reads_whole_stream(fake):
    fake.add_job("j", steps=["SUCCEEDED"], stdout=b"a\nb\n")
    fake.jobs["j"].step = 2  # has an attempt
    fake.jobs["j"].steps = ["RUNNING", "RUNNING", "SUCCEEDED"]
    rc, out, _ = cli(fake, "logs", "j")
    assert rc == EXIT_OK and out == "a\nb\n"


def test_status_cancel_list(fake):
    fake.add_job("j", stdout=b"")
    rc, out, _ = cli(fake, "status", "j")
    assert rc == EXIT_OK and json.loads(out)["id"] == "j"
    rc, _, err = cli(fake, "cancel", "j")
    assert rc == EXIT_OK and "cancel requested" in err and fake.jobs["j"].cancelled
    rc, out, _ = cli(fake, "list", "--state", "CANCELLED")
    assert rc == EXIT_OK and out.startswith("j\tCANCELLED")


def test_api_errors_exit_2(fake):
    rc, _, err = cli(fake, "status", "nope")
    assert rc == EXIT_ERROR and "NOT_FOUND (404)" in err
    fake.cancel_supported = False
    fake.add_job("j")
    rc, _, err = cli(fake, "cancel", "j")
    assert rc == EXIT_ERROR and "no such resource" in err


def test_api_url_from_environment(monkeypatch, fake):
    from kindling_client.cli import build_parser
    from kindling_client.client import default_api_url

    monkeypatch.setenv("KINDLING_API_URL", fake.url)
    assert default_api_url() == fake.url
    monkeypatch.delenv("KINDLING_API_URL")
    assert default_api_url() == "http://127.0.0.1:8080"
    assert build_parser().parse_args(["--api", "http://x:1", "status", "a"]).api == "http://x:1"


def cli_real(fake, *argv):
    """The CLI building its own client (token look-up included)."""
    out, err = io.StringIO(), io.StringIO()
    rc = run(["--api", fake.url, "--poll-interval", "0", *argv], out=out, err=err)
    return rc, out.getvalue(), err.getvalue()


def test_token_option_is_sent(fake, monkeypatch):
    monkeypatch.setenv("KINDLING_TOKEN", "from-env")
    fake.tokens = {"from-option"}
    fake.add_job("j")
    rc, out, _ = cli_real(fake, "--token", "from-option", "status", "j")
    assert rc == EXIT_OK and json.loads(out)["id"] == "j"


def test_token_from_kindling_home(fake, monkeypatch, tmp_path):
    (tmp_path / "admin.token").write_text("admin-tok\n")
    monkeypatch.setenv("KINDLING_HOME", str(tmp_path))
    fake.tokens = {"admin-tok"}
    fake.add_job("j")
    assert cli_real(fake, "status", "j")[0] == EXIT_OK


def test_401_exits_2_with_the_apis_message_and_a_hint(fake):
    fake.tokens = {"good"}
    rc, _, err = cli_real(fake, "list")
    assert rc == EXIT_ERROR
    assert "UNAUTHENTICATED (401): a valid bearer token is required" in err and "No token was sent" in err
    rc, _, err = cli_real(fake, "--token", "zz-not-valid-zz", "list")
    assert rc == EXIT_ERROR and "The token from the given token was refused" in err and "zz-not-valid-zz" not in err


def test_unreadable_token_file_exits_2(fake, monkeypatch, tmp_path):
    monkeypatch.setenv("KINDLING_TOKEN_FILE", str(tmp_path / "missing"))
    rc, _, err = cli_real(fake, "list")
    assert rc == EXIT_ERROR and "cannot read the Kindling token" in err


def test_submit_tenant_and_secret_refs(fake, tmp_path):
    fake.artifacts_supported = True
    app = tmp_path / "job.py"
    app.write_text("print(1)\n")
    rc, out, _ = cli(fake, "submit", str(app), "--upload", "--tenant", "team-a", "--secret", "DB_PASSWORD=db/password")
    assert rc == EXIT_OK
    spec = fake.jobs[out.strip()].spec
    assert spec["tenant"] == "team-a" and spec["secretRefs"] == {"DB_PASSWORD": {"secret": "db", "key": "password"}}
    assert spec["application"]["file"].startswith("artifact://team-a/") and fake.upload_tenants == ["team-a"]


def test_malformed_secret_option_is_a_usage_error(fake):
    import pytest

    with pytest.raises(SystemExit):
        cli(fake, "submit", "/x.py", "--secret", "DB_PASSWORD=db")
