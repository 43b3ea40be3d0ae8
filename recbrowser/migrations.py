"""The history database's schema, built by named steps applied once each, in order.

``PRAGMA user_version`` counts the steps a file has had (as it always has), so a file made by
any earlier recbrowser opens and is brought up to date; a file with a higher count comes from
a newer recbrowser and is never migrated down. Append new steps; never edit or reorder one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from recbrowser.errors import ApiError
from recbrowser.models import CallRecordings, friendly_label

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[Migration] = []


class NewerSchema(sqlite3.DatabaseError):
    """The file comes from a newer recbrowser: never migrated down, never moved aside."""


def migration(step: Migration) -> Migration:
    """Register ``step`` as the next schema version."""
    MIGRATIONS.append(step)
    return step


def search_text(call: CallRecordings) -> str:
    """What the ``labels`` column holds for an answer: its raw and friendly labels, lowercase."""
    labels = {segment.label for segment in call.segments}  # few distinct ones, even among 100,000 segments
    words = {(label or "main").lower() for label in labels} | {friendly_label(label).lower() for label in labels}
    return " ".join(sorted(words))


@migration
def m001_calls(db: sqlite3.Connection) -> None:
    """One row per call ID."""
    db.execute(
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
        )
        """
    )
    db.execute("CREATE INDEX calls_by_last_lookup ON calls (last_looked_up_at DESC)")


@migration
def m002_labels_sessions_downloads(db: sqlite3.Connection) -> None:
    """Searchable labels (filled from the cached answers already there), the calls listed in
    each app session (to list them again on the next start), and downloads."""
    db.execute("ALTER TABLE calls ADD COLUMN labels TEXT NOT NULL DEFAULT ''")
    db.execute(
        """
        CREATE TABLE session_calls (
            session TEXT NOT NULL,
            call_id TEXT NOT NULL,
            added_at REAL NOT NULL,
            PRIMARY KEY (session, call_id)
        )
        """
    )
    db.execute("CREATE INDEX session_calls_by_time ON session_calls (added_at)")
    db.execute(
        """
        CREATE TABLE downloads (
            call_id TEXT NOT NULL,
            segment_index INTEGER NOT NULL,
            label TEXT,
            path TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            completed_at REAL NOT NULL,
            PRIMARY KEY (call_id, segment_index, path)
        )
        """
    )
    for call_id, response in db.execute("SELECT call_id, response FROM calls WHERE response IS NOT NULL").fetchall():
        try:
            labels = search_text(CallRecordings.from_api(call_id, json.loads(response)))
        except (ValueError, TypeError, RecursionError, ApiError):
            continue  # an answer that no longer parses keeps no labels
        db.execute("UPDATE calls SET labels = ? WHERE call_id = ?", (labels, call_id))


@migration
def m003_call_metadata(db: sqlite3.Connection) -> None:
    """Each call's metadata from get-call (or list-calls): columns for the history's rows and
    ``--json``, ``meta`` (numbers, agent, summary words) for search, and, in a table of their
    own so that searching never reads transcripts, the details (the bounded answer with its
    transcript) for offline use. Older rows have none until the call's details are got again."""
    for column in (
        "direction TEXT",
        "from_number TEXT",
        "to_number TEXT",
        "agent_id TEXT",
        "agent_name TEXT",
        "started_at TEXT",
        "ended_at TEXT",
        "duration REAL",
        "status TEXT",
        "sentiment TEXT",
        "summary TEXT",
        "meta TEXT NOT NULL DEFAULT ''",
        "details_at REAL",
    ):
        db.execute(f"ALTER TABLE calls ADD COLUMN {column}")
    # Search reads only this index (newest first, the searched text in it): a scan of the
    # calls table's wider rows, or a seek per row, was twice as slow over 100,000 entries.
    db.execute("CREATE INDEX calls_search ON calls (last_looked_up_at DESC, call_id, labels, meta)")
    db.execute(
        """
        CREATE TABLE call_details (
            call_id TEXT PRIMARY KEY,
            details BLOB NOT NULL,
            fetched_at REAL NOT NULL
        )
        """
    )


SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: sqlite3.Connection) -> int:
    """How many steps the file has had; NewerSchema when this recbrowser knows fewer."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise NewerSchema(f"schema version {version}; this recbrowser knows up to {SCHEMA_VERSION}")
    return version


def migrate(db: sqlite3.Connection) -> None:
    """Apply the steps the file has not had, each recorded as it completes (inside the
    caller's transaction, so a step that fails leaves the version it started from)."""
    for number in range(schema_version(db), SCHEMA_VERSION):
        MIGRATIONS[number](db)
        db.execute(f"PRAGMA user_version = {number + 1}")
