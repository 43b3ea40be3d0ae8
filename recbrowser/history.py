"""The lookup history: a SQLite store written as each lookup happens, readable offline.

One row per call ID (first and last lookup, count, last outcome, counts, the last successful
answer, the call's metadata) plus its stored details with the transcript, and the downloads.
WAL mode, a busy timeout and ``BEGIN IMMEDIATE`` writes let two running instances share it
without losing an entry; a lock held longer than a few seconds is announced through
``on_wait`` and, past a bound, the write is skipped with a warning. The file is private
(0600): cached answers hold signed recording URLs that work without other credentials.
Corruption found by any statement (at open or later) moves the file aside and a fresh one is
started. No public method raises: reads answer empty, writes answer False or 0, and
``warnings`` says why. The API key is never stored.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple, TypeVar

from recbrowser.calls import CallDetails, CallSummary, other_number
from recbrowser.errors import ApiError, RecBrowserError
from recbrowser.historymeta import META_COLUMNS, number_query, stored_columns, stored_details
from recbrowser.migrations import SCHEMA_VERSION, NewerSchema, migrate, schema_version, search_text
from recbrowser.models import CallRecordings
from recbrowser.privatefiles import private_dir
from recbrowser.text import printable

# SQLite waits for a lock in slices this long; between slices recbrowser decides whether to
# tell the user (after LOCK_NOTICE_AFTER seconds) or to give up (after LOCK_GIVE_UP_AFTER).
BUSY_SLICE_MS = 250
LOCK_NOTICE_AFTER = 2.0
LOCK_GIVE_UP_AFTER = 10.0
LOCKED_NOTICE = "The history is locked by another recbrowser; waiting…"
T = TypeVar("T")

OPEN_TRIES = 6


class HistoryLocked(sqlite3.OperationalError):
    """Another process held the history's lock for longer than this store waits."""


def _is_corrupt(exc: sqlite3.Error) -> bool:
    """True only for SQLite's "not a database" and "malformed" errors, not busy or I/O ones."""
    name = getattr(exc, "sqlite_errorname", "")  # Python 3.11+
    if name:
        return name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT"))
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text


def _is_busy(exc: sqlite3.Error) -> bool:
    """True for "database is locked" (another connection holds the lock), not for corruption."""
    if isinstance(exc, HistoryLocked):
        return False
    name = getattr(exc, "sqlite_errorname", "")
    if name:
        return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
    return "is locked" in str(exc).lower()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


@dataclass(frozen=True)
class HistoryEntry:
    """What the history knows about one call."""

    call_id: str
    first_looked_up_at: datetime
    last_looked_up_at: datetime
    lookups: int
    outcome: str
    segments: int | None
    synced: int | None
    pending: int | None
    downloaded: int
    meta: CallMeta | None = None
    """The call's metadata as get-call (or list-calls) last gave it; None when never got."""

    @property
    def other_number(self) -> str | None:
        """The other party's number: the caller's on an inbound call, the callee's on an outbound one."""
        if self.meta is None:
            return None
        return other_number(self.meta.direction, self.meta.from_number, self.meta.to_number)

    def to_json(self) -> dict[str, object]:
        meta = self.meta or CallMeta()
        return {
            "call_id": self.call_id,
            "first_looked_up_at": _iso(self.first_looked_up_at),
            "last_looked_up_at": _iso(self.last_looked_up_at),
            "lookups": self.lookups,
            "outcome": self.outcome,
            "segments": self.segments,
            "synced": self.synced,
            "pending": self.pending,
            "downloaded": self.downloaded,
            "direction": meta.direction,
            "from_number": meta.from_number,
            "to_number": meta.to_number,
            "agent_id": meta.agent_id,
            "agent_name": meta.agent_name,
            "started_at": meta.started_at,
            "ended_at": meta.ended_at,
            "duration": meta.duration,
            "status": meta.status,
            "sentiment": meta.sentiment,
            "call_summary": meta.summary,
            "details_at": _iso(meta.details_at) if meta.details_at is not None else None,
        }


class CallMeta(NamedTuple):
    """A call's metadata columns, as stored (server text, not yet made printable). A named
    tuple, not a frozen dataclass: the history screen builds a hundred on every keystroke."""

    direction: str | None = None
    from_number: str | None = None
    to_number: str | None = None
    agent_id: str | None = None
    agent_name: str | None = None
    started_at: str | None = None
    ended_at: str | None = None
    duration: int | float | None = None
    status: str | None = None
    sentiment: str | None = None
    summary: str | None = None
    details_at: datetime | None = None


