"""A call's recordings in one word, from counts, from an app state and from the history."""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import given
from hypothesis import strategies as st

from recbrowser.callstate import CallState
from recbrowser.errors import NoRecording, NotFound
from recbrowser.history import HistoryEntry
from recbrowser.recorded import Recorded, recorded, recorded_of_entry, recorded_of_state

T = datetime(2026, 11, 30, tzinfo=timezone.utc)


def entry(outcome: str, segments: int | None = None, synced: int | None = None, pending: int | None = None):
    return HistoryEntry("c", T, T, 1, outcome, segments, synced, pending, 0)


@given(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**6))
def test_pending_wins_then_all_synced_then_no_segments_then_other(synced: int, pending: int, other: int) -> None:
    segments = synced + pending + other
    word = recorded(segments, synced, pending)
    if pending:
        assert word is Recorded.PENDING
    elif segments == 0:
        assert word is Recorded.NONE
    elif other:
        assert word is Recorded.OTHER  # a status recbrowser does not know is never called synced
    else:
        assert word is Recorded.SYNCED


def test_the_history_tells_answers_and_no_recording_but_not_failures() -> None:
    assert recorded_of_entry(entry("ok", 4, 2, 2)) is Recorded.PENDING
    assert recorded_of_entry(entry("ok", 1, 1, 0)) is Recorded.SYNCED
    assert recorded_of_entry(entry("no_recording")) is Recorded.NONE
    for failure in ("network_error", "not_found", "unauthorized", "something new"):
        assert recorded_of_entry(entry(failure)) is None
    assert recorded_of_entry(entry("ok")) is None  # an answer whose counts were not kept


def test_an_app_state_tells_once_answered() -> None:
    assert recorded_of_state(CallState("c", loading=True)) is None
    assert recorded_of_state(CallState("c", error=NoRecording("none"))) is Recorded.NONE
    assert recorded_of_state(CallState("c", error=NotFound("gone"))) is None


def test_the_history_is_asked_once_for_many_calls_and_leaves_out_unknown_ones(tmp_path) -> None:
    from recbrowser.errors import NoRecording as NoRecordingError
    from recbrowser.history import HistoryStore
    from recbrowser.models import CallRecordings
    from recbrowser.recorded import recorded_in_history

    history = HistoryStore(tmp_path / "history.sqlite3")
    try:
        answer = {
            "call_id": "a",
            "recordings": [{"url": "https://s.example/1.wav", "label": "main", "status": "synced"}],
        }
        assert history.record_lookup("a", CallRecordings.from_api("a", answer), None)
        assert history.record_lookup("b", None, NoRecordingError("none"))
        assert history.record_lookup("c", None, NotFound("gone"))
        asked = [f"unknown-{n}" for n in range(1200)] + ["c", "b", "a", "a"]  # past one query's 500 parameters
        assert recorded_in_history(history, asked) == {"a": Recorded.SYNCED, "b": Recorded.NONE}
    finally:
        history.close()
