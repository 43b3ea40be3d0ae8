"""The `recbrowser` command line, in-process (capsys) and as a real subprocess, against the fake API."""

from __future__ import annotations

import argparse
import io
import json
import os
import queue
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from recbrowser import __version__, cli
from recbrowser.fakeapi import DEMO_KEY, OTHER_ACCOUNT_KEY, FakeMagpipe
from recbrowser.fakeapi.samples import (
    CONVERSATION_CALL,
    MAIN_CALL,
    MARKUP_CALL,
    NO_RECORDING_CALL,
    NULLS_CALL,
    OTHER_CALL,
    TRANSFER_CALL,
    UNKNOWN_CALL,
    UNKNOWN_VALUES_CALL,
)
from tests.cli_helpers import Run, answer_on_a_terminal, child_env
from tests.loopback import free_port

WRONG_KEY = "mgp_" + "1234567890abcdef" * 2 + "feedface"

RECORDING_KEYS = ["url", "label", "duration_seconds", "source", "status", "created_at"]


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch):
    def feed(text: str) -> None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))

    return feed


def key_file(tmp_path: Path) -> Path:
    return tmp_path / "config" / "recbrowser" / "api_key"


def api_requests(fake: FakeMagpipe) -> int:
    return len(fake.requests["api"])


def assert_clean(result: Run, *secrets: str) -> None:
    for text in (result.out, result.err):
        assert "Traceback" not in text
        for secret in secrets:
            assert secret not in text
            assert secret[4:24] not in text


def raw_api_answer(fake: FakeMagpipe, call_id: str) -> dict:
    response = httpx.post(
        f"{fake.api_url}/get-signed-recording-url",
        json={"call_id": call_id},
        headers={"Authorization": f"Bearer {DEMO_KEY}"},
        timeout=10,
    )
    assert response.status_code == 200
    return response.json()


def table_rows(block: str) -> list[list[str]]:
    """The data rows of one call's table, split into cells."""
    lines = block.splitlines()
    return [re.split(r"\s{2,}", line.strip()) for line in lines[2:] if re.match(r"\s+\d+\s", line)]


def local(iso: str) -> str:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


# --- lookup: human output -------------------------------------------------------------------


def test_lookup_prints_one_table_per_call_with_friendly_labels_durations_status_and_url(
    api_env: FakeMagpipe, run
) -> None:
    result = run("lookup", MAIN_CALL, TRANSFER_CALL)
    assert result.code == 0 and result.err == ""
    main_block, transfer_block = result.out.rstrip("\n").split("\n\n")

    assert main_block.splitlines()[0] == f"{MAIN_CALL}  (1 segment · 2:05 · 1 synced)"
    assert main_block.splitlines()[1].split() == ["#", "Label", "Duration", "Source", "Status", "Created", "URL"]
    url = f"{api_env.storage_url}/storage/v1/object/public/recordings/{MAIN_CALL}/1.wav"
    assert table_rows(main_block) == [
        ["1", "Main Call", "2:05", "signalwire", "synced", local("2026-03-02T10:34:25Z"), url]
    ]

    assert transfer_block.splitlines()[0] == f"{TRANSFER_CALL}  (4 segments · 4:15 · 2 synced, 2 pending)"
    rows = table_rows(transfer_block)
    assert [r[:5] for r in rows] == [
        ["1", "Main Call", "1:04", "signalwire", "synced"],
        ["2", "Transfer Consultation", "0:31", "signalwire", "synced"],
        ["3", "Transferred Call", "2:22", "signalwire", "pending"],
        ["4", "Back to Agent", "0:18", "signalwire", "pending"],
    ]
    assert "/provider/" in rows[2][6] and "token=" in rows[2][6]
    assert "look the call up again later" in transfer_block.splitlines()[-1]


