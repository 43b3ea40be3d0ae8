"""`recbrowser lookup` against hostile API answers (issue 9: 7, 11, 12, 16, credentials), in
process and as real processes, over loopback HTTP to the shipped fake."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from recbrowser.fakeapi import DEMO_KEY, FakeMagpipe
from recbrowser.fakeapi.samples import CONVERSATION_CALL, MAIN_CALL, TRANSFER_CALL
from tests.cli_helpers import Run, child_env

DEEP = b"[" * 5000 + b"]" * 5000
PEAK_RSS_LIMIT_MB = 150


def api_requests(fake: FakeMagpipe) -> int:
    return len(fake.requests["api"])


def settings_file(tmp_path: Path, **values: object) -> Path:
    path = tmp_path / "config" / "recbrowser" / "settings.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values))
    return path


def one_bad_answer(fake: FakeMagpipe, call_id: str, body: bytes) -> None:
    fake.faults.api_body, fake.faults.api_body_call = body, call_id


def assert_no_traceback(result: Run) -> None:
    assert "Traceback" not in result.out and "Traceback" not in result.err


# --- item 7: every ID gets its line ------------------------------------------------------


@pytest.mark.parametrize("jobs", ["1", "4"])
def test_lookup_json_prints_every_call_when_one_answer_is_nested_5000_deep(
    api_env: FakeMagpipe, run, jobs: str
) -> None:
    one_bad_answer(api_env, TRANSFER_CALL, b'{"call_id": "x", "recordings": ' + DEEP + b"}")
    result = run("lookup", "--json", "--jobs", jobs, MAIN_CALL, TRANSFER_CALL, CONVERSATION_CALL)
    assert_no_traceback(result)
    lines = result.json_lines
    assert [line["call_id"] for line in lines] == [MAIN_CALL, TRANSFER_CALL, CONVERSATION_CALL]
    assert lines[1]["error"]["code"] == "bad_response" and "nested too deeply" in lines[1]["error"]["message"]
    assert "recordings" in lines[0] and "recordings" in lines[2]
    assert result.code == 5


def test_lookup_table_shows_the_other_calls_when_one_answer_is_unreadable(api_env: FakeMagpipe, run) -> None:
    one_bad_answer(api_env, MAIN_CALL, b'{"error": ' + DEEP + b"}")
    api_env.faults.api_status = 500
    result = run("lookup", MAIN_CALL, CONVERSATION_CALL)
    assert_no_traceback(result)
    assert result.code == 5
    assert CONVERSATION_CALL in result.out and MAIN_CALL not in result.out
    (line,) = result.err_lines
    assert line.startswith(f"recbrowser: {MAIN_CALL}: The Magpipe API had a server error (500)")


@pytest.mark.parametrize("json_lines", [True, False], ids=["json", "table"])
def test_lookup_prints_every_call_when_one_has_a_400_digit_duration(
    api_env: FakeMagpipe, run, json_lines: bool
) -> None:
    segment = {"url": "https://storage.example/a.wav", "label": "main", "duration_seconds": 10**400}
    one_bad_answer(api_env, TRANSFER_CALL, json.dumps({"recordings": [segment]}).encode())
    ids = [MAIN_CALL, TRANSFER_CALL, CONVERSATION_CALL]
    result = run("lookup", *(["--json"] if json_lines else []), *ids)
    assert_no_traceback(result)
    if json_lines:
        lines = result.json_lines
        assert [line["call_id"] for line in lines] == ids
        assert "recordings" in lines[0] and "recordings" in lines[2]
        assert lines[1]["recordings"][0]["duration_seconds"] is None  # beyond 100 years: unknown
    else:
        assert MAIN_CALL in result.out and CONVERSATION_CALL in result.out
        assert TRANSFER_CALL in result.out and result.err == ""


def test_a_200_answer_without_recordings_is_a_bad_response_exit_5(api_env: FakeMagpipe, run) -> None:
    api_env.faults.api_body = b'{"ok": true}'
    result = run("lookup", "--json", MAIN_CALL)
    assert result.code == 5
    assert result.json_lines == [
        {
            "call_id": MAIN_CALL,
            "error": {"code": "bad_response", "message": "The API's answer has no 'recordings' list."},
        }
    ]


def test_501_is_a_bad_response_hinting_at_the_api_url(api_env: FakeMagpipe, run) -> None:
    api_env.faults.api_body, api_env.faults.api_status = b"", 501
    result = run("lookup", MAIN_CALL)
    assert result.code == 5
    (line,) = result.err_lines
    assert "HTTP 501" in line and "is the API URL right?" in line
    assert api_requests(api_env) == 1


# --- credentials in the API URL ----------------------------------------------------------


@pytest.mark.parametrize("where", ["flag", "env", "settings"])
def test_credentials_in_the_api_url_are_a_usage_error_that_never_shows_them(
    api_env: FakeMagpipe, run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, where: str
) -> None:
    url = api_env.api_url.replace("http://", "http://alice:s3cretpw@")
    argv = ["lookup", MAIN_CALL]
    if where == "flag":
        argv[1:1] = ["--api-url", url]
    elif where == "env":
        monkeypatch.setenv("MAGPIPE_API_URL", url)
    else:
        monkeypatch.delenv("MAGPIPE_API_URL")
        settings_file(tmp_path, api_url=url)
    result = run(*argv)
    assert result.code == 2 and result.out == ""
    (line,) = result.err_lines
    assert "must not contain a user name or password" in line
    assert "s3cretpw" not in result.err and "alice" not in result.err
    assert api_requests(api_env) == 0


def test_key_show_never_prints_credentials_from_the_api_url(
    api_env: FakeMagpipe, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAGPIPE_API_URL", api_env.api_url.replace("http://", "http://alice:s3cretpw@"))
    result = run("key", "show")
    assert result.code == 0
    assert "s3cretpw" not in result.out + result.err and "alice" not in result.out + result.err
    assert "API URL:       http://***@127.0.0.1" in result.out


# --- the request_deadline setting -----------------------------------------------------------


def test_the_request_deadline_setting_bounds_a_dripping_api(api_env: FakeMagpipe, run, tmp_path: Path) -> None:
    settings_file(tmp_path, request_deadline=0.5)
    api_env.faults.api_drip, api_env.faults.api_drip_interval = 3, 0.2
    started = time.monotonic()
    result = run("lookup", "--json", MAIN_CALL)
    assert time.monotonic() - started < 10
    assert result.code == 5
    assert result.json_lines[0]["error"]["code"] == "network_error"
    assert "within 0.5 s" in result.json_lines[0]["error"]["message"]
    assert api_requests(api_env) == 3  # the retry policy applied


@pytest.mark.parametrize("value", [0, -1, "60", 1e9, True])
def test_an_unusable_request_deadline_is_a_warning_and_the_default_applies(
    api_env: FakeMagpipe, run, tmp_path: Path, value: object
) -> None:
    settings_file(tmp_path, request_deadline=value)
    result = run("lookup", "--json", MAIN_CALL)
    assert result.code == 0
    (warning,) = result.err_lines
    assert warning.startswith("recbrowser: warning: Ignoring request_deadline") and "using 60" in warning


# --- real processes: stderr not a terminal, peak memory ------------------------------------


def run_process(tmp_path: Path, *argv: str, **env: str) -> tuple[Run, float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "recbrowser", *argv],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=child_env(tmp_path, **env),
        timeout=120,
    )
    return Run(done.returncode, done.stdout, done.stderr), time.monotonic() - started


def test_a_silent_api_is_said_to_be_waited_for_in_one_line_when_stderr_is_not_a_terminal(
    fake: FakeMagpipe, tmp_path: Path
) -> None:
    settings_file(tmp_path, request_deadline=6)
    fake.faults.api_hang = 1
    result, elapsed = run_process(tmp_path, "lookup", MAIN_CALL, MAGPIPE_API_URL=fake.api_url, MAGPIPE_API_KEY=DEMO_KEY)
    host = fake.api_url.split("/")[2]
    assert result.code == 0 and MAIN_CALL in result.out
    assert result.err_lines == [f"recbrowser: Waiting for the API at {host} (3 s so far)…"]
    assert elapsed < 25  # cut off at the 6 s deadline, then answered on the retry
    assert api_requests(fake) == 2


PEAK_RSS = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
sys.stderr.write(done.stderr)
print(done.returncode)
print(done.stdout.strip())
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
"""


@pytest.mark.parametrize(
    "faults",
    [{"api_gzip_bomb": 1, "api_bomb_bytes": 2 * 1024**3}, {"api_huge_body": 1, "api_huge_bytes": 200 * 1000**2}],
    ids=["gzip-bomb-2GiB", "body-200MB"],
)
def test_lookup_memory_stays_flat_whatever_the_size_of_the_answer(
    fake: FakeMagpipe, tmp_path: Path, faults: dict[str, int]
) -> None:
    for name, value in faults.items():
        setattr(fake.faults, name, value)
    command = [sys.executable, "-c", PEAK_RSS, sys.executable, "-m", "recbrowser", "lookup", "--json", MAIN_CALL]
    env = child_env(tmp_path, MAGPIPE_API_URL=fake.api_url, MAGPIPE_API_KEY=DEMO_KEY)
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=180)
    code, line, peak_mb = done.stdout.strip().splitlines()
    assert 10 < int(peak_mb) < PEAK_RSS_LIMIT_MB
    assert "Traceback" not in done.stderr
    assert int(code) == 5
    assert json.loads(line)["error"]["code"] == "bad_response" and "larger than" in json.loads(line)["error"]["message"]
