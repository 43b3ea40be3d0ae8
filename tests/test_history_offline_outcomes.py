"""`lookup --offline` answers every cached outcome as it was, and a failed or malformed lookup
never replaces a good cached answer. Lookups go to the fake API over loopback (in-process
through cli.main); the offline runs point at a port nothing listens on, with no key.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest

from recbrowser.errors import NoRecording, ServerError
from recbrowser.fakeapi import FakeMagpipe
from recbrowser.fakeapi.samples import MAIN_CALL, NO_RECORDING_CALL, UNKNOWN_CALL
from recbrowser.history import HistoryStore
from recbrowser.models import CallRecordings
from recbrowser.paths import Paths
from tests.loopback import free_port

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z


@pytest.fixture
def go_offline(monkeypatch: pytest.MonkeyPatch):
    """Call to cut the network: no key, and an API URL nothing listens on."""

    def cut() -> None:
        monkeypatch.setenv("MAGPIPE_API_URL", f"http://127.0.0.1:{free_port()}/functions/v1")
        monkeypatch.delenv("MAGPIPE_API_KEY", raising=False)

    return cut


def test_failed_and_malformed_lookups_are_the_last_outcome_but_offline_keeps_the_good_answer(
    api_env: FakeMagpipe, run, go_offline
) -> None:
    online = run("lookup", "--json", MAIN_CALL).json_lines[0]
    first = run("history", "--json").json_lines[0]["last_looked_up_at"]
    api_env.faults.fail_500 = 10
    assert run("lookup", MAIN_CALL).code == 5
    api_env.faults.fail_500 = 0
    api_env.faults.bad_json = 10  # 200 with an HTML body: a malformed answer
    failed = run("lookup", "--json", MAIN_CALL)
    assert failed.code == 5 and failed.json_lines[0]["error"]["code"] == "bad_response"
    (entry,) = run("history", "--json").json_lines
    assert (entry["lookups"], entry["outcome"], entry["segments"], entry["synced"]) == (3, "bad_response", 1, 1)

    go_offline()
    offline = run("lookup", "--offline", "--json", MAIN_CALL)
    assert offline.code == 0
    (line,) = offline.json_lines
    assert {k: v for k, v in line.items() if k != "cached_at"} == online
    assert line["cached_at"] == first  # when the good answer came, not the failures


@pytest.mark.parametrize(
    ("call_id", "code", "message"),
    [
        (NO_RECORDING_CALL, "no_recording", "No recording available for this call."),
        (UNKNOWN_CALL, "not_found", "Call not found (unknown ID, or a call of another account)."),
    ],
)
def test_offline_answers_a_cached_no_recording_or_not_found_as_it_was(
    api_env: FakeMagpipe, run, go_offline, call_id: str, code: str, message: str
) -> None:
    online = run("lookup", "--json", call_id)
    assert online.code == 4
    (said,) = online.json_lines
    assert said == {"call_id": call_id, "error": {"code": code, "message": message}}
    looked_up_at = run("history", "--json").json_lines[0]["last_looked_up_at"]

    go_offline()
    offline = run("lookup", "--offline", "--json", call_id)
    assert offline.code == 4 and offline.err == ""
    (line,) = offline.json_lines
    assert line == {**said, "cached_at": looked_up_at}
    assert ISO_Z.match(line["cached_at"])

    human = run("lookup", "--offline", call_id)
    assert (human.code, human.out) == (4, "")
    assert human.err == f"recbrowser: {call_id}: {message} (cached just now)\n"


def test_a_lookup_that_only_ever_failed_is_not_cached_and_says_how_it_failed(
    api_env: FakeMagpipe, run, go_offline
) -> None:
    api_env.faults.fail_500 = 10
    assert run("lookup", MAIN_CALL).code == 5
    go_offline()
    offline = run("lookup", "--offline", "--json", MAIN_CALL)
    assert offline.code == 4
    (line,) = offline.json_lines
    assert line["error"]["code"] == "not_cached" and "server_error" in line["error"]["message"]
    assert "cached_at" not in line


def test_the_newest_answer_wins_but_a_later_no_recording_keeps_the_good_answer(run, go_offline) -> None:
    """At the store: ok replaces no_recording; no_recording after ok is the last outcome only."""
    go_offline()
    good = CallRecordings.from_api(
        MAIN_CALL, {"recordings": [{"url": "https://s.example/a.wav", "label": "main", "status": "synced"}]}
    )
    store = HistoryStore(Paths.default().history_db)
    try:
        store.record_lookup(MAIN_CALL, None, NoRecording("No recording available for this call."), at=T0)
        store.record_lookup(MAIN_CALL, good, None, at=T0 + 60)
        store.record_lookup(MAIN_CALL, None, NoRecording("No recording available for this call."), at=T0 + 120)
        store.record_lookup(MAIN_CALL, None, ServerError("Magpipe had a server error (500)."), at=T0 + 180)
        assert store.get(MAIN_CALL).outcome == "server_error"
    finally:
        store.close()
    (line,) = run("lookup", "--offline", "--json", MAIN_CALL).json_lines
    assert line["recordings"] == good.to_api_dict()["recordings"]
    assert line["cached_at"] == datetime.fromtimestamp(T0 + 60, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_an_answer_given_with_an_error_is_never_stored_as_the_good_answer(run, go_offline) -> None:
    """record_lookup(recordings, error): the error is the outcome and the answer is not cached."""
    go_offline()
    good = CallRecordings.from_api(MAIN_CALL, {"recordings": [{"url": "https://s.example/a.wav", "label": "main"}]})
    odd = CallRecordings.from_api(MAIN_CALL, {"recordings": []})
    store = HistoryStore(Paths.default().history_db)
    try:
        store.record_lookup(MAIN_CALL, good, None, at=T0)
        store.record_lookup(MAIN_CALL, odd, ServerError("half an answer"), at=T0 + 60)
        entry = store.get(MAIN_CALL)
        assert (entry.outcome, entry.segments) == ("server_error", 1)
        assert store.cached(MAIN_CALL).recordings == good
    finally:
        store.close()
    assert (
        json.loads(run("lookup", "--offline", "--json", MAIN_CALL).out)["recordings"][0]["url"]
        == "https://s.example/a.wav"
    )