def test_lookup_shows_unknown_values_as_they_are_and_missing_ones_as_dashes(api_env: FakeMagpipe, run) -> None:
    result = run("lookup", UNKNOWN_VALUES_CALL, NULLS_CALL)
    assert result.code == 0
    unknown_block, nulls_block = result.out.rstrip("\n").split("\n\n")
    assert "1 synced, 1 other" in unknown_block.splitlines()[0]
    assert [r[1:5] for r in table_rows(unknown_block)] == [
        ["Voicemail Drop", "0:22", "twilio", "synced"],
        ["Main Call", "0:56", "signalwire", "archived"],
    ]
    assert nulls_block.splitlines()[0] == f"{NULLS_CALL}  (1 segment · — · 1 synced)"
    assert table_rows(nulls_block)[0][1:6] == ["Main Call", "—", "unknown", "synced", "—"]


def test_lookup_never_writes_terminal_control_characters_from_labels(api_env: FakeMagpipe, run) -> None:
    result = run("lookup", MARKUP_CALL)
    assert result.code == 0
    assert "\x1b" not in result.out and "\x07" not in result.out
    assert [r[1] for r in table_rows(result.out)] == ["[bold]x[/]", "\\x1b[31mred\\x07"]


# --- lookup: JSON Lines ---------------------------------------------------------------------


def test_json_lines_carry_the_raw_api_values_one_line_per_call_in_input_order(api_env: FakeMagpipe, run) -> None:
    ids = [NULLS_CALL, MAIN_CALL, MARKUP_CALL, UNKNOWN_VALUES_CALL]
    result = run("lookup", "--json", *ids)
    assert result.code == 0 and result.err == ""
    lines = result.json_lines
    assert [line["call_id"] for line in lines] == ids
    for line in lines:
        assert list(line) == ["call_id", "recording_url", "recordings"]
        assert all(list(segment) == RECORDING_KEYS for segment in line["recordings"])
    assert lines == [raw_api_answer(api_env, call_id) for call_id in ids]


def test_json_lines_of_a_pending_call_say_pending_sync(api_env: FakeMagpipe, run) -> None:
    (line,) = run("lookup", "--json", TRANSFER_CALL).json_lines
    assert [s["status"] for s in line["recordings"]] == ["synced", "synced", "pending_sync", "pending_sync"]
    assert [s["label"] for s in line["recordings"]] == [
        "main",
        "transferee_consult",
        "transfer_conference",
        "back_to_agent",
    ]
    assert line["recording_url"] == line["recordings"][0]["url"]


@dataclass(frozen=True)
class Failure:
    code: str
    exit_code: int
    call_id: str = MAIN_CALL
    requests: int | None = None


def _setup_failure(name: str, fake: FakeMagpipe, monkeypatch: pytest.MonkeyPatch, closed_port: int) -> str:
    """Arrange the failure; return the key in use (so the test can prove it never shows)."""
    key = DEMO_KEY
    if name == "no_api_key":
        monkeypatch.delenv("MAGPIPE_API_KEY")
    elif name == "unauthorized":
        key = WRONG_KEY
        monkeypatch.setenv("MAGPIPE_API_KEY", key)
    elif name == "rate_limited":
        fake.faults.rate_limit = 1
        fake.faults.retry_after = 120  # beyond the CLI's 60 s cap: answered at once, no waiting
    elif name == "server_error":
        fake.faults.fail_500 = 3
    elif name == "network_error":
        monkeypatch.setenv("MAGPIPE_API_URL", f"http://127.0.0.1:{closed_port}/functions/v1")
    elif name == "bad_response":
        fake.faults.bad_json = 1
    return key


FAILURES = {
    "invalid_call_id": Failure("invalid_call_id", 2, "not-a-call-id", requests=0),
    "no_api_key": Failure("no_api_key", 3, requests=0),
    "unauthorized": Failure("unauthorized", 3, requests=1),
    "not_found": Failure("not_found", 4, UNKNOWN_CALL, requests=1),
    "other_account": Failure("not_found", 4, OTHER_CALL, requests=1),
    "no_recording": Failure("no_recording", 4, NO_RECORDING_CALL, requests=1),
    "rate_limited": Failure("rate_limited", 5, requests=1),
    "server_error": Failure("server_error", 5, requests=3),
    "network_error": Failure("network_error", 5, requests=0),
    "bad_response": Failure("bad_response", 5, requests=1),
}


