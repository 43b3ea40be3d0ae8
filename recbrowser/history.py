"""The lookup history: a SQLite store written as each lookup happens, readable offline.

One row per call ID (first and last lookup, count, last outcome, counts, the last successful
answer) plus the downloads. WAL mode, a busy timeout and ``BEGIN IMMEDIATE`` writes let two
running instances share it without losing an entry. The file is private (0600): cached
answers hold signed recording URLs that work without other credentials. A corrupt file is
moved aside and a fresh one started. The API key is never stored.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Sequence

from recbrowser.errors import ApiError
from recbrowser.models import CallRecordings
from recbrowser.settings import private_dir

BUSY_TIMEOUT_MS = 10_000

# Each entry upgrades the schema by one version; PRAGMA user_version counts those applied.
MIGRATIONS: list[str] = [
    # 1: one row per call ID.
    """
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
    """,
    # 2: searchable labels (filled from cached answers after this step), the calls listed in
    # each app session (to list them again on the next start), downloads.
    """
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
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)
OPEN_TRIES = 6


class NewerSchema(sqlite3.DatabaseError):
    """The file comes from a newer recbrowser: never migrated down, never moved aside."""


def _is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    """True only for SQLite's "not a database" and "malformed" errors, not busy or I/O ones."""
    name = getattr(exc, "sqlite_errorname", "")  # Python 3.11+
    if name:
        return name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT"))
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text


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
    response_at: datetime | None

    def to_json(self) -> dict[str, object]:
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
        }


@dataclass(frozen=True)
class CachedCall:
    recordings: CallRecordings
    fetched_at: datetime


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _when(epoch: float | None) -> datetime | None:
    return datetime.fromtimestamp(epoch, timezone.utc) if epoch is not None else None


def _search_text(call: CallRecordings) -> str:
    words = set()
    for segment in call.segments:
        words.add((segment.label or "main").lower())
        words.add(segment.friendly_label.lower())
    return " ".join(sorted(words))


