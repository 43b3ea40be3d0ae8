"""Each call's metadata in the history: recorded by `show` and the archive, searched by number,
agent and summary words, listed by `history`, and shown offline by `show` from the cache.

Real history files under the per-test data dir, the shipped fake over loopback; "offline" is
the API URL on a loopback port nothing listens on.
"""

from __future__ import annotations

import json
import re
import sqlite3
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recbrowser.calls import CallDetails
from recbrowser.fakeapi import DEMO_KEY
from recbrowser.fakeapi.samples import (
    MAIN_CALL,
    MARKUP_CALL,
    NO_RECORDING_CALL,
    NULLS_CALL,
    TRANSFER_CALL,
    UNKNOWN_CALL,
)
from recbrowser.history import HistoryStore
from recbrowser.historymeta import CUT_NOTE, MAX_TRANSCRIPT_CHARS
from recbrowser.paths import Paths

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def store() -> HistoryStore:
    return HistoryStore(Paths.default().history_db)


def details(call_id: str = MAIN_CALL, **fields: object) -> CallDetails:
    body: dict[str, object] = {
        "id": call_id,
        "direction": "inbound",
        "from_number": "+14155550123",
        "to_number": "+14155550100",
        "agent_id": "agent-1",
        "agent_name": "Front Desk",
        "call_summary": "Caller booked a table for four.",
        "transcript": "Agent: Hello\nCaller: Hi",
    }
    body.update(fields)
    return CallDetails.from_api(body)


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, closed_port: int) -> None:
    """The API URL on a port nothing listens on, with the demo key."""
    monkeypatch.setenv("MAGPIPE_API_URL", f"http://127.0.0.1:{closed_port}")
    monkeypatch.setenv("MAGPIPE_API_KEY", "mgp_" + "0" * 40)


# --- recorded as get-call answers ---------------------------------------------------------


def test_show_records_the_calls_metadata_and_history_json_lists_it(run, api_env) -> None:
    sample = api_env.calls[MAIN_CALL]
    assert run("show", MAIN_CALL).code == 0
    (line,) = run("history", "--json").json_lines
    assert line["call_id"] == MAIN_CALL and line["outcome"] == "ok" and line["segments"] == len(sample.recordings)
    assert {k: line[k] for k in ("direction", "from_number", "to_number", "agent_id", "agent_name")} == {
        "direction": sample.direction,
        "from_number": sample.from_number,
        "to_number": sample.to_number,
        "agent_id": sample.agent_id,
        "agent_name": sample.agent_name,
    }
    assert (line["started_at"], line["ended_at"], line["duration"]) == (
        sample.started_at,
        sample.ended_at,
        sample.duration,
    )
    assert type(line["duration"]) is type(sample.duration)  # whole seconds stay an integer
    assert (line["status"], line["sentiment"], line["call_summary"]) == (
        sample.status,
        sample.sentiment,
        sample.call_summary,
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", line["details_at"])
    history = store()
    try:
        assert history.cached_details(MAIN_CALL).details.transcript == sample.transcript
    finally:
        history.close()


def test_the_api_key_is_never_stored(run, api_env) -> None:
    assert run("show", MAIN_CALL, TRANSFER_CALL).code == 0
    db = Paths.default().history_db
    stored = b"".join(path.read_bytes() for path in db.parent.iterdir() if path.name.startswith(db.name))
    assert MAIN_CALL.encode() in stored and DEMO_KEY.encode() not in stored


def test_the_archive_records_metadata_from_list_calls_and_transcripts_from_get_call(run, api_env, tmp_path) -> None:
    assert run("download", "--since", "2026-01-01", "-o", str(tmp_path / "a")).code == 0
    history = store()
    try:
        entry = history.get(MAIN_CALL)
        assert entry.meta.agent_name == api_env.calls[MAIN_CALL].agent_name
        assert history.cached_details(MAIN_CALL).details.transcript is None  # list-calls has none
        assert history.get(NO_RECORDING_CALL).meta.from_number == api_env.calls[NO_RECORDING_CALL].from_number
    finally:
        history.close()
    assert run("download", "--since", "2026-01-01", "--transcripts", "-o", str(tmp_path / "b")).code == 0
    history = store()
    try:
        assert history.cached_details(MAIN_CALL).details.transcript == api_env.calls[MAIN_CALL].transcript
    finally:
        history.close()
    assert run("download", "--since", "2026-01-01", "-o", str(tmp_path / "c")).code == 0
    history = store()
    try:  # list-calls' metadata again never throws away the transcript got before
        assert history.cached_details(MAIN_CALL).details.transcript == api_env.calls[MAIN_CALL].transcript
    finally:
        history.close()


def test_forget_and_clear_remove_the_stored_details_too(run, api_env) -> None:
    assert run("show", MAIN_CALL, TRANSFER_CALL).code == 0
    assert run("history", "forget", MAIN_CALL).code == 0
    with sqlite3.connect(Paths.default().history_db) as db:
        assert [row[0] for row in db.execute("SELECT call_id FROM call_details")] == [TRANSFER_CALL]
    assert run("history", "clear", "--yes").code == 0
    with sqlite3.connect(Paths.default().history_db) as db:
        assert db.execute("SELECT COUNT(*) FROM call_details").fetchone()[0] == 0


# --- search ------------------------------------------------------------------------------


@pytest.fixture
def seeded() -> None:
    history = store()
    try:
        for n, (call_id, number, agent, summary) in enumerate(
            [
                (MAIN_CALL, "+14155550123", "Front Desk", "Caller booked a table for four."),
                (TRANSFER_CALL, "+442079460958", "Billing Assistant", "Refund approved after a transfer."),
            ]
        ):
            history.record_lookup(call_id, None, None, at=T0 + n)
            got = details(call_id, from_number=number, to_number="+18005550100", agent_name=agent, call_summary=summary)
            history.record_details(call_id, got, at=T0 + n)
        history.record_lookup(NULLS_CALL, None, None, at=T0 + 2)
        history.record_details(NULLS_CALL, CallDetails.from_api({"id": NULLS_CALL}), at=T0 + 2)
    finally:
        history.close()


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("+14155550123", [MAIN_CALL]),
        ("14155550123", [MAIN_CALL]),
        ("415-555-0123", [MAIN_CALL]),
        ("+44 20 7946 0958", [TRANSFER_CALL]),
        ("(415) 555", [MAIN_CALL]),
        ("front desk", [MAIN_CALL]),
        ("BILLING", [TRANSFER_CALL]),
        ("refund", [TRANSFER_CALL]),
        ("table for four", [MAIN_CALL]),
        ("+1415555", [MAIN_CALL]),
        ("%", []),
        ("99999", []),
    ],
)
def test_history_search_matches_numbers_agents_and_summary_words(seeded, run, search: str, found: list[str]) -> None:
    result = run("history", "--json", "--search", search)
    assert result.code == 0
    assert [line["call_id"] for line in result.json_lines] == found


