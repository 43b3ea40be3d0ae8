"""The history's schema steps, driven directly on plain SQLite connections."""

from __future__ import annotations

import json
import sqlite3

import pytest

from recbrowser.migrations import MIGRATIONS, SCHEMA_VERSION, NewerSchema, migrate, schema_version


def test_steps_are_named_and_numbered_in_the_order_they_apply() -> None:
    assert [step.__name__[:5] for step in MIGRATIONS] == [f"m{n:03d}_" for n in range(1, SCHEMA_VERSION + 1)]


def test_a_new_file_gets_every_step_once_and_a_second_run_changes_nothing() -> None:
    db = sqlite3.connect(":memory:")
    migrate(db)
    assert schema_version(db) == SCHEMA_VERSION
    tables = db.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    migrate(db)  # every step already recorded: none runs again (a CREATE TABLE would fail)
    assert db.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall() == tables
    assert {"calls", "session_calls", "downloads", "call_details"} <= {name for name, _ in tables}


def test_a_file_part_way_through_gets_only_the_steps_it_lacks_and_its_answers_labelled() -> None:
    db = sqlite3.connect(":memory:")
    MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    answer = {"recordings": [{"url": "https://s.example/a.wav", "label": "transfer_conference"}]}
    db.execute(
        "INSERT INTO calls (call_id, first_looked_up_at, last_looked_up_at, lookups, outcome, response)"
        " VALUES ('c1', 0, 0, 1, 'ok', ?), ('c2', 0, 0, 1, 'ok', '{not json')",
        (json.dumps(answer),),
    )
    migrate(db)
    assert schema_version(db) == SCHEMA_VERSION
    labels = dict(db.execute("SELECT call_id, labels FROM calls"))
    assert labels == {"c1": "transfer_conference transferred call", "c2": ""}


def test_a_file_from_a_newer_recbrowser_is_refused_and_left_as_it_is() -> None:
    db = sqlite3.connect(":memory:")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(NewerSchema, match=f"schema version {SCHEMA_VERSION + 1}"):
        migrate(db)
    assert db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0
