"""A history write-locked by another process: said within a few seconds, waited for a bounded
time, then the write is skipped with a warning; nothing raises and no read waits.

The lock is held for real by a second process (the ``sqlite3`` module, ``BEGIN EXCLUSIVE``)
that releases it when told to on its standard input.
"""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from recbrowser.fakeapi import DEMO_KEY, FakeMagpipe
from recbrowser.fakeapi.samples import MAIN_CALL, TRANSFER_CALL
from recbrowser.history import LOCK_GIVE_UP_AFTER, LOCKED_NOTICE, HistoryStore
from tests.cli_helpers import child_env

HOLDER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
db.execute("COMMIT")
db.close()
print("released", flush=True)
"""


class LockHolder:
    """Another process holding the history's write lock until ``release()``."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.write("go\n")
            self.process.stdin.flush()
            assert self.process.stdout.readline().strip() == "released"
            self.process.wait(timeout=10)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            stream.close()


@pytest.fixture
def history_path(tmp_path: Path) -> Path:
    """The history file of the child processes (their XDG_DATA_HOME), created in WAL mode."""
    path = tmp_path / "data" / "recbrowser" / "history.sqlite3"
    HistoryStore(path).close()
    return path


@pytest.fixture
def holder(history_path: Path) -> Iterator[LockHolder]:
    held = LockHolder(history_path)
    yield held
    held.kill()


# --- the store --------------------------------------------------------------------------------


def test_a_locked_history_is_announced_after_two_seconds_then_the_write_is_skipped(
    history_path: Path, holder: LockHolder
) -> None:
    notices: list[tuple[float, str]] = []
    store = HistoryStore(history_path, on_wait=lambda text: notices.append((time.monotonic(), text)), lock_timeout=3.5)
    try:
        assert store.warnings == []  # opening needed no write: nothing waited
        start = time.monotonic()
        assert store.record_lookup(MAIN_CALL, None, None) is False
        took = time.monotonic() - start
        assert 3.5 <= took < 6
        ((said_at, text),) = notices
        assert text == LOCKED_NOTICE
        assert 2 <= said_at - start < 3
        (warning,) = store.warnings
        assert (
            warning
            == "Could not write the history (locked by another program for more than 3.5 s); this result is not saved."
        )
        assert store.failed_writes == 1

        # Still locked: reads do not wait for a writer, and the next writes give up at once
        # instead of waiting it out again.
        start = time.monotonic()
        assert store.count() == 0 and store.entries() == []
        assert store.record_download(MAIN_CALL, 1, "main", history_path.parent / "x.wav", 1) is False
        assert store.get(MAIN_CALL) is None
        assert store.forget([MAIN_CALL]) == 0
        assert time.monotonic() - start < 2
        assert store.failed_writes == 3 and len(notices) == 1

        holder.release()
        assert store.record_lookup(MAIN_CALL, None, None) is True
        assert [e.call_id for e in store.entries()] == [MAIN_CALL]
    finally:
        store.close()


def test_a_write_waits_for_a_lock_released_in_time_and_nothing_is_lost(history_path: Path, holder: LockHolder) -> None:
    noticed = threading.Event()
    store = HistoryStore(history_path, on_wait=lambda _: noticed.set())
    try:
        writer = threading.Thread(target=lambda: results.append(store.record_lookup(MAIN_CALL, None, None)))
        results: list[bool] = []
        writer.start()
        assert noticed.wait(timeout=5), "no notice while the write waited"
        holder.release()
        writer.join(timeout=10)
        assert results == [True] and store.warnings == []
        assert store.get(MAIN_CALL).lookups == 1
    finally:
        store.close()


# --- the commands, as real processes -----------------------------------------------------------


class Command:
    """`recbrowser ARGV` as a child process; its stderr lines arrive on a queue as they are written."""

    def __init__(self, tmp_path: Path, fake: FakeMagpipe, *argv: str) -> None:
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "recbrowser", *argv],
            env=child_env(tmp_path, MAGPIPE_API_URL=fake.api_url, MAGPIPE_API_KEY=DEMO_KEY),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[tuple[float, str | None]] = queue.Queue()
        self.err: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.put((time.monotonic(), line.rstrip("\n")))
        self.lines.put((time.monotonic(), None))

    def next_err_line(self, timeout: float) -> tuple[float, str | None]:
        at, line = self.lines.get(timeout=timeout)
        if line is not None:
            self.err.append(line)
        return at - self.started, line

    def finish(self, timeout: float = 60) -> tuple[int, str, list[str]]:
        out = self.process.stdout.read()
        code = self.process.wait(timeout=timeout)
        while self.next_err_line(timeout=10)[1] is not None:
            pass
        self.process.stdout.close()
        self.process.stderr.close()
        return code, out, self.err

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def commands() -> Iterator[list[Command]]:
    started: list[Command] = []
    yield started
    for command in started:
        command.kill()


