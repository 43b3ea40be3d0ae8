"""`recbrowser history`, `lookup --offline` and the recording of CLI lookups and downloads.

In-process through cli.main (capsys) against the fake API over loopback; the confirmation
prompt of `history clear` runs as a real process on a pseudo-terminal.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from recbrowser.errors import NotFound
from recbrowser.fakeapi import DEMO_KEY, OTHER_ACCOUNT_KEY, FakeMagpipe
from recbrowser.fakeapi.samples import CONVERSATION_CALL, MAIN_CALL, NO_RECORDING_CALL, TRANSFER_CALL, UNKNOWN_CALL
from recbrowser.history import HistoryStore
from recbrowser.models import CallRecordings
from recbrowser.paths import Paths
from tests.cli_helpers import answer_on_a_terminal, child_env

JSON_KEYS = [
    "call_id",
    "first_looked_up_at",
    "last_looked_up_at",
    "lookups",
    "outcome",
    "segments",
    "synced",
    "pending",
    "downloaded",
    # the call's metadata, once get-call (show, the app, the archive) answered for it
    "direction",
    "from_number",
    "to_number",
    "agent_id",
    "agent_name",
    "started_at",
    "ended_at",
    "duration",
    "status",
    "sentiment",
    "call_summary",
    "details_at",
]
COUNT_KEYS = JSON_KEYS[3:9]
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z


@pytest.fixture
def offline_env(monkeypatch: pytest.MonkeyPatch, closed_port: int) -> None:
    """No key, and an API URL nothing listens on: any network use would fail."""
    monkeypatch.setenv("MAGPIPE_API_URL", f"http://127.0.0.1:{closed_port}/functions/v1")
    monkeypatch.delenv("MAGPIPE_API_KEY", raising=False)


def history_db() -> Path:
    return Paths.default().history_db


def seed(*entries: tuple[str, float, list[tuple[str, str]] | None]) -> None:
    """Record lookups at fixed times: (call ID, epoch, [(label, status)...] or None for not_found)."""
    store = HistoryStore(history_db())
    try:
        for call_id, at, segments in entries:
            if segments is None:
                store.record_lookup(call_id, None, NotFound("Call not found."), at=at)
            else:
                body = {
                    "recordings": [
                        {"url": f"https://s.example/{call_id}/{i}.wav", "label": label, "status": status}
                        for i, (label, status) in enumerate(segments, start=1)
                    ]
                }
                store.record_lookup(call_id, CallRecordings.from_api(call_id, body), None, at=at)
    finally:
        store.close()


def history_entries() -> dict[str, dict]:
    store = HistoryStore(history_db())
    try:
        return {e.call_id: e.to_json() for e in store.entries()}
    finally:
        store.close()


# --- lookups and downloads are recorded --------------------------------------------------


def test_cli_lookups_are_recorded_and_listed_as_json_lines(api_env: FakeMagpipe, run) -> None:
    assert run("lookup", MAIN_CALL).code == 0
    assert run("lookup", "--json", NO_RECORDING_CALL).code == 4
    assert run("lookup", TRANSFER_CALL, MAIN_CALL).code == 0
    result = run("history", "--json")
    assert result.code == 0 and result.err == ""
    lines = result.json_lines
    assert all(list(line) == JSON_KEYS for line in lines)
    assert all(ISO_Z.match(line["first_looked_up_at"]) and ISO_Z.match(line["last_looked_up_at"]) for line in lines)
    assert {line["call_id"] for line in lines[:2]} == {TRANSFER_CALL, MAIN_CALL}  # the last command: newest
    assert lines[2]["call_id"] == NO_RECORDING_CALL
    by_id = {line["call_id"]: line for line in lines}
    assert {k: by_id[MAIN_CALL][k] for k in COUNT_KEYS} == {
        "lookups": 2,
        "outcome": "ok",
        "segments": 1,
        "synced": 1,
        "pending": 0,
        "downloaded": 0,
    }
    assert by_id[MAIN_CALL]["first_looked_up_at"] <= by_id[MAIN_CALL]["last_looked_up_at"]
    assert {k: by_id[TRANSFER_CALL][k] for k in COUNT_KEYS} == {
        "lookups": 1,
        "outcome": "ok",
        "segments": 4,
        "synced": 2,
        "pending": 2,
        "downloaded": 0,
    }
    assert {k: by_id[NO_RECORDING_CALL][k] for k in COUNT_KEYS} == {
        "lookups": 1,
        "outcome": "no_recording",
        "segments": None,
        "synced": None,
        "pending": None,
        "downloaded": 0,
    }


def test_cli_downloads_are_recorded_and_counted_in_history_json(api_env: FakeMagpipe, run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("download", "--json", "-o", str(out), MAIN_CALL, TRANSFER_CALL)
    assert result.code == 0, result.err
    files = {(line["call_id"], line["index"]): line for line in result.json_lines}
    assert len(files) == 5 and all(line["status"] == "downloaded" for line in files.values())
    downloaded = {line["call_id"]: line["downloaded"] for line in run("history", "--json").json_lines}
    assert downloaded == {MAIN_CALL: 1, TRANSFER_CALL: 4}
    db = sqlite3.connect(history_db())
    try:
        rows = db.execute("SELECT call_id, segment_index, label, path, bytes, completed_at FROM downloads").fetchall()
    finally:
        db.close()
    assert len(rows) == 5
    for call_id, index, label, path, size, completed_at in rows:
        line = files[(call_id, index)]
        assert (label, path, size) == (line["label"], line["path"], line["bytes"])
        assert Path(path).stat().st_size == size
        assert completed_at <= time.time()


def test_an_error_after_a_success_keeps_the_cached_answer_for_offline_use(
    api_env: FakeMagpipe, run, monkeypatch: pytest.MonkeyPatch, closed_port: int
) -> None:
    online = run("lookup", "--json", MAIN_CALL).json_lines[0]
    monkeypatch.setenv("MAGPIPE_API_KEY", OTHER_ACCOUNT_KEY)  # the call is not_found for this account
    assert run("lookup", MAIN_CALL).code == 4
    (entry,) = run("history", "--json").json_lines
    assert (entry["lookups"], entry["outcome"], entry["segments"], entry["synced"]) == (2, "not_found", 1, 1)
    monkeypatch.setenv("MAGPIPE_API_URL", f"http://127.0.0.1:{closed_port}/functions/v1")
    offline = run("lookup", "--offline", "--json", MAIN_CALL)
    assert offline.code == 0
    (line,) = offline.json_lines
    assert {k: v for k, v in line.items() if k != "cached_at"} == online


# --- history: listing, searching, JSON ---------------------------------------------------


@pytest.fixture
def seeded() -> None:
    seed(
        (MAIN_CALL, T0, [("main", "synced")]),
        (TRANSFER_CALL, T0 + 60, [("main", "synced"), ("transfer_conference", "pending_sync")]),
        (NO_RECORDING_CALL, T0 + 120, None),
        (CONVERSATION_CALL, T0 + 180, [("conversation", "synced")]),
    )


def test_history_json_lines_have_exactly_the_documented_fields_newest_first(seeded, run) -> None:
    result = run("history", "--json")
    assert result.code == 0 and result.err == ""
    assert result.out.splitlines()[0] == json.dumps(
        {
            "call_id": CONVERSATION_CALL,
            "first_looked_up_at": "2026-01-01T00:03:00Z",
            "last_looked_up_at": "2026-01-01T00:03:00Z",
            "lookups": 1,
            "outcome": "ok",
            "segments": 1,
            "synced": 1,
            "pending": 0,
            "downloaded": 0,
            **dict.fromkeys(JSON_KEYS[9:]),  # no details got for it: its metadata is null
        }
    )
    lines = result.json_lines
    assert [line["call_id"] for line in lines] == [CONVERSATION_CALL, NO_RECORDING_CALL, TRANSFER_CALL, MAIN_CALL]
    assert lines[1] == {
        "call_id": NO_RECORDING_CALL,
        "first_looked_up_at": "2026-01-01T00:02:00Z",
        "last_looked_up_at": "2026-01-01T00:02:00Z",
        "lookups": 1,
        "outcome": "not_found",
        "segments": None,
        "synced": None,
        "pending": None,
        "downloaded": 0,
        **dict.fromkeys(JSON_KEYS[9:]),
    }
    assert lines[2]["pending"] == 1


def test_history_table_is_newest_first_with_limit_and_search(seeded, run) -> None:
    table = run("history")
    assert table.code == 0
    header, *rows = table.out.splitlines()
    assert header.split()[:3] == ["Call", "ID", "Last"]
    assert [row.split()[0] for row in rows] == [CONVERSATION_CALL, NO_RECORDING_CALL, TRANSFER_CALL, MAIN_CALL]
    assert "not_found" in rows[1] and "—" in rows[1]

    assert [r.split()[0] for r in run("history", "--limit", "2").out.splitlines()[1:]] == [
        CONVERSATION_CALL,
        NO_RECORDING_CALL,
    ]
    assert [line["call_id"] for line in run("history", "--json", "--search", "Transferred Call").json_lines] == [
        TRANSFER_CALL
    ]
    assert [line["call_id"] for line in run("history", "--json", "--search", "MAIN").json_lines] == [
        TRANSFER_CALL,
        MAIN_CALL,
    ]
    assert [line["call_id"] for line in run("history", "--json", "--search", "7F3D8E").json_lines] == [MAIN_CALL]
    assert [line["call_id"] for line in run("history", "--json", "--search", "main", "--limit", "1").json_lines] == [
        TRANSFER_CALL
    ]
    assert run("history", "--search", "%").out == "No lookups in the history.\n"


def test_empty_history_says_so(run) -> None:
    assert run("history").out == "No lookups in the history.\n"
    assert run("history", "--json").out == ""


@pytest.mark.parametrize("limit", ["0", "-1", "ten"])
def test_history_limit_must_be_a_positive_whole_number(run, limit: str) -> None:
    assert run("history", "--limit", limit).code == 2


# --- forget and clear --------------------------------------------------------------------


def test_forget_removes_only_the_named_calls(seeded, run) -> None:
    result = run("history", "forget", MAIN_CALL, f"https://app.magpipe.ai/calls/{TRANSFER_CALL.upper()}", UNKNOWN_CALL)
    assert result.code == 0
    assert result.out == "Removed 2 of 3 calls from the history.\n"
    assert set(history_entries()) == {NO_RECORDING_CALL, CONVERSATION_CALL}


def test_forget_with_something_that_is_not_a_call_id_exits_2_and_removes_nothing(seeded, run) -> None:
    result = run("history", "forget", MAIN_CALL, "not-a-call")
    assert result.code == 2
    assert len(result.err.splitlines()) == 1 and "not a call ID" in result.err
    assert len(history_entries()) == 4


def test_clear_with_yes_removes_everything(seeded, run) -> None:
    result = run("history", "clear", "--yes")
    assert (result.code, result.out) == (0, "Removed 4 entries from the history.\n")
    assert history_entries() == {}


def test_clear_without_a_terminal_refuses_unless_yes(seeded, run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))  # an answer is there, but no terminal
    result = run("history", "clear")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "--yes" in result.err
    assert len(history_entries()) == 4


def clear_on_a_terminal(tmp_path: Path, answer: str, *, end: bytes = b"\r") -> tuple[int, str]:
    """`recbrowser history clear` in a real process whose stdin/stdout are a pseudo-terminal."""
    return answer_on_a_terminal(["history", "clear"], b"[y/N]", answer, child_env(tmp_path), end=end)


@pytest.mark.parametrize(
    ("answer", "message", "left"),
    [
        ("y", "Removed 4 entries from the history.", 0),
        ("yes", "Removed 4 entries from the history.", 0),
        ("n", "Nothing removed.", 4),
        ("", "Nothing removed.", 4),
    ],
)
def test_clear_on_a_terminal_asks_and_obeys_the_answer(
    seeded, tmp_path: Path, answer: str, message: str, left: int
) -> None:
    code, output = clear_on_a_terminal(tmp_path, answer)
    assert code == 0, output
    assert "Remove all 4 entries from the history? [y/N]" in output
    assert message in output and "Traceback" not in output
    assert len(history_entries()) == left


def test_end_of_input_at_the_clear_prompt_removes_nothing_without_a_traceback(seeded, tmp_path: Path) -> None:
    code, output = clear_on_a_terminal(tmp_path, "", end=b"\x04")  # Ctrl-D
    assert len(history_entries()) == 4
    assert "Traceback" not in output and "EOFError" not in output
    assert code == 0


# --- lookup --offline ---------------------------------------------------------------------


def test_offline_lookup_answers_from_the_cache_without_the_network(
    api_env: FakeMagpipe, run, monkeypatch, closed_port: int
) -> None:
    online = run("lookup", "--json", MAIN_CALL, TRANSFER_CALL).json_lines
    requests = len(api_env.requests["api"])
    monkeypatch.setenv("MAGPIPE_API_URL", f"http://127.0.0.1:{closed_port}/functions/v1")
    monkeypatch.delenv("MAGPIPE_API_KEY")

    result = run("lookup", "--offline", "--json", TRANSFER_CALL, MAIN_CALL)
    assert result.code == 0 and result.err == ""
    lines = result.json_lines
    assert [line["call_id"] for line in lines] == [TRANSFER_CALL, MAIN_CALL]
    for line, expected in zip(lines, [online[1], online[0]], strict=False):
        assert {k: v for k, v in line.items() if k != "cached_at"} == expected
        assert ISO_Z.match(line["cached_at"])
    assert lines[0]["recordings"][2]["status"] == "pending_sync"  # raw values, not friendly ones

    human = run("lookup", "--offline", MAIN_CALL)
    assert human.code == 0
    first_line = human.out.splitlines()[0]
    assert first_line.startswith(MAIN_CALL) and "cached" in first_line
    assert "Main Call" in human.out
    assert len(api_env.requests["api"]) == requests
    assert history_entries()[MAIN_CALL]["lookups"] == 1


def test_offline_lookup_of_a_call_not_in_the_cache_is_not_cached_exit_4(offline_env, run) -> None:
    seed((MAIN_CALL, T0, [("main", "synced")]), (NO_RECORDING_CALL, T0, None))
    result = run("lookup", "--offline", "--json", MAIN_CALL, UNKNOWN_CALL, NO_RECORDING_CALL)
    assert result.code == 4
    lines = result.json_lines
    assert lines[0]["call_id"] == MAIN_CALL and "recordings" in lines[0]
    assert lines[1]["call_id"] == UNKNOWN_CALL and lines[1]["error"]["code"] == "not_cached"
    # A cached "not found" is answered as it was (tests/test_history_offline_outcomes.py has more).
    assert lines[2]["call_id"] == NO_RECORDING_CALL and lines[2]["error"]["code"] == "not_found"

    human = run("lookup", "--offline", UNKNOWN_CALL)
    assert human.code == 4 and human.out == ""
    assert human.err.startswith(f"recbrowser: {UNKNOWN_CALL}: ") and human.err.count("\n") == 1


def test_offline_lookup_of_invalid_ids_still_exits_2(offline_env, run) -> None:
    result = run("lookup", "--offline", "--json", "not-a-call-id")
    assert result.code == 2
    (line,) = result.json_lines
    assert line["error"]["code"] == "invalid_call_id"
    assert run("lookup", "--offline", "7f3d8e00-a1b2-4c3d-9e4f-567890abcde").code == 2


# --- the file: corruption, secrets --------------------------------------------------------


def test_a_corrupt_history_file_is_one_warning_line_then_a_fresh_start(api_env: FakeMagpipe, run) -> None:
    db = history_db()
    db.parent.mkdir(parents=True)
    db.write_bytes(b"\x00garbage, not SQLite\xff" * 300)
    result = run("history")
    assert result.code == 0
    assert result.out == "No lookups in the history.\n"
    (warning,) = result.err.splitlines()
    assert warning.startswith("recbrowser: warning: ") and "moved it to" in warning
    assert len(list(db.parent.glob("history.sqlite3.corrupt-*"))) == 1

    looked_up = run("lookup", MAIN_CALL)
    assert (looked_up.code, looked_up.err) == (0, "")
    assert list(history_entries()) == [MAIN_CALL]


def test_the_api_key_never_reaches_the_history_files(api_env: FakeMagpipe, run, tmp_path: Path) -> None:
    data_dir = history_db().parent
    assert run("lookup", MAIN_CALL).code == 0
    keep_open = sqlite3.connect(history_db())  # another reader keeps the -wal from being folded in and removed
    try:
        keep_open.execute("SELECT COUNT(*) FROM calls").fetchone()
        assert run("lookup", "--json", TRANSFER_CALL, NO_RECORDING_CALL).code == 4
        assert run("download", "-o", str(tmp_path / "out"), MAIN_CALL).code == 0
        assert run("lookup", "--offline", MAIN_CALL).code == 0
        assert run("history", "--json").code == 0
        files = [p for p in data_dir.rglob("*") if p.is_file()]
        assert {p.name for p in files} >= {"history.sqlite3", "history.sqlite3-wal"}
        everything = b"".join(p.read_bytes() for p in files)
    finally:
        keep_open.close()
    assert TRANSFER_CALL.encode() in everything  # what was read does hold the history
    for secret in (DEMO_KEY, DEMO_KEY[4:], DEMO_KEY[4:24], f"Bearer {DEMO_KEY}"):
        assert secret.encode() not in everything
        assert secret.encode("utf-16-le") not in everything
