"""A history file damaged in its middle pages (the header intact): found by whatever statement
reads a damaged page, the file is moved aside, a fresh one started, and nothing raises.

The damaged file is made for real: a store with enough rows to span many pages, checkpointed,
then bytes overwritten on disk in pages well past the first one. The commands run as real
processes, so a traceback would show on their stderr.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from recbrowser.history import HistoryStore
from recbrowser.models import CallRecordings
from recbrowser.paths import Paths
from tests.cli_helpers import child_env

ROWS = 800
T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def fake_id(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-{n:012x}"


MIDDLE = fake_id(ROWS // 2)


def answer(call_id: str) -> CallRecordings:
    return CallRecordings.from_api(
        call_id,
        {
            "recordings": [
                {"url": f"https://storage.example/{call_id}/{i}.wav", "label": "main", "status": "synced"}
                for i in range(3)
            ]
        },
    )


def build_damaged_history(path: Path, session: str = "earlier-session") -> int:
    """A history of ROWS calls (answers, downloads, an app session), then pages overwritten in
    its middle; returns the number of pages damaged. The first page (header, schema) is intact."""
    store = HistoryStore(path, session=session)
    try:
        for n in range(ROWS):
            call_id = fake_id(n)
            assert store.record_lookup(call_id, answer(call_id), None, at=T0 + n)
            assert store.record_download(call_id, 1, "main", path.parent / f"{call_id}.wav", 1000 + n, at=T0 + n)
            assert store.add_to_session([call_id], at=T0 + n)
    finally:
        store.close()
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        pages = db.execute("PRAGMA page_count").fetchone()[0]
    finally:
        db.close()
    assert pages > 40, "the history should span many pages"
    data = bytearray(path.read_bytes())
    damaged = range(pages // 4, 3 * pages // 4)
    for page in damaged:
        offset = page * page_size  # page numbers start at 1, so this is page (page + 1): never the first
        data[offset : offset + page_size] = bytes([0xA5]) * page_size
    path.write_bytes(bytes(data))
    return len(damaged)


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    path = Paths.default().history_db
    build_damaged_history(path)
    return path


def asides(path: Path) -> list[Path]:
    return [p for p in path.parent.glob(path.name + ".corrupt-*") if not p.name.endswith(("-wal", "-shm"))]


def assert_moved_aside_once(store: HistoryStore, path: Path) -> None:
    (aside,) = asides(path)
    (warning,) = store.warnings
    assert "\n" not in warning and "unreadable" in warning and str(aside) in warning
    with sqlite3.connect(path) as db:  # the fresh file is a good, empty history
        assert db.execute("PRAGMA quick_check").fetchone() == ("ok",)


OPERATIONS: dict[str, tuple[Callable[[HistoryStore], object], object]] = {
    # name: (the call, what it answers once the damaged file has been replaced by a fresh one)
    "entries": (lambda s: s.entries(), []),
    "entries(search)": (lambda s: s.entries(search="main", limit=300), []),
    "count": (lambda s: s.count(), 0),
    "get": (lambda s: s.get(MIDDLE), None),
    "cached": (lambda s: s.cached(MIDDLE), None),
    "downloads": (lambda s: s.downloads(MIDDLE), {}),
    "last_session_call_ids": (lambda s: s.last_session_call_ids(), []),
    "forget": (lambda s: s.forget([MIDDLE]), 0),
    "clear": (lambda s: s.clear(), 0),
}


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_every_read_and_removal_on_a_damaged_file_moves_it_aside_and_answers_empty(damaged: Path, name: str) -> None:
    store = HistoryStore(damaged, session="this-session")
    try:
        assert store.warnings == []  # the header is fine: nothing is noticed at open
        call, empty = OPERATIONS[name]
        assert call(store) == empty
        assert_moved_aside_once(store, damaged)
        assert store.failed_writes == 0
        # The fresh history works for the rest of the run.
        assert store.record_lookup(MIDDLE, answer(MIDDLE), None)
        assert [e.call_id for e in store.entries()] == [MIDDLE]
        assert store.cached(MIDDLE).recordings == answer(MIDDLE)
    finally:
        store.close()


def test_a_lookup_written_into_a_damaged_file_lands_in_the_fresh_one(damaged: Path) -> None:
    """A write that meets a damaged page is not lost: it is made again in the fresh file."""
    store = HistoryStore(damaged)
    try:
        assert store.record_lookup(MIDDLE, answer(MIDDLE), None, at=T0 + 10_000)
        assert store.record_download(MIDDLE, 1, "main", damaged.parent / "x.wav", 5)
        assert_moved_aside_once(store, damaged)
        entry = store.get(MIDDLE)
        assert (entry.lookups, entry.outcome, entry.downloaded) == (1, "ok", 1)
    finally:
        store.close()
    reopened = HistoryStore(damaged)
    try:
        assert reopened.warnings == [] and [e.call_id for e in reopened.entries()] == [MIDDLE]
    finally:
        reopened.close()


def test_writes_that_miss_the_damage_succeed_and_the_first_that_meets_it_moves_it_aside(damaged: Path) -> None:
    store = HistoryStore(damaged, session="this-session")
    try:
        assert store.add_to_session([MIDDLE, fake_id(1)])  # appends to the last pages: undamaged
        assert store.warnings == [] and asides(damaged) == []
        assert store.record_lookup(fake_id(3), None, None, at=T0 + 10_000)  # updates a row in a damaged page
        assert_moved_aside_once(store, damaged)
        assert [e.call_id for e in store.entries()] == [fake_id(3)]
    finally:
        store.close()


def test_two_stores_of_one_process_finding_the_damage_move_the_file_aside_once(damaged: Path) -> None:
    """The second finder sees the file was replaced already and uses the fresh one."""
    first, second = HistoryStore(damaged), HistoryStore(damaged)
    try:
        assert first.count() == 0
        assert second.entries() == []
        assert len(asides(damaged)) == 1
        assert first.record_lookup(MIDDLE, None, None)
        assert [e.call_id for e in second.entries()] == [MIDDLE]
    finally:
        first.close()
        second.close()


# --- the commands, as real processes ------------------------------------------------------


def recbrowser(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "recbrowser", *argv],
        env=child_env(tmp_path, MAGPIPE_API_URL="http://127.0.0.1:9/functions/v1"),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("argv", "code", "out"),
    [
        (["history"], 0, "No lookups in the history.\n"),
        (["history", "--search", "main"], 0, "No lookups in the history.\n"),
        (["history", "--json"], 0, ""),
        (["history", "forget", MIDDLE], 0, "Removed 0 of 1 call from the history.\n"),
        (["history", "clear", "--yes"], 0, "Removed 0 entries from the history.\n"),
        (["lookup", "--offline", MIDDLE], 4, ""),
    ],
)
def test_each_command_on_a_damaged_file_is_one_warning_line_and_a_sane_exit(
    tmp_path: Path, argv: list[str], code: int, out: str
) -> None:
    path = tmp_path / "data" / "recbrowser" / "history.sqlite3"
    build_damaged_history(path)
    done = recbrowser(tmp_path, *argv)
    assert "Traceback" not in done.stderr
    assert (done.returncode, done.stdout) == (code, out)
    warnings = [line for line in done.stderr.splitlines() if line.startswith("recbrowser: warning: ")]
    (warning,) = warnings
    assert "unreadable" in warning and "moved it to" in warning
    assert len(asides(path)) == 1
    if argv[0] == "lookup":
        assert done.stderr.splitlines() == [
            f"recbrowser: {MIDDLE}: Not in the lookup history; look it up online first.",
            warning,
        ]
    else:
        assert done.stderr.splitlines() == [warning]
    again = recbrowser(tmp_path, "history", "--json")
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
