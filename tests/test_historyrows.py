"""What a history entry shows, built straight from entries (no app, no terminal)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from recbrowser.fakeapi.samples import MAIN_CALL, TRANSFER_CALL
from recbrowser.history import CallMeta, HistoryEntry
from recbrowser.historyrows import LIST_COLUMNS, TABLE_COLUMNS, HistoryRow, count_note, format_history

NOW = datetime.now(timezone.utc)


def entry(call_id: str = MAIN_CALL, **values: object) -> HistoryEntry:
    fields: dict[str, object] = {
        "first_looked_up_at": NOW - timedelta(days=30),
        "last_looked_up_at": NOW - timedelta(hours=3),
        "lookups": 2,
        "outcome": "ok",
        "segments": 4,
        "synced": 2,
        "pending": 2,
        "downloaded": 0,
    }
    fields.update(values)
    return HistoryEntry(call_id=call_id, **fields)  # type: ignore[arg-type]


def test_an_answered_call_shows_its_counts_in_both_forms() -> None:
    row = HistoryRow.of(entry(downloaded=3))
    assert row.table_cells() == (row.call_id, "3 h ago", "—", "—", "2", "ok", "4", "2", "2", "3")
    assert row.list_cells() == (row.call_id, "3 h ago", "—", "—", "2", "ok", "4", "2 synced · 2 pending", "3")
    assert len(row.table_cells()) == len(TABLE_COLUMNS) and len(row.list_cells()) == len(LIST_COLUMNS)


def test_a_call_without_an_answer_shows_dashes_and_the_list_a_dash_for_no_downloads() -> None:
    row = HistoryRow.of(entry(outcome="not_found", segments=None, synced=None, pending=None))
    assert row.table_cells()[5:] == ("not_found", "—", "—", "—", "0")
    assert row.list_cells()[5:] == ("not_found", "—", "—", "—")


def test_a_call_with_nothing_pending_says_only_how_many_are_synced() -> None:
    assert HistoryRow.of(entry(synced=1, pending=0, segments=1)).sync == "1 synced"


def test_old_lookups_show_their_date_in_utc_when_asked() -> None:
    moment = datetime(2025, 12, 31, 23, 30, tzinfo=timezone.utc)
    assert HistoryRow.of(entry(last_looked_up_at=moment), utc=True).last_lookup == "2025-12-31"


def test_the_table_pads_every_column_to_its_widest_cell() -> None:
    first, second = entry(lookups=12), entry(TRANSFER_CALL, outcome="server_error")
    header, *rows = format_history([first, second]).splitlines()
    assert header.index("Last lookup") == rows[0].index("3 h ago") == 36 + 2
    assert rows[0].index("12") == rows[1].index("2 ") == header.index("Lookups")
    assert rows[0].index("ok") == rows[1].index("server_error") == header.index("Outcome")
    assert all(line == line.rstrip() for line in (header, *rows))
    assert format_history([]) == "No lookups in the history.\n"


def test_the_count_note_says_what_is_shown_and_when_the_list_is_cut() -> None:
    assert count_note(1, 1, "", limit=100) == "1 call in the history · showing 1"
    assert count_note(3, 0, "zq", limit=100) == "3 calls in the history · showing 0 matching 'zq'"
    assert count_note(500, 100, "", limit=100) == "500 calls in the history · showing 100 (the newest; type to narrow)"


def test_the_other_partys_number_and_the_agent_show_once_the_details_were_got() -> None:
    inbound = CallMeta(direction="inbound", from_number="+15550100", to_number="+15550199", agent_name="Ava")
    outbound = CallMeta(direction="outbound", from_number="+15550199", to_number="+15550123", agent_id="agent-7")
    assert HistoryRow.of(entry(meta=inbound)).list_cells()[2:4] == ("+15550100", "Ava")
    assert HistoryRow.of(entry(meta=outbound)).table_cells()[2:4] == ("+15550123", "agent-7")


def test_numbers_and_agent_names_from_the_server_are_shown_printable_and_bounded() -> None:
    meta = CallMeta(from_number="+1\x1b[31m555", agent_name="[bold]Eve[/bold]\u202e" + "x" * 200)
    row = HistoryRow.of(entry(meta=meta))
    assert "\x1b" not in row.number and "\u202e" not in row.agent
    assert len(row.agent) <= 24 and row.agent.startswith("[bold]Eve")