def test_the_history_table_shows_the_other_partys_number_and_the_agent(seeded, run) -> None:
    lines = run("history").out.splitlines()
    assert lines[0].split()[:5] == ["Call", "ID", "Last", "lookup", "Number"]
    by_id = {line.split()[0]: line for line in lines[1:]}
    assert "+442079460958" in by_id[TRANSFER_CALL] and "Billing Assistant" in by_id[TRANSFER_CALL]
    assert by_id[NULLS_CALL].split()[2:5] == ["—", "—", "1"]


phone_digits = st.text(alphabet="0123456789", min_size=7, max_size=15)
separators = st.lists(st.sampled_from(["", " ", "-", ".", " - "]), min_size=15, max_size=15)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(digits=phone_digits, cuts=separators, start=st.integers(0, 3), plus=st.booleans())
def test_a_stored_number_is_found_by_any_part_of_it_typed_with_separators(
    tmp_path_factory, digits: str, cuts: list[str], start: int, plus: bool
) -> None:
    history = HistoryStore(tmp_path_factory.mktemp("h") / "history.sqlite3")
    try:
        history.record_details(MAIN_CALL, details(from_number="+" + digits))
        part = digits[start:]
        typed = ("+" if plus and start == 0 else "") + "".join(d + cut for d, cut in zip(part, cuts, strict=False))
        assert [e.call_id for e in history.entries(search=typed.strip())] == [MAIN_CALL]
    finally:
        history.close()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(search=st.text(max_size=40))
def test_any_search_text_answers_without_raising_or_warning(tmp_path_factory, search: str) -> None:
    history = HistoryStore(tmp_path_factory.mktemp("h") / "history.sqlite3")
    try:
        history.record_details(MAIN_CALL, details())
        found = history.entries(search=search)
        assert [e.call_id for e in found] in ([], [MAIN_CALL])
        assert history.warnings == []
    finally:
        history.close()


# --- odd data ----------------------------------------------------------------------------


