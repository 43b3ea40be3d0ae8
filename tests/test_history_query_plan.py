"""`history --search` stays quick over 100,000 entries because SQLite walks the newest-first
search index (which also holds the searched columns) and stops at the limit; a plan that
sorted the matches first would read every row."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from recbrowser.fakeapi.samples import MAIN_CALL, TRANSFER_CALL
from recbrowser.history import HistoryStore
from recbrowser.models import CallRecordings


def test_a_search_walks_the_newest_first_index_and_sorts_nothing(tmp_path):
    store = HistoryStore(tmp_path / "history.sqlite3")
    for call_id, label in ((MAIN_CALL, "main"), (TRANSFER_CALL, "transfer_conference")):
        answer = {"call_id": call_id, "recordings": [{"url": "https://s.example/1.wav", "label": label}]}
        assert store.record_lookup(call_id, CallRecordings.from_api(call_id, answer), None)
    statements: list[str] = []
    store._connection().set_trace_callback(statements.append)
    assert [entry.call_id for entry in store.entries(search="transfer", limit=50)] == [TRANSFER_CALL]
    store.close()
    (search,) = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT") and "calls" in sql]
    with closing(sqlite3.connect(tmp_path / "history.sqlite3")) as db:
        plan = [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + search, [None] * search.count("?"))]
    assert any("INDEX calls_search" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan
