"""The lookup history store: recording, caching, searching, migrating, recovering, sharing a file.

Real SQLite files under the per-test data dir; lookups and downloads go through the real
lookup/download code against the fake Magpipe API over loopback.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import time
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from recbrowser.calls import CallDetails
from recbrowser.downloads import DONE, plan_items, run_downloads
from recbrowser.errors import NotFound, ServerError
from recbrowser.fakeapi.samples import MAIN_CALL, NO_RECORDING_CALL, OTHER_CALL, PENDING_CALL, TRANSFER_CALL
from recbrowser.history import HistoryStore
from recbrowser.lookups import lookup_many, lookup_one
from recbrowser.migrations import SCHEMA_VERSION
from recbrowser.models import CallRecordings
from recbrowser.paths import Paths

REPO_ROOT = Path(__file__).resolve().parents[1]


T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def recordings(call_id: str, *labels_and_statuses: tuple[str | None, str]) -> CallRecordings:
    """A parsed API answer with one segment per (label, status)."""
    return CallRecordings.from_api(
        call_id,
        {
            "recordings": [
                {
                    "url": f"https://storage.example/{call_id}/{i}.wav",
                    "label": label,
                    "status": status,
                    "duration_seconds": 10,
                }
                for i, (label, status) in enumerate(labels_and_statuses, start=1)
            ]
        },
    )


def fake_id(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-{n:012x}"


@pytest.fixture
def db_path() -> Path:
    return Paths.default().history_db


@pytest.fixture
def store(db_path: Path):
    history = HistoryStore(db_path)
    yield history
    history.close()


@contextmanager
def raw(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain SQLite connection to the file, closed afterwards."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        yield db
    finally:
        db.close()


# --- recording lookups as they happen ---------------------------------------------------


async def test_each_lookup_is_recorded_with_times_count_outcome_counts_and_answer(fake, make_client, store) -> None:
    client = make_client()
    first = await lookup_one(client, TRANSFER_CALL, store)
    entry = store.get(TRANSFER_CALL)
    assert (entry.lookups, entry.outcome, entry.segments, entry.synced, entry.pending, entry.downloaded) == (
        1,
        "ok",
        4,
        2,
        2,
        0,
    )
    assert entry.first_looked_up_at == entry.last_looked_up_at
    assert entry.first_looked_up_at.tzinfo is not None

    await lookup_one(client, TRANSFER_CALL, store)
    again = store.get(TRANSFER_CALL)
    assert again.lookups == 2
    assert again.first_looked_up_at == entry.first_looked_up_at
    assert again.last_looked_up_at >= entry.last_looked_up_at
    cached = store.cached(TRANSFER_CALL)
    assert [s.label for s in cached.recordings.segments] == [s.label for s in first.recordings.segments]
    assert cached.recordings.segments[0].url == first.recordings.segments[0].url


async def test_api_errors_are_recorded_by_their_code_without_an_answer(fake, make_client, store) -> None:
    client = make_client()
    results = [r async for r in lookup_many(client, [NO_RECORDING_CALL, OTHER_CALL, MAIN_CALL], history=store)]
    assert [r.error is None for r in results] == [False, False, True]
    no_recording, other, main = (store.get(c) for c in (NO_RECORDING_CALL, OTHER_CALL, MAIN_CALL))
    assert (no_recording.outcome, no_recording.segments, no_recording.synced, no_recording.pending) == (
        "no_recording",
        None,
        None,
        None,
    )
    assert other.outcome == "not_found" and store.cached(OTHER_CALL) is None
    assert (main.outcome, main.segments, main.synced, main.pending) == ("ok", 1, 1, 0)
    assert store.count() == 3


def test_an_error_after_a_success_keeps_the_cached_answer(store) -> None:
    answer = recordings(MAIN_CALL, ("main", "synced"), ("transfer_conference", "pending_sync"))
    store.record_lookup(MAIN_CALL, answer, None, at=T0)
    store.record_lookup(MAIN_CALL, None, ServerError("Magpipe had a server error (500)."), at=T0 + 60)
    entry = store.get(MAIN_CALL)
    assert (entry.lookups, entry.outcome) == (2, "server_error")
    assert (entry.segments, entry.synced, entry.pending) == (2, 1, 1)
    assert entry.last_looked_up_at == datetime.fromtimestamp(T0 + 60, timezone.utc)
    cached = store.cached(MAIN_CALL)
    assert cached.recordings == answer
    assert cached.fetched_at == datetime.fromtimestamp(T0, timezone.utc)


def test_a_later_success_replaces_the_cached_answer_and_counts(store) -> None:
    store.record_lookup(PENDING_CALL, recordings(PENDING_CALL, ("reconnect_to_agent", "pending_sync")), None, at=T0)
    synced = recordings(PENDING_CALL, ("reconnect_to_agent", "synced"))
    store.record_lookup(PENDING_CALL, synced, None, at=T0 + 5)
    entry = store.get(PENDING_CALL)
    assert (entry.synced, entry.pending, entry.lookups) == (1, 0, 2)
    assert store.cached(PENDING_CALL).recordings == synced


async def test_downloads_are_recorded_with_segment_label_path_bytes_and_time(
    fake, make_client, store, tmp_path: Path
) -> None:
    client = make_client()
    found = [r.recordings async for r in lookup_many(client, [MAIN_CALL], history=store)]
    items = plan_items(found, tmp_path / "out")
    before = time.time()
    finished = [item async for item in run_downloads(items, client=client, history=store)]
    after = time.time()
    assert [item.state for item in finished] == [DONE]
    path = finished[0].path
    assert store.downloads(MAIN_CALL) == {1: str(path)}
    assert store.get(MAIN_CALL).downloaded == 1
    with raw(store.path) as db:
        row = db.execute("SELECT call_id, segment_index, label, path, bytes, completed_at FROM downloads").fetchone()
    assert row[:5] == (MAIN_CALL, 1, "main", str(path), path.stat().st_size)
    assert before <= row[5] <= after


def test_downloaded_counts_distinct_segments_and_forget_removes_them(store, tmp_path: Path) -> None:
    store.record_lookup(TRANSFER_CALL, recordings(TRANSFER_CALL, ("main", "synced"), ("back_to_agent", "synced")), None)
    store.record_download(TRANSFER_CALL, 1, "main", tmp_path / "a.wav", 10)
    store.record_download(TRANSFER_CALL, 1, "main", tmp_path / "copy" / "a.wav", 10)
    store.record_download(TRANSFER_CALL, 2, "back_to_agent", tmp_path / "b.wav", 20)
    assert store.get(TRANSFER_CALL).downloaded == 2
    assert store.forget([TRANSFER_CALL, MAIN_CALL]) == 1
    assert store.get(TRANSFER_CALL) is None and store.downloads(TRANSFER_CALL) == {}


def test_clear_removes_every_entry_and_download(store, tmp_path: Path) -> None:
    for n in range(3):
        store.record_lookup(fake_id(n), None, None)
    store.record_download(fake_id(0), 1, None, tmp_path / "x.wav", 1)
    assert store.clear() == 3
    assert store.entries() == [] and store.count() == 0 and store.downloads(fake_id(0)) == {}


# --- persistence, ordering, searching --------------------------------------------------


def test_a_new_store_on_the_same_file_sees_earlier_entries(db_path: Path) -> None:
    first = HistoryStore(db_path)
    first.record_lookup(MAIN_CALL, recordings(MAIN_CALL, ("main", "synced")), None, at=T0)
    first.close()
    second = HistoryStore(db_path)
    try:
        assert [e.call_id for e in second.entries()] == [MAIN_CALL]
        assert second.cached(MAIN_CALL).recordings.segments[0].label == "main"
        assert second.warnings == []
    finally:
        second.close()


def test_entries_are_newest_first_and_limited(store) -> None:
    for n, at in enumerate([T0 + 30, T0 + 10, T0 + 20, T0 + 40]):
        store.record_lookup(fake_id(n), None, None, at=at)
    store.record_lookup(fake_id(1), None, None, at=T0 + 50)  # looked up again: newest now
    assert [e.call_id for e in store.entries()] == [fake_id(1), fake_id(3), fake_id(0), fake_id(2)]
    assert [e.call_id for e in store.entries(limit=2)] == [fake_id(1), fake_id(3)]


@pytest.fixture
def labelled(store) -> HistoryStore:
    store.record_lookup(MAIN_CALL, recordings(MAIN_CALL, ("main", "synced")), None, at=T0 + 1)
    store.record_lookup(
        TRANSFER_CALL,
        recordings(
            TRANSFER_CALL,
            ("main", "synced"),
            ("transfer_conference", "pending_sync"),
            ("back_to_agent", "pending_sync"),
        ),
        None,
        at=T0 + 2,
    )
    store.record_lookup(
        PENDING_CALL, recordings(PENDING_CALL, ("50%off", "synced"), ("axb", "synced")), None, at=T0 + 3
    )
    store.record_lookup(NO_RECORDING_CALL, None, NotFound("Call not found."), at=T0 + 4)
    return store


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("2A6C1F4E", [TRANSFER_CALL]),
        ("567890ABCDEF", [MAIN_CALL]),
        ("-4c3d-", [MAIN_CALL]),
        ("transfer_conference", [TRANSFER_CALL]),
        ("Transferred Call", [TRANSFER_CALL]),
        ("  transferred  ", [TRANSFER_CALL]),
        ("BACK TO AGENT", [TRANSFER_CALL]),
        ("main call", [TRANSFER_CALL, MAIN_CALL]),
        ("", [NO_RECORDING_CALL, PENDING_CALL, TRANSFER_CALL, MAIN_CALL]),
        ("nothing like this", []),
    ],
)
def test_search_matches_ids_and_raw_or_friendly_labels_in_any_case(
    labelled: HistoryStore, search: str, expected: list[str]
) -> None:
    assert [e.call_id for e in labelled.entries(search=search)] == expected


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("%", [PENDING_CALL]),  # only the label that holds a literal percent sign
        ("50%", [PENDING_CALL]),
        ("a%b", []),  # would match "axb" if % were a wildcard
        ("a_b", []),  # would match "axb" if _ were a wildcard
        ("_", [TRANSFER_CALL]),  # back_to_agent, transfer_conference; not "main"
        ("\\", []),
    ],
)
def test_like_wildcards_in_the_search_text_are_literal(
    labelled: HistoryStore, search: str, expected: list[str]
) -> None:
    assert [e.call_id for e in labelled.entries(search=search)] == expected


def test_search_results_are_newest_first_and_limited(labelled: HistoryStore) -> None:
    assert [e.call_id for e in labelled.entries(search="main", limit=1)] == [TRANSFER_CALL]


# --- the file: WAL, privacy -------------------------------------------------------------


def test_the_file_is_in_wal_mode_private_and_in_a_private_directory(store, db_path: Path) -> None:
    store.record_lookup(MAIN_CALL, recordings(MAIN_CALL, ("main", "synced")), None)
    with raw(db_path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    mode = lambda p: stat.S_IMODE(os.stat(p).st_mode)  # noqa: E731
    assert mode(db_path.parent) == 0o700
    assert mode(db_path) == 0o600
    for suffix in ("-wal", "-shm"):
        extra = db_path.with_name(db_path.name + suffix)
        assert extra.exists(), f"{extra.name} should exist while the store is open"
        assert mode(extra) == 0o600


def test_an_existing_world_readable_file_is_made_private(db_path: Path) -> None:
    HistoryStore(db_path).close()
    os.chmod(db_path, 0o644)
    store = HistoryStore(db_path)
    try:
        assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    finally:
        store.close()


def test_an_existing_open_data_directory_is_made_private(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True, mode=0o755)
    os.chmod(db_path.parent, 0o755)
    store = HistoryStore(db_path)
    try:
        assert stat.S_IMODE(os.stat(db_path.parent).st_mode) == 0o700
    finally:
        store.close()


# --- migrations, newer versions, corruption ---------------------------------------------


# The schemas earlier recbrowsers wrote, frozen here as they were shipped: a file made by any
# of them must open with its rows intact, whatever the migrations become.
VERSION_1_SQL = """
CREATE TABLE calls (
    call_id TEXT PRIMARY KEY,
    first_looked_up_at REAL NOT NULL,
    last_looked_up_at REAL NOT NULL,
    lookups INTEGER NOT NULL DEFAULT 0,
    outcome TEXT NOT NULL,
    segments INTEGER,
    synced INTEGER,
    pending INTEGER,
    response TEXT,
    response_at REAL
);
CREATE INDEX calls_by_last_lookup ON calls (last_looked_up_at DESC);
PRAGMA user_version = 1;
"""
VERSION_2_SQL = """
ALTER TABLE calls ADD COLUMN labels TEXT NOT NULL DEFAULT '';
CREATE TABLE session_calls (
    session TEXT NOT NULL,
    call_id TEXT NOT NULL,
    added_at REAL NOT NULL,
    PRIMARY KEY (session, call_id)
);
CREATE INDEX session_calls_by_time ON session_calls (added_at);
CREATE TABLE downloads (
    call_id TEXT NOT NULL,
    segment_index INTEGER NOT NULL,
    label TEXT,
    path TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    completed_at REAL NOT NULL,
    PRIMARY KEY (call_id, segment_index, path)
);
PRAGMA user_version = 2;
"""
VERSION_3_SQL = """
ALTER TABLE calls ADD COLUMN direction TEXT;
ALTER TABLE calls ADD COLUMN from_number TEXT;
ALTER TABLE calls ADD COLUMN to_number TEXT;
ALTER TABLE calls ADD COLUMN agent_id TEXT;
ALTER TABLE calls ADD COLUMN agent_name TEXT;
ALTER TABLE calls ADD COLUMN started_at TEXT;
ALTER TABLE calls ADD COLUMN ended_at TEXT;
ALTER TABLE calls ADD COLUMN duration REAL;
ALTER TABLE calls ADD COLUMN status TEXT;
ALTER TABLE calls ADD COLUMN sentiment TEXT;
ALTER TABLE calls ADD COLUMN summary TEXT;
ALTER TABLE calls ADD COLUMN meta TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN details_at REAL;
CREATE INDEX calls_search ON calls (last_looked_up_at DESC, call_id, labels, meta);
CREATE TABLE call_details (
    call_id TEXT PRIMARY KEY,
    details BLOB NOT NULL,
    fetched_at REAL NOT NULL
);
PRAGMA user_version = 3;
"""


def build_version_1(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript(VERSION_1_SQL)
    answer = recordings(TRANSFER_CALL, ("main", "synced"), ("transfer_conference", "pending_sync"))
    db.execute(
        "INSERT INTO calls (call_id, first_looked_up_at, last_looked_up_at, lookups, outcome, segments, synced, pending, response, response_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (TRANSFER_CALL, T0, T0 + 100, 3, "ok", 2, 1, 1, json.dumps(answer.to_api_dict()), T0 + 100),
    )
    db.execute(
        "INSERT INTO calls (call_id, first_looked_up_at, last_looked_up_at, lookups, outcome) VALUES (?, ?, ?, ?, ?)",
        (NO_RECORDING_CALL, T0 + 50, T0 + 50, 1, "no_recording"),
    )
    db.commit()
    db.close()


def build_version_2(path: Path, *, then: str = "") -> None:
    """A file as the recbrowser before named migrations left it: every table filled (``then``:
    SQL run before the rows go in, to build a later version)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript(VERSION_1_SQL + VERSION_2_SQL + then)
    answer = recordings(TRANSFER_CALL, ("main", "synced"), ("transfer_conference", "pending_sync"))
    db.execute(
        "INSERT INTO calls (call_id, first_looked_up_at, last_looked_up_at, lookups, outcome, segments, synced, pending,"
        " response, response_at, labels) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            TRANSFER_CALL,
            T0,
            T0 + 100,
            3,
            "ok",
            2,
            1,
            1,
            json.dumps(answer.to_api_dict()),
            T0 + 100,
            "main transferred call",
        ),
    )
    db.execute(
        "INSERT INTO calls (call_id, first_looked_up_at, last_looked_up_at, lookups, outcome) VALUES (?, ?, ?, ?, ?)",
        (NO_RECORDING_CALL, T0 + 50, T0 + 50, 1, "no_recording"),
    )
    db.execute("INSERT INTO session_calls VALUES ('earlier', ?, ?)", (NO_RECORDING_CALL, T0 + 60))
    db.execute("INSERT INTO session_calls VALUES ('earlier', ?, ?)", (TRANSFER_CALL, T0 + 61))
    db.execute("INSERT INTO downloads VALUES (?, 1, 'main', '/calls/main.wav', 42, ?)", (TRANSFER_CALL, T0 + 70))
    db.commit()
    db.close()