def test_nulls_markup_control_characters_and_a_huge_transcript_are_stored_and_shown_safely(run) -> None:
    huge = "Caller: " + "blah " * (MAX_TRANSCRIPT_CHARS // 4)
    odd = details(
        MARKUP_CALL,
        agent_name="[red]Eve[/red]\x1b[31m\u202e",
        from_number="+1\x07555",
        call_summary="[b]bold[/b] \x1b]52;c;ZXZpbA==\x07 summary",
        transcript=huge,
        direction=None,
        sentiment=None,
    )
    history = store()
    try:
        assert history.record_details(MARKUP_CALL, odd)
        assert history.record_details(NULLS_CALL, CallDetails.from_api({"id": NULLS_CALL}))
        cached = history.cached_details(MARKUP_CALL).details
        assert cached.transcript.endswith(CUT_NOTE) and len(cached.transcript) == MAX_TRANSCRIPT_CHARS + len(CUT_NOTE)
        assert cached.agent_name == odd.agent_name  # stored as sent; made printable when shown
        assert history.get(NULLS_CALL).meta.agent_name is None
        assert [e.call_id for e in history.entries(search="[red]eve")] == [MARKUP_CALL]
    finally:
        history.close()
    with sqlite3.connect(Paths.default().history_db) as db:
        (size,) = db.execute("SELECT length(details) FROM call_details WHERE call_id = ?", (MARKUP_CALL,)).fetchone()
    assert size < MAX_TRANSCRIPT_CHARS + 10_000
    result = run("history")
    assert result.code == 0 and "\x1b" not in result.out and "\x07" not in result.out and "\u202e" not in result.out
    assert "[red]Eve[/red]" in result.out
    for line in run("history", "--json").json_lines:  # JSON keeps the server's text, escaped by JSON
        json.dumps(line)


def test_details_stored_before_the_lookups_record_do_not_count_a_lookup() -> None:
    """The app stores a lookup once its answer is shown, so get-call's details often come first."""
    from recbrowser.models import CallRecordings

    answer = {"call_id": MAIN_CALL, "recordings": [{"url": "https://s.example/1.wav", "label": "main"}]}
    history = store()
    try:
        assert history.record_details(MAIN_CALL, details(), at=T0)
        assert history.record_lookup(MAIN_CALL, CallRecordings.from_api(MAIN_CALL, answer), None, at=T0 + 1)
        entry = history.get(MAIN_CALL)
        assert (entry.lookups, entry.outcome, entry.segments) == (1, "ok", 1)
        assert history.record_lookup(MAIN_CALL, CallRecordings.from_api(MAIN_CALL, answer), None, at=T0 + 2)
        assert history.get(MAIN_CALL).lookups == 2
    finally:
        history.close()


@pytest.mark.parametrize(
    "blob",
    [b"not zlib", zlib.compress(b"{not json"), zlib.compress(b"[1, 2]"), zlib.compress(b"{" + b" " * (8 << 20) + b"}")],
    ids=["garbage", "not-json", "not-an-object", "inflates-too-far"],
)
def test_damaged_stored_details_are_no_details_not_a_failure(blob: bytes) -> None:
    history = store()
    try:
        history.record_details(MAIN_CALL, details())
        with sqlite3.connect(Paths.default().history_db) as db:
            db.execute("UPDATE call_details SET details = ?", (blob,))
        assert history.cached_details(MAIN_CALL) is None
        assert history.get(MAIN_CALL).meta.agent_name == "Front Desk" and history.warnings == []
    finally:
        history.close()


# --- offline: show falls back on the cache --------------------------------------------------


def test_show_offline_prints_the_cached_details_marked_cached(run, api_env, monkeypatch, closed_port) -> None:
    assert run("show", MAIN_CALL).code == 0
    online = run("show", MAIN_CALL).out.splitlines()
    monkeypatch.setenv("MAGPIPE_API_URL", f"http://127.0.0.1:{closed_port}")
    result = run("show", MAIN_CALL)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == f"Call {MAIN_CALL}  (cached just now)"
    assert lines[1:16] == online[1:16]  # the same details and transcript
    assert lines[17].startswith(f"{MAIN_CALL}  (") and lines[17].endswith("cached just now)")
    assert len(result.err_lines) == 1 and result.err_lines[0].startswith(f"recbrowser: {MAIN_CALL}: Could not reach")
    assert result.err_lines[0].endswith("Showing the history's copy.")
    (obj,) = run("show", "--json", MAIN_CALL).json_lines
    assert obj["transcript"] == api_env.calls[MAIN_CALL].transcript
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", obj["cached_at"]) and obj["recordings_cached_at"]


def test_show_offline_without_a_cached_copy_fails_in_one_line(run, offline) -> None:
    result = run("show", MAIN_CALL)
    assert result.code == 5
    assert len(result.err_lines) == 1 and "Could not reach the Magpipe API" in result.err_lines[0]
    assert result.out == ""


def test_show_after_server_errors_falls_back_on_the_cache(run, api_env) -> None:
    assert run("show", MAIN_CALL).code == 0
    api_env.faults.get_call_error = 100  # every try of get-call; the lookup is unaffected
    result = run("show", MAIN_CALL)
    assert result.code == 0
    assert result.out.splitlines()[0] == f"Call {MAIN_CALL}  (cached just now)"
    assert "(cached" not in result.out.splitlines()[17]  # the segments are fresh


def test_a_not_found_call_is_never_answered_from_the_cache(run, api_env) -> None:
    history = store()
    try:
        history.record_details(UNKNOWN_CALL, details(UNKNOWN_CALL))
    finally:
        history.close()
    result = run("show", UNKNOWN_CALL)
    assert result.code == 4 and result.out == ""
    assert result.err_lines == [
        f"recbrowser: {UNKNOWN_CALL}: Call not found (unknown ID, or a call of another account)."
    ]