def test_lookup_says_it_waits_for_the_locked_history_and_records_once_it_is_free(
    tmp_path: Path, fake: FakeMagpipe, history_path: Path, holder: LockHolder, commands: list[Command]
) -> None:
    lookup = Command(tmp_path, fake, "lookup", MAIN_CALL)
    commands.append(lookup)
    after, line = lookup.next_err_line(timeout=8)
    assert line == f"recbrowser: {LOCKED_NOTICE}"
    assert after < 4  # start-up, the lookup itself, then 2 s of waiting
    holder.release()
    code, out, err = lookup.finish()
    assert code == 0 and out.startswith(MAIN_CALL)
    assert err == [f"recbrowser: {LOCKED_NOTICE}"]
    store = HistoryStore(history_path)
    try:
        assert store.get(MAIN_CALL).lookups == 1
    finally:
        store.close()


def test_lookup_gives_up_on_a_history_locked_too_long_with_one_warning_and_its_answers_printed(
    tmp_path: Path, fake: FakeMagpipe, history_path: Path, holder: LockHolder, commands: list[Command]
) -> None:
    lookup = Command(tmp_path, fake, "lookup", "--json", MAIN_CALL, TRANSFER_CALL)
    commands.append(lookup)
    code, out, err = lookup.finish()
    took = time.monotonic() - lookup.started
    assert code == 0
    assert [line.split('"', 4)[3] for line in out.splitlines()] == [MAIN_CALL, TRANSFER_CALL]
    assert err == [
        f"recbrowser: {LOCKED_NOTICE}",
        f"recbrowser: warning: Could not write the history (locked by another program for more than {LOCK_GIVE_UP_AFTER:g} s);"
        " this result is not saved.",
    ]
    assert LOCK_GIVE_UP_AFTER <= took < LOCK_GIVE_UP_AFTER + 5  # bounded once, not once per call


def test_reading_commands_do_not_wait_for_a_writer(
    tmp_path: Path, fake: FakeMagpipe, history_path: Path, holder: LockHolder, commands: list[Command]
) -> None:
    for argv in (["history"], ["lookup", "--offline", MAIN_CALL]):
        command = Command(tmp_path, fake, *argv)
        commands.append(command)
        code, _out, err = command.finish()
        assert LOCKED_NOTICE not in "\n".join(err) and not any("warning" in line for line in err)
        assert code == (0 if argv == ["history"] else 4)  # nothing cached: not_cached


def test_forget_and_clear_on_a_history_locked_too_long_remove_nothing_and_exit_1(
    tmp_path: Path, fake: FakeMagpipe, history_path: Path, holder: LockHolder, commands: list[Command]
) -> None:
    running = [
        Command(tmp_path, fake, "history", "forget", MAIN_CALL),
        Command(tmp_path, fake, "history", "clear", "--yes"),
    ]
    commands.extend(running)
    for command in running:  # both at once: one wait of LOCK_GIVE_UP_AFTER for the two
        code, out, err = command.finish()
        assert (code, out) == (1, "")
        assert err == [
            f"recbrowser: {LOCKED_NOTICE}",
            f"recbrowser: warning: Could not write the history (locked by another program for more than {LOCK_GIVE_UP_AFTER:g} s);"
            " nothing was removed.",
        ]


# --- the app --------------------------------------------------------------------------------


async def test_the_app_tells_a_locked_history_as_it_happens_and_goes_on(
    fake: FakeMagpipe, history_path: Path, holder: LockHolder
) -> None:
    from tests.tui_helpers import SIMPLE, look_up, make_app, notifications, table_rows

    app = make_app(fake, history=HistoryStore(history_path, lock_timeout=3.5))
    async with app.run_test(size=(120, 40)) as pilot:
        await look_up(pilot, SIMPLE)  # waits for the lookup's worker, history write included
        shown = notifications(app)
        assert LOCKED_NOTICE in shown
        assert any("Could not write the history" in text for text in shown)
        assert table_rows(app)  # the answer is shown all the same