@pytest.mark.parametrize("name", list(FAILURES), ids=list(FAILURES))
def test_json_error_line_has_the_error_code_and_the_exit_code_matches(
    api_env: FakeMagpipe, run, monkeypatch: pytest.MonkeyPatch, closed_port: int, name: str
) -> None:
    failure = FAILURES[name]
    key = _setup_failure(name, api_env, monkeypatch, closed_port)
    result = run("lookup", "--json", failure.call_id)
    assert result.code == failure.exit_code
    (line,) = result.json_lines
    assert list(line) == ["call_id", "error"] and list(line["error"]) == ["code", "message"]
    assert line["call_id"] == failure.call_id
    assert line["error"]["code"] == failure.code and line["error"]["message"]
    assert api_requests(api_env) == failure.requests
    assert_clean(result, key)


@pytest.mark.parametrize("name", list(FAILURES), ids=list(FAILURES))
def test_human_failure_is_one_stderr_line_without_traceback_or_key(
    api_env: FakeMagpipe, run, monkeypatch: pytest.MonkeyPatch, closed_port: int, name: str
) -> None:
    failure = FAILURES[name]
    key = _setup_failure(name, api_env, monkeypatch, closed_port)
    result = run("lookup", failure.call_id)
    assert result.code == failure.exit_code
    assert result.out == ""
    (line,) = result.err_lines
    assert line.startswith("recbrowser: ")
    assert_clean(result, key)


# --- lookup: finding IDs, exit codes --------------------------------------------------------


def test_ids_buried_in_text_are_found_lowercased_and_deduplicated(api_env: FakeMagpipe, run) -> None:
    result = run(
        "lookup",
        "--json",
        f"https://app.magpipe.ai/calls/{MAIN_CALL.upper()}?tab=recordings",
        f"{TRANSFER_CALL},{MAIN_CALL}, {CONVERSATION_CALL.upper()}",
        MAIN_CALL,
    )
    assert result.code == 0
    assert [line["call_id"] for line in result.json_lines] == [MAIN_CALL, TRANSFER_CALL, CONVERSATION_CALL]
    assert api_requests(api_env) == 3


def test_dash_reads_ids_from_standard_input(api_env: FakeMagpipe, run, stdin) -> None:
    stdin(
        f"2026-03-02 call {TRANSFER_CALL} ended\n"
        f"see https://app.magpipe.ai/calls/{MAIN_CALL}\n"
        f"{UNKNOWN_CALL.upper()}, {TRANSFER_CALL}\n"
    )
    result = run("lookup", "--json", "-")
    assert result.code == 4
    lines = result.json_lines
    assert [line["call_id"] for line in lines] == [TRANSFER_CALL, MAIN_CALL, UNKNOWN_CALL]
    assert [line.get("error", {}).get("code") for line in lines] == [None, None, "not_found"]
    assert api_requests(api_env) == 3