class HistoryStore:
    """Thread-safe access to the history database (one connection per thread)."""

    def __init__(self, path: Path, *, session: str | None = None) -> None:
        self.path = path
        self.session = session
        self.warnings: list[str] = []
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._memory = False
        self._open_checked()

    # --- opening, migrating, recovering ------------------------------------------------

    def _open_checked(self) -> None:
        """Open and migrate. Only a file SQLite calls corrupt is moved aside: a busy or locked
        file (another instance creating it at the same moment) is retried, never discarded."""
        problem: Exception | None = None
        for attempt in range(OPEN_TRIES):
            try:
                self._prepare_file()
                with self._write() as db:
                    self._migrate(db)
                return
            except NewerSchema as exc:
                self._go_memory(
                    f"The history file {self.path} was written by a newer recbrowser ({exc}); it is left untouched "
                    "and this run keeps its history in memory only."
                )
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

    def _prepare_file(self) -> None:
        private_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        os.chmod(self.path, 0o600)

    def _recover(self, exc: Exception) -> None:
        self.close()
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
            with self._write() as db:
                self._migrate(db)
        except (OSError, sqlite3.DatabaseError) as again:
            self._go_memory(f"History is off for this run: {self.path} is unusable ({again}).")
            return
        self.warnings.append(f"The history file was unreadable ({exc}); moved it to {aside} and started a new one.")

    def _go_memory(self, warning: str) -> None:
        self.close()
        self._memory = True
        self.warnings.append(warning)
        with self._write() as db:
            self._migrate(db)

    def _connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            if self._memory:
                db = sqlite3.connect(f"file:recbrowser-history-{id(self)}?mode=memory&cache=shared", uri=True, check_same_thread=False)
            else:
                db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
                db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if mode.lower() != "wal":  # e.g. a file system without shared memory
                    self.warnings.append(f"History runs without WAL ({mode}).")
                db.execute("PRAGMA synchronous = NORMAL")
            db.isolation_level = None
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
        except BaseException:
            db.execute("ROLLBACK")
            raise
        else:
            db.execute("COMMIT")

    def _migrate(self, db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise NewerSchema(f"schema version {version}; this recbrowser knows up to {SCHEMA_VERSION}")
        for number in range(version, SCHEMA_VERSION):
            for statement in filter(str.strip, MIGRATIONS[number].split(";")):
                db.execute(statement)
            if number + 1 == 2:
                self._backfill_labels(db)
            db.execute(f"PRAGMA user_version = {number + 1}")

    @staticmethod
    def _backfill_labels(db: sqlite3.Connection) -> None:
        """Entries from before labels were searchable get them from their cached answer."""
        rows = db.execute("SELECT call_id, response FROM calls WHERE response IS NOT NULL").fetchall()
        for call_id, response in rows:
            try:
                labels = _search_text(CallRecordings.from_api(call_id, json.loads(response)))
            except (ValueError, ApiError):
                continue
            db.execute("UPDATE calls SET labels = ? WHERE call_id = ?", (labels, call_id))

    def close(self) -> None:
        with self._lock:
            for db in self._connections:
                try:
                    db.close()
                except sqlite3.Error:
                    pass
            self._connections.clear()
        self._local = threading.local()

    # --- writing ------------------------------------------------------------------------

    def _failed_write(self, exc: Exception) -> None:
        message = f"Could not write the history ({exc}); this result is not saved."
        if message not in self.warnings:
            self.warnings.append(message)

    def record_lookup(self, call_id: str, recordings: CallRecordings | None, error: ApiError | None, *, at: float | None = None) -> bool:
        """Record one lookup as it happens: an answer (cached for offline use) or an error code.

        Returns False (and adds a warning) when the database cannot be written; never raises.
        """
        try:
            self._record_lookup(call_id, recordings, error, time.time() if at is None else at)
        except (sqlite3.Error, OSError) as exc:
            self._failed_write(exc)
            return False
        return True

    def _record_lookup(self, call_id: str, recordings: CallRecordings | None, error: ApiError | None, now: float) -> None:
        outcome = "ok" if error is None else error.code
        with self._write() as db:
            db.execute(
                "INSERT OR IGNORE INTO calls (call_id, first_looked_up_at, last_looked_up_at, lookups, outcome) VALUES (?, ?, ?, 0, ?)",
                (call_id, now, now, outcome),
            )
            db.execute(
                "UPDATE calls SET last_looked_up_at = ?, lookups = lookups + 1, outcome = ? WHERE call_id = ?",
                (now, outcome, call_id),
            )
            if recordings is not None:
                db.execute(
                    "UPDATE calls SET segments = ?, synced = ?, pending = ?, response = ?, response_at = ?, labels = ?"
                    " WHERE call_id = ?",
                    (
                        len(recordings.segments),
                        recordings.synced_count,
                        recordings.pending_count,
                        json.dumps(recordings.to_api_dict()),
                        now,
                        _search_text(recordings),
                        call_id,
                    ),
                )

    def record_download(self, call_id: str, index: int, label: str | None, path: Path, size: int, *, at: float | None = None) -> bool:
        """Record a completed download; like ``record_lookup`` it never raises."""
        try:
            with self._write() as db:
                db.execute(
                    "INSERT OR REPLACE INTO downloads (call_id, segment_index, label, path, bytes, completed_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (call_id, index, label, str(path), size, time.time() if at is None else at),
                )
        except (sqlite3.Error, OSError) as exc:
            self._failed_write(exc)
            return False
        return True

    def forget(self, call_ids: Sequence[str]) -> int:
        with self._write() as db:
            removed = 0
            for call_id in call_ids:
                removed += db.execute("DELETE FROM calls WHERE call_id = ?", (call_id,)).rowcount
                db.execute("DELETE FROM downloads WHERE call_id = ?", (call_id,))
                db.execute("DELETE FROM session_calls WHERE call_id = ?", (call_id,))
            return removed

    def clear(self) -> int:
        with self._write() as db:
            removed = db.execute("DELETE FROM calls").rowcount
            db.execute("DELETE FROM downloads")
            db.execute("DELETE FROM session_calls")
            return removed

    # --- reading ------------------------------------------------------------------------

    _ENTRY_COLUMNS = (
        "c.call_id, c.first_looked_up_at, c.last_looked_up_at, c.lookups, c.outcome, c.segments, c.synced, c.pending,"
        " (SELECT COUNT(DISTINCT d.segment_index) FROM downloads d WHERE d.call_id = c.call_id), c.response_at"
    )

    def entries(self, *, search: str | None = None, limit: int | None = None) -> list[HistoryEntry]:
        """Newest first; ``search`` matches call IDs and labels (raw or friendly), any case."""
        sql = f"SELECT {self._ENTRY_COLUMNS} FROM calls c"
        params: list[object] = []
        if search and search.strip():
            pattern = "%" + search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            sql += " WHERE c.call_id LIKE ? ESCAPE '\\' OR c.labels LIKE ? ESCAPE '\\'"
            params += [pattern, pattern]
        sql += " ORDER BY c.last_looked_up_at DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [self._entry(row) for row in self._connection().execute(sql, params)]

    def count(self) -> int:
        return self._connection().execute("SELECT COUNT(*) FROM calls").fetchone()[0]

    def get(self, call_id: str) -> HistoryEntry | None:
        row = self._connection().execute(f"SELECT {self._ENTRY_COLUMNS} FROM calls c WHERE c.call_id = ?", (call_id,)).fetchone()
        return self._entry(row) if row else None

    def cached(self, call_id: str) -> CachedCall | None:
        """The last successful answer for a call, for offline use."""
        row = self._connection().execute("SELECT response, response_at FROM calls WHERE call_id = ?", (call_id,)).fetchone()
        if row is None or row[0] is None:
            return None
        try:
            recordings = CallRecordings.from_api(call_id, json.loads(row[0]))
        except (ValueError, ApiError):
            return None
        return CachedCall(recordings, _when(row[1]) or datetime.now(timezone.utc))

    def downloads(self, call_id: str) -> dict[int, str]:
        """Segment index -> path of the latest recorded download of each segment."""
        rows = self._connection().execute(
            "SELECT segment_index, path FROM downloads WHERE call_id = ? ORDER BY completed_at", (call_id,)
        )
        return {index: path for index, path in rows}

    def add_to_session(self, call_ids: Sequence[str], *, at: float | None = None) -> bool:
        """Note that this app session lists these calls, in this order (first listing wins)."""
        if self.session is None:
            return True
        start = time.time() if at is None else at
        try:
            with self._write() as db:
                db.executemany(
                    "INSERT OR IGNORE INTO session_calls (session, call_id, added_at) VALUES (?, ?, ?)",
                    [(self.session, call_id, start + position * 1e-6) for position, call_id in enumerate(call_ids)],
                )
        except (sqlite3.Error, OSError) as exc:
            self._failed_write(exc)
            return False
        return True

    def last_session_call_ids(self) -> list[str]:
        """The calls listed in the most recent app session other than this one, in list order."""
        db = self._connection()
        row = db.execute(
            "SELECT session FROM session_calls WHERE session IS NOT ? ORDER BY added_at DESC LIMIT 1", (self.session,)
        ).fetchone()
        if row is None:
            return []
        return [r[0] for r in db.execute("SELECT call_id FROM session_calls WHERE session = ? ORDER BY added_at", (row[0],))]

    @staticmethod
    def _entry(row: tuple) -> HistoryEntry:  # type: ignore[type-arg]
        return HistoryEntry(
            call_id=row[0],
            first_looked_up_at=_when(row[1]),  # type: ignore[arg-type]
            last_looked_up_at=_when(row[2]),  # type: ignore[arg-type]
            lookups=row[3],
            outcome=row[4],
            segments=row[5],
            synced=row[6],
            pending=row[7],
            downloaded=row[8] or 0,
            response_at=_when(row[9]),
        )