@dataclass(frozen=True)
class CachedCall:
    recordings: CallRecordings
    fetched_at: datetime


@dataclass(frozen=True)
class CachedDetails:
    """A call's details (with its transcript) as get-call last gave them, for offline use."""

    details: CallDetails
    fetched_at: datetime


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _when(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


class HistoryStore:
    """Thread-safe access to the history database (one connection per thread).

    ``on_wait`` is called (from the waiting thread) with a one-line notice when a lock held
    by another process has made an operation wait ``notice_after`` seconds; after
    ``lock_timeout`` seconds in all the operation is skipped with a warning. Each new warning
    is kept in ``warnings`` and, once ``on_warning`` is set, also handed to it (from the
    thread that met the trouble), so an app can show warnings that come after its start.
    """

    def __init__(
        self,
        path: Path,
        *,
        session: str | None = None,
        on_wait: Callable[[str], None] | None = None,
        notice_after: float = LOCK_NOTICE_AFTER,
        lock_timeout: float = LOCK_GIVE_UP_AFTER,
    ) -> None:
        self.path = path
        self.session = session
        self.warnings: list[str] = []
        self.failed_writes = 0
        """How many writes were skipped (each with a warning); callers compare before and after."""
        self.on_wait = on_wait
        self.on_warning: Callable[[str], None] | None = None
        self.notice_after = notice_after
        self.lock_timeout = lock_timeout
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._recovery = threading.RLock()
        self._generation = 0  # bumped by each recovery, so concurrent finders recover once
        self._identity: tuple[int, int] | None = None
        self._memory = False
        self._waiting = False  # a notice was given and no operation has succeeded since
        self._gave_up = False  # a wait hit lock_timeout; later ones do not wait it out again
        self._open_checked()

    # --- opening, migrating, recovering ------------------------------------------------

    def _open_checked(self) -> None:
        """Open and migrate. Only a file SQLite calls corrupt is moved aside: a busy or locked
        file (another instance creating it at the same moment) is waited for, never discarded."""
        problem: Exception | None = None
        started = time.monotonic()
        for attempt in range(OPEN_TRIES):
            try:
                self._prepare_file()
                self._identity = _identity(self.path)
                self._waiting_out_locks(self._open_and_migrate, started=started)
                return
            except NewerSchema as exc:
                self._go_memory(
                    f"The history file {self.path} was written by a newer recbrowser ({exc}); it is left untouched "
                    "and this run keeps its history in memory only."
                )
                return
            except HistoryLocked as exc:
                self._go_memory(f"History is kept in memory for this run: {self.path} is {exc}.")
                return
            except sqlite3.DatabaseError as exc:
                if _is_corrupt(exc):
                    self._recover(exc)
                    return
                problem = exc
            except OSError as exc:
                self._go_memory(f"History is off for this run: cannot use {self.path} ({exc.strerror or exc}).")
                return
            self.close()
            time.sleep(0.05 * (attempt + 1))
        self._go_memory(f"History is kept in memory for this run: {self.path} could not be opened ({problem}).")

    def _open_and_migrate(self) -> None:
        """Migrate only when needed: a plain read of the version takes no write lock, so a
        history locked by another instance does not hold up a command that only reads."""
        if schema_version(self._connection()) < SCHEMA_VERSION:
            with self._write() as db:
                migrate(db)

    def _prepare_file(self) -> None:
        private_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        os.chmod(self.path, 0o600)

    def _recover(self, exc: Exception) -> None:
        """Move the corrupt file aside (unless another process already replaced it) and start
        a fresh one; in memory if that fails."""
        self.close()
        self._generation += 1
        self._waiting = self._gave_up = False
        if self._memory:
            self._go_memory(f"The in-memory history failed ({exc}); started it again.")
            return
        if self._identity is not None and _identity(self.path) not in (None, self._identity):
            # Another recbrowser moved the file aside first: use the one it started.
            try:
                self._prepare_file()
                self._identity = _identity(self.path)
                self._open_and_migrate()
            except (OSError, sqlite3.Error) as again:
                self._go_memory(f"History is off for this run: {self.path} is unusable ({again}).")
            return
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        counter = 1
        while aside.exists():  # never overwrite an earlier unreadable file
            counter += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{counter}")
        try:
            os.replace(self.path, aside)
            for suffix in ("-wal", "-shm"):
                extra = self.path.with_name(self.path.name + suffix)
                if extra.exists():
                    os.replace(extra, aside.with_name(aside.name + suffix))
            self._prepare_file()
            self._identity = _identity(self.path)
            with self._write() as db:
                migrate(db)
        except (OSError, sqlite3.Error) as again:
            self._go_memory(f"History is off for this run: {self.path} is unusable ({again}).")
            return
        self._warn(f"The history file was unreadable ({exc}); moved it to {aside} and started a new one.")

    def _go_memory(self, warning: str) -> None:
        self.close()
        self._memory = True
        self._warn(warning)
        with self._write() as db:
            migrate(db)

    def _connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            if self._memory:
                db = sqlite3.connect(
                    f"file:recbrowser-history-{id(self)}?mode=memory&cache=shared", uri=True, check_same_thread=False
                )
            else:
                db = sqlite3.connect(
                    self.path, timeout=BUSY_SLICE_MS / 1000, isolation_level=None, check_same_thread=False
                )
                try:
                    db.execute(f"PRAGMA busy_timeout = {BUSY_SLICE_MS}")
                    mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                    if mode.lower() != "wal":  # e.g. a file system without shared memory
                        self._warn(f"History runs without WAL ({mode}).")
                    db.execute("PRAGMA synchronous = NORMAL")
                except BaseException:
                    db.close()
                    raise
            db.isolation_level = None
            db.row_factory = sqlite3.Row
            self._local.db = db
            with self._lock:
                self._connections.append(db)
        return db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                try:
                    db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the error that got us here is the one worth reporting
            raise

    def close(self) -> None:
        with self._lock:
            for db in self._connections:
                try:
                    db.close()
                except sqlite3.Error:
                    pass
            self._connections.clear()
        self._local = threading.local()

    # --- every public operation goes through here --------------------------------------

    def _warn(self, message: str) -> None:
        if message in self.warnings:
            return
        self.warnings.append(message)
        if self.on_warning is not None:
            try:
                self.on_warning(message)
            except Exception:  # a broken hook must not break the history
                pass

    def _waiting_out_locks(self, operation: Callable[[], T], *, started: float | None = None, write: bool = True) -> T:
        """Run ``operation`` again while another process holds the lock: tell ``on_wait`` once
        after ``notice_after`` seconds, raise HistoryLocked after ``lock_timeout``. Once a wait
        has given up, later ones give up at once until a write gets through (reads do not
        count: in WAL mode they succeed while a writer holds the lock)."""
        started = time.monotonic() if started is None else started
        while True:
            tried_at = time.monotonic()
            try:
                result = operation()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
                now = time.monotonic()
                if self._gave_up or now - started >= self.lock_timeout:
                    self._gave_up = True
                    raise HistoryLocked(f"locked by another program for more than {self.lock_timeout:g} s") from None
                if now - started >= self.notice_after:
                    self._announce_wait()
                if now - tried_at < BUSY_SLICE_MS / 2000:  # answered busy at once: no busy handler ran
                    time.sleep(BUSY_SLICE_MS / 1000)
                continue
            if write:
                self._waiting = self._gave_up = False
            return result

    def _announce_wait(self) -> None:
        with self._lock:
            if self._waiting:
                return
            self._waiting = True
        if self.on_wait is not None:
            try:
                self.on_wait(LOCKED_NOTICE)
            except Exception:  # a broken hook must not break the history
                pass

    def _safely(self, operation: Callable[[], T], fallback: T, *, skipped: str | None = None) -> T:
        """Run one public operation, never raising. Corruption moves the file aside and runs the
        operation once more on the fresh store; any other failure (a lock held too long, I/O)
        answers ``fallback`` with a warning. ``skipped`` says what a failed write loses."""
        for attempt in range(2):
            generation = self._generation
            try:
                return self._waiting_out_locks(operation, write=skipped is not None)
            except sqlite3.Error as exc:
                if attempt == 0 and _is_corrupt(exc):
                    with self._recovery:
                        if generation == self._generation:  # not already recovered by another thread
                            self._recover(exc)
                    continue
                if attempt == 0 and generation != self._generation:
                    continue  # a recovery in another thread closed this connection under us
                problem: Exception = exc
            except OSError as exc:
                problem = exc
            except (ValueError, OverflowError) as exc:  # text SQLite cannot take (a non-UTF-8 path), a huge int
                problem = exc
            break
        reason = getattr(problem, "strerror", None) or printable(problem, limit=120)
        if skipped is None:
            self._warn(f"Could not read the history ({reason}); answering as if it were empty.")
        else:
            self.failed_writes += 1
            self._warn(f"Could not write the history ({reason}); {skipped}")
        return fallback

    # --- writing ------------------------------------------------------------------------

    def record_lookup(
        self, call_id: str, recordings: CallRecordings | None, error: RecBrowserError | None, *, at: float | None = None
    ) -> bool:
        """Record one lookup as it happens: an answer (cached for offline use) or an error code.

        A failure is recorded as the last outcome and never replaces the last good answer.
        Returns False (and adds a warning) when the database cannot be written; never raises.
        """
        now = time.time() if at is None else at
        return self._safely(
            lambda: self._record_lookup(call_id, recordings, error, now), False, skipped="this result is not saved."
        )

    def _record_lookup(
        self, call_id: str, recordings: CallRecordings | None, error: RecBrowserError | None, now: float
    ) -> bool:
        row: dict[str, object] = {
            "call_id": call_id,
            "first_looked_up_at": now,
            "last_looked_up_at": now,
            "lookups": 1,
            "outcome": "ok" if error is None else error.code,
        }
        if error is None and recordings is not None:
            # Built before the transaction: an answer that cannot be stored fails alone.
            row.update(
                segments=len(recordings.segments),
                synced=recordings.synced_count,
                pending=recordings.pending_count,
                response=recordings.to_api_json(),
                response_at=now,
                labels=search_text(recordings),
            )
        kept = ("call_id", "first_looked_up_at", "lookups")
        # An upsert (SQLite 3.24+): a failure only updates the outcome, never the last good answer.
        sql = (
            f"INSERT INTO calls ({', '.join(row)}) VALUES ({', '.join(':' + name for name in row)})"
            " ON CONFLICT (call_id) DO UPDATE SET lookups = lookups + 1, "
            + ", ".join(f"{name} = excluded.{name}" for name in row if name not in kept)
        )
        with self._write() as db:
            db.execute(sql, row)
        return True

    def record_details(self, call_id: str, call: CallSummary, *, at: float | None = None) -> bool:
        """Record a call's metadata as get-call gave it (a CallDetails, with its transcript) or as
        list-calls did (a CallSummary: the columns only, never replacing stored details with a
        transcript). Never raises: False (and a warning) when it cannot be written."""
        now = time.time() if at is None else at
        return self._safely(
            lambda: self._record_details(call_id, call, now), False, skipped="this call's details are not saved."
        )

    def _record_details(self, call_id: str, call: CallSummary, now: float) -> bool:
        columns = stored_columns(call)  # built before the transaction: details that cannot be stored fail alone
        details = columns.pop("details")
        row: dict[str, object] = {
            "call_id": call_id,
            "first_looked_up_at": now,
            "last_looked_up_at": now,
            "lookups": 0,  # counted by the lookup's own record, which may come after (the app stores it once shown)
            "outcome": "ok",
            **columns,
            "details_at": now,
        }
        updates = [f"{name} = excluded.{name}" for name in (*META_COLUMNS, "meta", "details_at")]
        # A call only known from get-call (its lookup's record was lost) gets a row of its own.
        sql = (
            f"INSERT INTO calls ({', '.join(row)}) VALUES ({', '.join(':' + name for name in row)})"
            " ON CONFLICT (call_id) DO UPDATE SET " + ", ".join(updates)
        )
        # list-calls' answer has no transcript: it never replaces get-call's.
        verb = "INSERT OR REPLACE" if isinstance(call, CallDetails) else "INSERT OR IGNORE"
        with self._write() as db:
            db.execute(sql, row)
            db.execute(
                f"{verb} INTO call_details (call_id, details, fetched_at) VALUES (?, ?, ?)", (call_id, details, now)
            )
        return True

    def record_download(
        self, call_id: str, index: int, label: str | None, path: Path, size: int, *, at: float | None = None
    ) -> bool:
        """Record a completed download; like ``record_lookup`` it never raises."""
        when = time.time() if at is None else at

        def write() -> bool:
            with self._write() as db:
                db.execute(
                    "INSERT OR REPLACE INTO downloads (call_id, segment_index, label, path, bytes, completed_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (call_id, index, label, str(path), size, when),
                )
            return True

        return self._safely(write, False, skipped="this download is not recorded.")

    def forget(self, call_ids: Sequence[str]) -> int:
        """Remove calls (and their downloads); the number of calls removed (0 when skipped)."""

        def write() -> int:
            with self._write() as db:
                removed = 0
                for call_id in call_ids:
                    removed += db.execute("DELETE FROM calls WHERE call_id = ?", (call_id,)).rowcount
                    db.execute("DELETE FROM downloads WHERE call_id = ?", (call_id,))
                    db.execute("DELETE FROM call_details WHERE call_id = ?", (call_id,))
                    db.execute("DELETE FROM session_calls WHERE call_id = ?", (call_id,))
                return removed

        return self._safely(write, 0, skipped="nothing was removed.")

    def clear(self) -> int:
        """Remove every entry; the number removed (0 when skipped)."""

        def write() -> int:
            with self._write() as db:
                removed = db.execute("DELETE FROM calls").rowcount
                db.execute("DELETE FROM downloads")
                db.execute("DELETE FROM call_details")
                db.execute("DELETE FROM session_calls")
                return removed

        return self._safely(write, 0, skipped="nothing was removed.")

    # --- reading ------------------------------------------------------------------------

    _ENTRY_COLUMNS = (  # the metadata from column _META_AT on, in META_COLUMNS' order
        "c.call_id, c.first_looked_up_at, c.last_looked_up_at, c.lookups, c.outcome, c.segments, c.synced, c.pending,"
        + "".join(f" c.{name}," for name in META_COLUMNS)
        + " c.details_at,"
        " (SELECT COUNT(DISTINCT d.segment_index) FROM downloads d WHERE d.call_id = c.call_id) AS downloaded"
    )

    def entries(self, *, search: str | None = None, limit: int | None = None) -> list[HistoryEntry]:
        """Newest first; ``search`` matches call IDs, labels (raw or friendly), numbers (also typed
        without ``+`` or with spaces and dashes), agent names and IDs and summary words, any case."""
        sql = f"SELECT {self._ENTRY_COLUMNS} FROM calls c"
        params: list[object] = []
        if search and search.strip():
            pattern = _like_pattern(search.strip().lower())
            sql += " INDEXED BY calls_search WHERE c.call_id LIKE ? ESCAPE '\\' OR c.labels LIKE ? ESCAPE '\\' OR c.meta LIKE ? ESCAPE '\\'"
            params += [pattern, pattern, pattern]
            number = number_query(search.strip())
            if number is not None and number != search.strip():
                sql += " OR c.meta LIKE ?"
                params.append(f"%{number}%")
        sql += " ORDER BY c.last_looked_up_at DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)

        def read() -> list[HistoryEntry]:
            return [entry for row in self._connection().execute(sql, params) if (entry := self._entry(row)) is not None]

        return self._safely(read, [])

    def count(self) -> int:
        return self._safely(
            lambda: int(self._connection().execute("SELECT COUNT(*) AS n FROM calls").fetchone()["n"]), 0
        )

    def get(self, call_id: str) -> HistoryEntry | None:
        """What the history knows of this call; None when nothing (see ``get_many``)."""
        return self.get_many([call_id]).get(call_id)

    def get_many(self, call_ids: Sequence[str]) -> dict[str, HistoryEntry]:
        """What the history knows of each of these calls (one query; calls it does not know are left out)."""
        wanted = list(dict.fromkeys(call_ids))

        def read() -> dict[str, HistoryEntry]:
            found: dict[str, HistoryEntry] = {}
            for start in range(0, len(wanted), 500):  # well under SQLite's bound on parameters
                part = wanted[start : start + 500]
                marks = ", ".join("?" * len(part))
                sql = f"SELECT {self._ENTRY_COLUMNS} FROM calls c WHERE c.call_id IN ({marks})"
                for row in self._connection().execute(sql, part):
                    entry = self._entry(row)
                    if entry is not None:
                        found[entry.call_id] = entry
            return found

        return self._safely(read, {})

    def cached(self, call_id: str) -> CachedCall | None:
        """The last successful answer for a call, for offline use."""
        row = self._safely(
            lambda: (
                self._connection()
                .execute("SELECT response, response_at FROM calls WHERE call_id = ?", (call_id,))
                .fetchone()
            ),
            None,
        )
        if row is None or not isinstance(row["response"], str):
            return None
        try:
            recordings = CallRecordings.from_api(call_id, json.loads(row["response"]))
            fetched_at = datetime.now(timezone.utc) if row["response_at"] is None else _when(row["response_at"])
        except (ValueError, TypeError, OverflowError, OSError, RecursionError, ApiError):
            return None
        return CachedCall(recordings, fetched_at)

    def cached_details(self, call_id: str) -> CachedDetails | None:
        """The call's details (with its transcript) as get-call last gave them, for offline use."""
        row = self._safely(
            lambda: (
                self._connection()
                .execute("SELECT details, fetched_at FROM call_details WHERE call_id = ?", (call_id,))
                .fetchone()
            ),
            None,
        )
        if row is None or not isinstance(row["details"], bytes):
            return None
        try:
            details = stored_details(row["details"])
            fetched_at = _when(row["fetched_at"])
        except (ValueError, TypeError, OverflowError, OSError, RecursionError, ApiError, zlib.error):
            return None
        return CachedDetails(details, fetched_at)

    def downloads(self, call_id: str) -> dict[int, str]:
        """Segment index -> path of the latest recorded download of each segment."""

        def read() -> dict[int, str]:
            rows = self._connection().execute(
                "SELECT segment_index, path FROM downloads WHERE call_id = ? ORDER BY completed_at", (call_id,)
            )
            return {row["segment_index"]: row["path"] for row in rows}

        return self._safely(read, {})

    def add_to_session(self, call_ids: Sequence[str], *, at: float | None = None) -> bool:
        """Note that this app session lists these calls, in this order (first listing wins)."""
        if self.session is None:
            return True
        start = time.time() if at is None else at
        rows = [(self.session, call_id, start + position * 1e-6) for position, call_id in enumerate(call_ids)]

        def write() -> bool:
            with self._write() as db:
                db.executemany(
                    "INSERT OR IGNORE INTO session_calls (session, call_id, added_at) VALUES (?, ?, ?)", rows
                )
            return True

        return self._safely(write, False, skipped="this session's calls are not remembered.")

    def last_session_call_ids(self) -> list[str]:
        """The calls listed in the most recent app session other than this one, in list order."""

        def read() -> list[str]:
            db = self._connection()
            row = db.execute(
                "SELECT session FROM session_calls WHERE session IS NOT ? ORDER BY added_at DESC LIMIT 1",
                (self.session,),
            ).fetchone()
            if row is None:
                return []
            return [
                listed["call_id"]
                for listed in db.execute(
                    "SELECT call_id FROM session_calls WHERE session = ? ORDER BY added_at", (row["session"],)
                )
            ]

        return self._safely(read, [])

    @staticmethod
    def _entry(row: sqlite3.Row) -> HistoryEntry | None:
        """One row as an entry; None for a row whose values cannot be one (a damaged file)."""
        try:
            return HistoryEntry(
                call_id=str(row["call_id"]),
                first_looked_up_at=_when(row["first_looked_up_at"]),
                last_looked_up_at=_when(row["last_looked_up_at"]),
                lookups=int(row["lookups"]),
                outcome=str(row["outcome"]),
                segments=row["segments"],
                synced=row["synced"],
                pending=row["pending"],
                downloaded=row["downloaded"] or 0,
                meta=_meta(row),
            )
        except (ValueError, TypeError, OverflowError, OSError):
            return None


def _like_pattern(text: str) -> str:
    """``text`` anywhere, its LIKE wildcards taken literally (with ``ESCAPE '\\'``)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_META_AT = 8
_DURATION = META_COLUMNS.index("duration")


def _meta(row: sqlite3.Row) -> CallMeta | None:
    """A row's metadata; None when its details were never got. A value of the wrong type (a
    damaged file) is left out, not trusted."""
    at = row["details_at"]
    if at is None:
        return None
    stored = tuple(row)[_META_AT : _META_AT + len(META_COLUMNS)]
    values: list[object] = [value if isinstance(value, str) else None for value in stored]
    duration = stored[_DURATION]
    if isinstance(duration, (int, float)) and not isinstance(duration, bool):
        values[_DURATION] = int(duration) if isinstance(duration, float) and duration.is_integer() else duration
    return CallMeta._make((*values, _when(at)))