@pytest.mark.parametrize(
    ("inputs", "faults", "codes", "exit_code"),
    [
        ([MAIN_CALL, CONVERSATION_CALL], {}, [None, None], 0),
        ([MAIN_CALL, "not-a-call"], {}, [None, "invalid_call_id"], 2),
        (["not-a-call", UNKNOWN_CALL], {}, ["invalid_call_id", "not_found"], 4),
        ([UNKNOWN_CALL, NO_RECORDING_CALL, MAIN_CALL], {}, ["not_found", "no_recording", None], 4),
        ([MAIN_CALL, UNKNOWN_CALL, "not-a-call"], {"bad_json": 1}, ["bad_response", "not_found", "invalid_call_id"], 5),
        (
            ["not-a-call", MAIN_CALL, NO_RECORDING_CALL],
            {"rate_limit": 1, "retry_after": 120},
            ["invalid_call_id", "rate_limited", "no_recording"],
            5,
        ),
    ],
    ids=[
        "all-ok",
        "ok+invalid",
        "invalid+not-found",
        "not-found+no-recording+ok",
        "bad-response+not-found+invalid",
        "invalid+rate-limited+no-recording",
    ],
)
def test_the_highest_exit_code_wins_and_each_failure_gets_one_stderr_line(
    api_env: FakeMagpipe, run, inputs: list[str], faults: dict, codes: list[str | None], exit_code: int
) -> None:
    for name, value in faults.items():
        setattr(api_env.faults, name, value)
    result = run("lookup", "--json", "--jobs", "1", *inputs)
    assert result.code == exit_code
    assert [line.get("error", {}).get("code") for line in result.json_lines] == codes

    api_env.reset()
    for name, value in faults.items():
        setattr(api_env.faults, name, value)
    human = run("lookup", "--jobs", "1", *inputs)
    assert human.code == exit_code
    failures = sum(code is not None for code in codes)
    assert len(human.err_lines) == failures
    assert all(line.startswith("recbrowser: ") for line in human.err_lines)
    assert human.out.count("segment") == len(codes) - failures
    assert_clean(human, DEMO_KEY)


@pytest.mark.parametrize("inputs", [["nothing here"], ["1234", "not-a-call-id"], [""]])
def test_no_valid_id_exits_2_without_any_request(api_env: FakeMagpipe, run, inputs: list[str]) -> None:
    result = run("lookup", *inputs)
    assert result.code == 2
    assert len(result.err_lines) == len(inputs)
    assert api_requests(api_env) == 0
    assert_clean(result, DEMO_KEY)


def test_empty_standard_input_exits_2_without_any_request(api_env: FakeMagpipe, run, stdin) -> None:
    stdin("")
    result = run("lookup", "--json", "-")
    assert result.code == 2
    (line,) = result.json_lines
    assert line["error"]["code"] == "invalid_call_id"
    assert api_requests(api_env) == 0


def test_near_miss_id_is_reported_as_invalid(api_env: FakeMagpipe, run) -> None:
    near_miss = MAIN_CALL[:-1]
    result = run("lookup", "--json", near_miss)
    assert result.code == 2
    (line,) = result.json_lines
    assert line == {"call_id": near_miss, "error": {"code": "invalid_call_id", "message": line["error"]["message"]}}
    assert near_miss in line["error"]["message"]


def test_an_argument_without_a_call_id_is_rejected_with_what_one_looks_like(api_env: FakeMagpipe, run) -> None:
    result = run("lookup", "call 42")
    assert result.code == 2
    assert result.err == (
        "recbrowser: 'call 42' is not a call ID: a call ID is a UUID such as "
        "7f3d8e00-a1b2-4c3d-9e4f-567890abcdef (dashes optional)\n"
    )
    assert api_requests(api_env) == 0


@pytest.mark.parametrize("where", ["before-command", "after-command"])
def test_api_url_flag_beats_the_environment(
    fake: FakeMagpipe, run, monkeypatch: pytest.MonkeyPatch, closed_port: int, where: str
) -> None:
    monkeypatch.setenv("MAGPIPE_API_URL", f"http://127.0.0.1:{closed_port}/functions/v1")
    monkeypatch.setenv("MAGPIPE_API_KEY", DEMO_KEY)
    flag = ["--api-url", fake.api_url]
    argv = (
        [*flag, "lookup", "--json", MAIN_CALL] if where == "before-command" else ["lookup", *flag, "--json", MAIN_CALL]
    )
    result = run(*argv)
    assert result.code == 0, result.err
    assert result.json_lines[0]["call_id"] == MAIN_CALL
    assert api_requests(fake) == 1


@pytest.mark.parametrize(
    ("flag", "env", "source"),
    [("ftp://x", None, "--api-url"), (None, "ftp://x", "MAGPIPE_API_URL"), ("http://", None, "--api-url")],
)
def test_invalid_api_url_exits_2_with_one_clear_line(
    api_env: FakeMagpipe, run, monkeypatch: pytest.MonkeyPatch, flag: str | None, env: str | None, source: str
) -> None:
    if env is not None:
        monkeypatch.setenv("MAGPIPE_API_URL", env)
    argv = ["lookup", *(["--api-url", flag] if flag else []), MAIN_CALL]
    result = run(*argv)
    assert result.code == 2 and result.out == ""
    (line,) = result.err_lines
    assert line.startswith("recbrowser: ") and "http:// or https://" in line and source in line
    assert api_requests(api_env) == 0