def build_version_3(path: Path) -> None:
    """A file as the recbrowser that first stored call metadata left it: every table filled,
    one call with its details and transcript."""
    build_version_2(path, then=VERSION_3_SQL)
    details = {"id": TRANSFER_CALL, "from_number": "+15550100", "agent_name": "Ava", "transcript": "Agent: hi"}
    with raw(path) as db:
        db.execute(
            "UPDATE calls SET direction = 'inbound', from_number = '+15550100', to_number = '+15550199',"
            " agent_name = 'Ava', summary = 'Refund approved', meta = '+15550100 15550100 ava refund approved',"
            " details_at = ? WHERE call_id = ?",
            (T0 + 90, TRANSFER_CALL),
        )
        db.execute(
            "INSERT INTO call_details VALUES (?, ?, ?)",
            (TRANSFER_CALL, zlib.compress(json.dumps(details).encode()), T0 + 90),
        )


def test_a_database_of_the_current_schema_opens_with_every_row_kept(db_path: Path) -> None:
    build_version_3(db_path)
    with raw(db_path) as db:
        before = {
            table: db.execute(f"SELECT * FROM {table}").fetchall()
            for table in ("calls", "session_calls", "downloads", "call_details")
        }
    store = HistoryStore(db_path, session="now")
    try:
        assert store.warnings == []
        assert [e.call_id for e in store.entries()] == [TRANSFER_CALL, NO_RECORDING_CALL]
        entry = store.get(TRANSFER_CALL)
        assert (entry.lookups, entry.outcome, entry.segments, entry.synced, entry.pending, entry.downloaded) == (
            3,
            "ok",
            2,
            1,
            1,
            1,
        )
        assert entry.last_looked_up_at == datetime.fromtimestamp(T0 + 100, timezone.utc)
        cached = store.cached(TRANSFER_CALL)
        assert cached.fetched_at == datetime.fromtimestamp(T0 + 100, timezone.utc)
        assert [s.label for s in cached.recordings.segments] == ["main", "transfer_conference"]
        assert [e.call_id for e in store.entries(search="transferred")] == [TRANSFER_CALL]
        assert store.downloads(TRANSFER_CALL) == {1: "/calls/main.wav"}
        assert store.last_session_call_ids() == [NO_RECORDING_CALL, TRANSFER_CALL]
        assert [e.call_id for e in store.entries(search="555 0100")] == [TRANSFER_CALL]
        assert (entry.meta.agent_name, entry.other_number) == ("Ava", "+15550100")
        assert store.cached_details(TRANSFER_CALL).details.transcript == "Agent: hi"
    finally:
        store.close()
    with raw(db_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 3 == SCHEMA_VERSION
        after = {
            table: db.execute(f"SELECT * FROM {table}").fetchall()
            for table in ("calls", "session_calls", "downloads", "call_details")
        }
    assert after == before


def test_a_version_1_database_is_migrated_with_its_rows_intact_and_usable(db_path: Path, tmp_path: Path) -> None:
    build_version_1(db_path)
    store = HistoryStore(db_path)
    try:
        assert store.warnings == []
        with raw(db_path) as db:
            assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert [e.call_id for e in store.entries()] == [TRANSFER_CALL, NO_RECORDING_CALL]
        entry = store.get(TRANSFER_CALL)
        assert (entry.lookups, entry.outcome, entry.segments, entry.synced, entry.pending, entry.downloaded) == (
            3,
            "ok",
            2,
            1,
            1,
            0,
        )
        assert entry.first_looked_up_at == datetime.fromtimestamp(T0, timezone.utc)
        assert store.cached(TRANSFER_CALL).recordings.segments[1].label == "transfer_conference"
        assert store.get(NO_RECORDING_CALL).outcome == "no_recording"
        assert [e.call_id for e in store.entries(search="2a6c")] == [TRANSFER_CALL]

        store.record_lookup(TRANSFER_CALL, None, ServerError("boom"), at=T0 + 200)
        store.record_download(TRANSFER_CALL, 1, "main", tmp_path / "main.wav", 42)
        entry = store.get(TRANSFER_CALL)
        assert (entry.lookups, entry.outcome, entry.downloaded) == (4, "server_error", 1)
        assert store.cached(TRANSFER_CALL) is not None
    finally:
        store.close()
    reopened = HistoryStore(db_path)
    try:
        assert reopened.warnings == [] and reopened.get(TRANSFER_CALL).lookups == 4
    finally:
        reopened.close()


def test_a_version_2_database_gains_the_metadata_columns_with_its_rows_intact(db_path: Path) -> None:
    build_version_2(db_path)
    with raw(db_path) as db:
        before = db.execute("SELECT * FROM calls WHERE call_id = ?", (NO_RECORDING_CALL,)).fetchone()
    store = HistoryStore(db_path, session="now")
    try:
        assert store.warnings == []
        assert [e.call_id for e in store.entries()] == [TRANSFER_CALL, NO_RECORDING_CALL]
        assert store.get(TRANSFER_CALL).meta is None and store.cached_details(TRANSFER_CALL) is None
        assert store.cached(TRANSFER_CALL) is not None and store.downloads(TRANSFER_CALL) == {1: "/calls/main.wav"}
        assert store.last_session_call_ids() == [NO_RECORDING_CALL, TRANSFER_CALL]
        details = CallDetails.from_api({"id": TRANSFER_CALL, "from_number": "+15550100", "agent_name": "Ava"})
        assert store.record_details(TRANSFER_CALL, details, at=T0 + 300)
        entry = store.get(TRANSFER_CALL)
        assert (entry.lookups, entry.outcome, entry.meta.agent_name) == (3, "ok", "Ava")
        assert [e.call_id for e in store.entries(search="ava")] == [TRANSFER_CALL]
    finally:
        store.close()
    with raw(db_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        after = db.execute("SELECT * FROM calls WHERE call_id = ?", (NO_RECORDING_CALL,)).fetchone()
    assert after[: len(before)] == before  # untouched, its new columns empty
    assert after[len(before) :] == (None,) * 11 + ("", None)


def test_a_migrated_entry_can_be_found_by_the_labels_of_its_cached_answer(db_path: Path) -> None:
    build_version_1(db_path)
    store = HistoryStore(db_path)
    try:
        assert [e.call_id for e in store.entries(search="Transferred Call")] == [TRANSFER_CALL]
    finally:
        store.close()


def test_a_database_from_a_newer_version_is_left_untouched_and_history_stays_in_memory(db_path: Path) -> None:
    HistoryStore(db_path).close()
    with raw(db_path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        db.execute(
            "INSERT INTO calls (call_id, first_looked_up_at, last_looked_up_at, lookups, outcome) VALUES ('x', 0, 0, 1, 'ok')"
        )
    store = HistoryStore(db_path)
    try:
        (warning,) = store.warnings
        assert "newer" in warning and "left untouched" in warning
        assert list(db_path.parent.glob(db_path.name + ".corrupt-*")) == []
        with raw(db_path) as db:  # not migrated down, not moved
            assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
            assert db.execute("SELECT call_id FROM calls").fetchall() == [("x",)]
        assert store.entries() == []
        assert store.record_lookup(MAIN_CALL, None, None)
        assert [e.call_id for e in store.entries()] == [MAIN_CALL]
    finally:
        store.close()
    with raw(db_path) as db:
        assert db.execute("SELECT call_id FROM calls").fetchall() == [("x",)]


@pytest.mark.parametrize(
    "garbage", [b"not a database\n" * 500, bytes(range(256)) * 64, b"SQLite format 3\x00" + b"\xff" * 4080]
)
def test_a_corrupt_file_is_moved_aside_with_a_timestamp_and_a_fresh_one_started(db_path: Path, garbage: bytes) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(garbage)
    store = HistoryStore(db_path)
    try:
        (warning,) = store.warnings
        assert "\n" not in warning and "unreadable" in warning
        (aside,) = db_path.parent.glob(db_path.name + ".corrupt-*")
        assert aside.read_bytes() == garbage
        stamp = aside.name.rsplit(".corrupt-", 1)[1]
        datetime.strptime(stamp, "%Y%m%d-%H%M%S")
        assert store.record_lookup(MAIN_CALL, None, None)
        assert [e.call_id for e in store.entries()] == [MAIN_CALL]
        assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    finally:
        store.close()
    reopened = HistoryStore(db_path)
    try:
        assert reopened.warnings == [] and reopened.count() == 1
    finally:
        reopened.close()


def test_recovery_never_overwrites_an_earlier_unreadable_file(db_path: Path) -> None:
    """Files already set aside under this second's (and the next seconds') names stay as they are."""
    db_path.parent.mkdir(parents=True)
    now = datetime.now()
    decoys = []
    for delta in range(3):
        stamp = (now + timedelta(seconds=delta)).strftime("%Y%m%d-%H%M%S")
        decoy = db_path.with_name(f"{db_path.name}.corrupt-{stamp}")
        decoy.write_bytes(b"earlier " + stamp.encode())
        decoys.append(decoy)
    db_path.write_bytes(b"broken file " * 300)
    store = HistoryStore(db_path)
    store.close()
    for decoy in decoys:
        assert decoy.read_bytes().startswith(b"earlier ")
    new_asides = [
        p
        for p in db_path.parent.glob(db_path.name + ".corrupt-*")
        if p not in decoys and not p.name.endswith(("-wal", "-shm"))
    ]
    assert len(new_asides) == 1 and new_asides[0].read_bytes().startswith(b"broken file")
    assert str(new_asides[0]) in store.warnings[0]


# --- two processes at once --------------------------------------------------------------

WRITER = """
import sys
from pathlib import Path
from recbrowser.history import HistoryStore

store = HistoryStore(Path(sys.argv[1]))
print("ready", flush=True)
sys.stdin.readline()
failed = 0
for n in range(200):
    failed += not store.record_lookup(f"{sys.argv[2]}-{n:03d}", None, None)
    failed += not store.record_lookup("shared-call", None, None)
print(f"failed={failed} warnings={store.warnings}", flush=True)
store.close()
"""


def test_two_processes_writing_at_once_lose_nothing(db_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db_path), tag],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for tag in ("left", "right")
    ]
    try:
        for writer in writers:  # both have opened the (new) file before either starts writing
            assert writer.stdout.readline().strip() == "ready", writer.stderr.read()
        for writer in writers:
            writer.stdin.write("go\n")
            writer.stdin.flush()
        outputs = [writer.communicate(timeout=60) for writer in writers]
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
    for writer, (out, err) in zip(writers, outputs, strict=False):
        assert writer.returncode == 0, err
        assert out.strip() == "failed=0 warnings=[]"
    store = HistoryStore(db_path)
    try:
        ids = {e.call_id for e in store.entries()}
        assert ids == {f"{tag}-{n:03d}" for tag in ("left", "right") for n in range(200)} | {"shared-call"}
        assert store.get("shared-call").lookups == 400
    finally:
        store.close()


# --- scale ------------------------------------------------------------------------------


def test_searching_100k_entries_returns_the_right_newest_300(store, db_path: Path) -> None:
    total = 100_000
    rows = [
        (
            fake_id(n),
            T0 + n,
            T0 + n,
            1,
            "ok",
            1,
            1,
            0,
            "main main call" if n % 7 else "transfer_conference transferred call",
        )
        for n in range(total)
    ]
    with raw(db_path) as db:
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO calls (call_id, first_looked_up_at, last_looked_up_at, lookups, outcome, segments, synced, pending, labels)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.execute("COMMIT")
    assert store.count() == total
    transferred = store.entries(search="Transferred", limit=300)
    expected = [fake_id(n) for n in range(total - 1, -1, -1) if n % 7 == 0][:300]
    assert [e.call_id for e in transferred] == expected
    assert [e.call_id for e in store.entries(limit=300)] == [fake_id(n) for n in range(total - 1, total - 301, -1)]
    one = fake_id(54_321)
    assert [e.call_id for e in store.entries(search=one[-12:].upper(), limit=300)] == [one]
    assert store.entries(search="no such label", limit=300) == []


def test_only_tagged_app_sessions_count_as_a_session_to_restore(store) -> None:
    """Entries written without a session (the CLI) never count as a TUI session to restore."""
    store.record_lookup(MAIN_CALL, None, None)
    store.add_to_session([MAIN_CALL])  # no session: nothing to remember
    assert store.last_session_call_ids() == []
    tagged = HistoryStore(store.path, session=uuid.uuid4().hex)
    try:
        tagged.record_lookup(TRANSFER_CALL, None, None)
        tagged.add_to_session([TRANSFER_CALL])
        assert store.last_session_call_ids() == [TRANSFER_CALL]
        assert tagged.last_session_call_ids() == []  # its own session is not the "last" one
    finally:
        tagged.close()


def test_a_path_sqlite_cannot_store_is_a_warning_not_a_traceback(tmp_path: Path) -> None:
    """A file name from a non-UTF-8 file system (a lone surrogate after os.fsdecode)."""
    store = HistoryStore(tmp_path / "h.sqlite3")
    try:
        assert store.record_download(MAIN_CALL, 1, "main", tmp_path / "caf\udce9.wav", 10) is False
        assert store.failed_writes == 1
        assert any("Could not write the history" in warning for warning in store.warnings)
        assert store.downloads(MAIN_CALL) == {}
    finally:
        store.close()