@pytest.mark.parametrize("jobs", ["0", "-1", "many"])
def test_jobs_must_be_a_positive_whole_number(api_env: FakeMagpipe, run, jobs: str) -> None:
    result = run("lookup", "--jobs", jobs, MAIN_CALL)
    assert result.code == 2 and "--jobs" in result.err
    assert api_requests(api_env) == 0


def test_saved_key_is_used_when_the_environment_has_none(
    fake: FakeMagpipe, run, stdin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAGPIPE_API_URL", fake.api_url)
    stdin(OTHER_ACCOUNT_KEY + "\n")
    assert run("key", "set", "--stdin").code == 0
    result = run("lookup", "--json", OTHER_CALL)
    assert result.code == 0
    assert fake.auth_headers("api") == [f"Bearer {OTHER_ACCOUNT_KEY}"]


def test_without_a_key_invalid_inputs_are_still_reported(fake: FakeMagpipe, run) -> None:
    result = run("lookup", "--api-url", fake.api_url, MAIN_CALL, "not-a-call")
    assert result.code == 3
    assert any("not-a-call" in line for line in result.err_lines)


# --- key ----------------------------------------------------------------------------------


def test_key_set_from_stdin_writes_a_private_file_and_prints_only_the_masked_key(run, stdin, tmp_path: Path) -> None:
    stdin(DEMO_KEY + "\n")
    result = run("key", "set", "--stdin")
    assert result.code == 0 and result.err == ""
    path = key_file(tmp_path)
    assert path.read_text() == DEMO_KEY + "\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert "mgp_01…ef" in result.out and str(path) in result.out
    assert_clean(result, DEMO_KEY)


def test_key_set_strips_a_pasted_bearer_prefix(run, stdin, tmp_path: Path) -> None:
    stdin(f"  Bearer {DEMO_KEY}  \n")
    assert run("key", "set", "--stdin").code == 0
    assert key_file(tmp_path).read_text() == DEMO_KEY + "\n"


def test_key_set_with_the_environment_key_set_notes_that_it_wins(run, stdin, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAGPIPE_API_KEY", OTHER_ACCOUNT_KEY)
    stdin(DEMO_KEY + "\n")
    result = run("key", "set", "--stdin")
    assert result.code == 0 and "MAGPIPE_API_KEY" in result.out and "precedence" in result.out
    assert_clean(result, DEMO_KEY, OTHER_ACCOUNT_KEY)


def test_key_set_without_a_terminal_or_stdin_flag_exits_2_with_a_hint(run, stdin, tmp_path: Path) -> None:
    stdin(DEMO_KEY + "\n")  # piped input is not read without --stdin
    result = run("key", "set")
    assert result.code == 2
    (line,) = result.err_lines
    assert "--stdin" in line
    assert not key_file(tmp_path).exists()


@pytest.mark.parametrize("junk", ["has space inside", "tab\tinside", "mgp_\x07bell", "clé-non-ascii", "", "   "])
def test_junk_key_is_rejected_with_exit_2_and_nothing_saved(run, stdin, tmp_path: Path, junk: str) -> None:
    stdin(junk + "\n")
    result = run("key", "set", "--stdin")
    assert result.code == 2 and result.out == ""
    (line,) = result.err_lines
    assert line.startswith("recbrowser: key not saved")
    if junk.strip():
        assert junk not in result.err
    assert not key_file(tmp_path).exists()


def test_unusual_key_is_saved_with_a_warning(run, stdin, tmp_path: Path) -> None:
    unusual = "custom-token-0123456789"
    stdin(unusual + "\n")
    result = run("key", "set", "--stdin")
    assert result.code == 0
    assert "warning" in result.err and "Saved anyway" in result.err
    assert key_file(tmp_path).read_text() == unusual + "\n"
    assert_clean(result, unusual)


def test_key_set_where_the_config_dir_cannot_be_created_is_one_clear_error(
    run, stdin, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the config directory should be")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))
    stdin(DEMO_KEY + "\n")
    result = run("key", "set", "--stdin")
    assert result.code == 1 and result.out == ""
    (line,) = result.err_lines
    assert line.startswith("recbrowser: key not saved: cannot write ") and str(blocker) in line
    assert_clean(result, DEMO_KEY)


def test_key_clear_that_cannot_remove_the_file_is_one_clear_error(
    run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key_path = key_file(tmp_path)
    key_path.mkdir(parents=True)  # a directory where the key file should be: unlink fails
    result = run("key", "clear")
    assert result.code == 1
    (line,) = result.err_lines
    assert line.startswith("recbrowser: key not removed: cannot remove ")


@pytest.mark.parametrize("breakage", ["directory", "not-text"])
def test_an_unreadable_key_file_is_a_warning_then_no_api_key(
    run, fake: FakeMagpipe, tmp_path: Path, breakage: str
) -> None:
    path = key_file(tmp_path)
    if breakage == "directory":
        path.mkdir(parents=True)
    else:
        path.parent.mkdir(parents=True)
        path.write_bytes(b"\xff\xfe" + DEMO_KEY.encode())
    result = run("lookup", MAIN_CALL, "--api-url", fake.api_url)
    assert result.code == 3 and result.out == ""
    warning, error = result.err_lines
    assert warning.startswith(f"recbrowser: warning: Ignoring the saved key file {path}: ")
    assert error.startswith("recbrowser: No Magpipe API key.")
    shown = run("key", "show")
    assert shown.code == 3 and f"{path} (unreadable)" in shown.out
    assert_clean(result, DEMO_KEY)


def test_a_broken_settings_file_is_a_warning_and_the_defaults_apply(run, api_env: FakeMagpipe, tmp_path: Path) -> None:
    settings = tmp_path / "config" / "recbrowser" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text("{not json")
    result = run("lookup", "--json", MAIN_CALL)
    assert result.code == 0 and result.json_lines[0]["call_id"] == MAIN_CALL
    (warning,) = result.err_lines
    assert warning.startswith(f"recbrowser: warning: Ignoring unreadable settings file {settings}")


def test_key_show_from_the_file_is_masked_with_its_path_and_source(run, stdin, tmp_path: Path) -> None:
    stdin(DEMO_KEY + "\n")
    run("key", "set", "--stdin")
    result = run("key", "show")
    assert result.code == 0
    assert "Key in effect: mgp_01…ef (from the saved key file)" in result.out
    assert f"Key file:      {key_file(tmp_path)} (holds mgp_01…ef)" in result.out
    assert "API URL:       https://api.magpipe.ai/functions/v1 (from default)" in result.out
    assert_clean(result, DEMO_KEY)


def test_key_show_prefers_the_environment_over_the_file(run, stdin, monkeypatch: pytest.MonkeyPatch) -> None:
    stdin(DEMO_KEY + "\n")
    run("key", "set", "--stdin")
    monkeypatch.setenv("MAGPIPE_API_KEY", OTHER_ACCOUNT_KEY)
    monkeypatch.setenv("MAGPIPE_API_URL", "http://127.0.0.1:9/functions/v1")
    result = run("key", "show", "--api-url", "http://localhost:8080/functions/v1")
    assert result.code == 0
    assert "Key in effect: mgp_fe…0d (from the MAGPIPE_API_KEY environment variable)" in result.out
    assert "(holds mgp_01…ef)" in result.out
    assert "http://localhost:8080/functions/v1 (from --api-url)" in result.out
    assert_clean(result, DEMO_KEY, OTHER_ACCOUNT_KEY)


def test_key_show_without_a_key_exits_3(run, tmp_path: Path) -> None:
    result = run("key", "show")
    assert result.code == 3
    assert "No API key" in result.err and "key set" in result.err
    assert f"{key_file(tmp_path)} (absent)" in result.out


def test_key_clear_removes_the_saved_key(run, stdin, tmp_path: Path) -> None:
    stdin(DEMO_KEY + "\n")
    run("key", "set", "--stdin")
    cleared = run("key", "clear")
    assert cleared.code == 0 and "Removed the saved key" in cleared.out
    assert not key_file(tmp_path).exists()
    again = run("key", "clear")
    assert again.code == 0 and "No saved key" in again.out
    assert run("key", "show").code == 3


def test_key_clear_notes_that_the_environment_key_is_still_in_effect(run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAGPIPE_API_KEY", DEMO_KEY)
    result = run("key", "clear")
    assert result.code == 0 and "still set" in result.out
    assert_clean(result, DEMO_KEY)


# --- help, version, demo-server -------------------------------------------------------------


def _every_command(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The argv prefix of the program, every command and every subcommand, from the real parser."""
    yield prefix
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, subparser in action.choices.items():
                yield from _every_command(subparser, (*prefix, name))


EVERY_COMMAND = list(_every_command(cli.build_parser()))


def test_the_command_list_covers_the_documented_commands() -> None:
    assert {("lookup",), ("key",), ("key", "set"), ("key", "show"), ("key", "clear"), ("demo-server",)} <= set(
        EVERY_COMMAND
    )


@pytest.mark.parametrize("argv", EVERY_COMMAND, ids=lambda argv: " ".join(argv) or "recbrowser")
def test_help_works_for_every_command(run, argv: tuple[str, ...]) -> None:
    result = run(*argv, "--help")
    assert result.code == 0 and result.err == ""
    assert result.out.startswith(f"usage: recbrowser {' '.join(argv)}".rstrip())


def test_version_prints_the_version(run) -> None:
    result = run("--version")
    assert result.code == 0 and result.out.strip() == f"recbrowser {__version__}"


@pytest.mark.parametrize("argv", [["nonsense"], ["key"], ["lookup"], ["key", "set", "--bogus"]])
def test_usage_mistakes_exit_2(run, argv: list[str]) -> None:
    result = run(*argv)
    assert result.code == 2 and "usage:" in result.err
    assert "Traceback" not in result.err


def test_demo_server_on_a_busy_port_exits_2(run) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = run("demo-server", "--port", str(busy.getsockname()[1]))
    assert result.code == 2
    (line,) = result.err_lines
    assert "cannot start the demo server" in line


# --- as a real process ----------------------------------------------------------------------


def run_process(tmp_path: Path, *argv: str, input: str | None = None, **env: str) -> Run:
    done = subprocess.run(
        [sys.executable, "-m", "recbrowser", *argv],
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=child_env(tmp_path, **env),
        timeout=60,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def test_process_lookup_prints_the_table_and_exits_0(fake: FakeMagpipe, tmp_path: Path) -> None:
    result = run_process(tmp_path, "lookup", MAIN_CALL, MAGPIPE_API_URL=fake.api_url, MAGPIPE_API_KEY=DEMO_KEY)
    assert result.code == 0 and result.err == ""
    assert table_rows(result.out)[0][1:5] == ["Main Call", "2:05", "signalwire", "synced"]
    assert fake.auth_headers("api") == [f"Bearer {DEMO_KEY}"]


@pytest.mark.parametrize(
    ("argv", "with_key", "exit_code", "message"),
    [
        (["lookup", UNKNOWN_CALL, MAIN_CALL], True, 4, "Call not found"),
        (["lookup", MAIN_CALL], False, 3, "No Magpipe API key"),
        (["lookup", "-"], True, 2, "no call ID found in standard input"),
        (["lookup", "--api-url", "ftp://x", MAIN_CALL], True, 2, "http:// or https://"),
        (["key", "set"], False, 2, "--stdin"),
        (["key", "show"], False, 3, "No API key"),
        ([], False, 2, "needs a terminal"),
    ],
    ids=["not-found", "no-key", "empty-stdin", "bad-api-url", "key-set-no-tty", "key-show-no-key", "app-no-tty"],
)
def test_process_failures_exit_with_the_right_code_and_one_line_no_traceback(
    fake: FakeMagpipe, tmp_path: Path, argv: list[str], with_key: bool, exit_code: int, message: str
) -> None:
    env = {"MAGPIPE_API_URL": fake.api_url, **({"MAGPIPE_API_KEY": DEMO_KEY} if with_key else {})}
    result = run_process(tmp_path, *argv, **env)
    assert result.code == exit_code
    (line,) = result.err_lines
    assert line.startswith(("recbrowser: ", "No API key")) and message in line
    assert_clean(result, DEMO_KEY)


def test_process_key_set_from_stdin_then_lookup_with_the_saved_key(fake: FakeMagpipe, tmp_path: Path) -> None:
    saved = run_process(tmp_path, "key", "set", "--stdin", input=DEMO_KEY + "\n")
    assert saved.code == 0 and saved.err == ""
    assert_clean(saved, DEMO_KEY)
    assert stat.S_IMODE(key_file(tmp_path).stat().st_mode) == 0o600
    result = run_process(tmp_path, "lookup", "--json", MAIN_CALL, MAGPIPE_API_URL=fake.api_url)
    assert result.code == 0
    assert json.loads(result.out)["call_id"] == MAIN_CALL
    assert fake.auth_headers("api") == [f"Bearer {DEMO_KEY}"]


@pytest.mark.parametrize(
    ("argv", "first_line"),
    [
        (["--help"], "usage: recbrowser "),
        (["lookup", "--help"], "usage: recbrowser lookup "),
        (["--version"], f"recbrowser {__version__}"),
    ],
)
def test_process_help_and_version_exit_0(tmp_path: Path, argv: list[str], first_line: str) -> None:
    result = run_process(tmp_path, *argv)
    assert result.code == 0 and result.err == ""
    assert result.out.splitlines()[0].startswith(first_line)
    if argv == ["--version"]:
        assert result.out == first_line + "\n"


def _lines(stream) -> Iterator[str]:
    """Lines of a pipe, each waited for at most 20 s; "" once it ends."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in iter(stream.readline, ""):
            lines.put(line)
        lines.put("")

    threading.Thread(target=pump, daemon=True).start()
    while True:
        line = lines.get(timeout=20)
        yield line
        if not line:
            return


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery differs on Windows")
def test_demo_server_prints_its_url_and_key_serves_and_stops_cleanly_on_ctrl_c(
    tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "recbrowser", "demo-server", "--port", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(tmp_path),
    )
    try:
        printed = []
        stdout = _lines(process.stdout)
        for line in stdout:
            assert line, f"demo-server ended early: {process.stderr.read()}"
            printed.append(line)
            if line.startswith("Serving"):
                break
        output = "".join(printed)
        api_url = re.search(r"API base URL:\s+(\S+)", output).group(1)
        assert api_url == f"http://127.0.0.1:{port}/functions/v1"
        assert DEMO_KEY in output

        monkeypatch.setenv("MAGPIPE_API_URL", api_url)
        monkeypatch.setenv("MAGPIPE_API_KEY", DEMO_KEY)
        result = run("lookup", "--json", MAIN_CALL)
        assert result.code == 0
        assert result.json_lines[0]["recordings"][0]["label"] == "main"

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert "Traceback" not in process.stderr.read()
        assert all("Traceback" not in line for line in stdout)  # drains the pipe to its end
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


def test_key_set_on_a_terminal_asks_with_hidden_input_and_saves_0600(tmp_path):
    key = "mgp_" + "ab" * 20
    env = child_env(tmp_path)
    code, screen = answer_on_a_terminal(["key", "set"], b"(input hidden):", key, env)
    assert code == 0, screen
    assert key not in screen  # not echoed, not printed back
    assert "mgp_ab…ab" in screen
    key_file = tmp_path / "config" / "recbrowser" / "api_key"
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
