"""The lookup history in the Textual app, driven with Pilot against the fake API over loopback."""

from __future__ import annotations

import sqlite3

import pytest
from textual.widgets import OptionList

from recbrowser.history import HistoryStore
from recbrowser.lookups import lookup_one
from recbrowser.models import CallRecordings
from recbrowser.paths import Paths
from recbrowser.tui.screens import history as history_screen
from recbrowser.tui.screens.browser import BrowserScreen
from recbrowser.tui.screens.confirm import ConfirmScreen
from recbrowser.tui.screens.history import HistoryScreen
from recbrowser.tui.widgets.segment_table import SegmentTable
from tests.tui_helpers import (
    NO_RECORDING,
    PENDING_ONLY,
    SIMPLE,
    TRANSFER,
    listed_calls,
    look_up,
    make_app,
    notifications,
    settle,
    wait_until,
)

SIZE = (120, 36)
T0 = 1_767_225_600.0


async def open_history(pilot) -> HistoryScreen:
    await pilot.press("escape")  # leave the call-ID input
    await pilot.press("h")
    await settle(pilot)
    assert isinstance(pilot.app.screen, HistoryScreen)
    return pilot.app.screen


async def type_filter(pilot, text: str) -> None:
    screen = pilot.app.screen
    screen.query_one("#history-filter").focus()
    screen.query_one("#history-filter").value = ""
    await pilot.press(*text)
    await settle(pilot)


def history_rows(screen: HistoryScreen) -> list[list[str]]:
    return [list(cells) for cells in screen.shown_rows]


def history_ids(screen: HistoryScreen) -> list[str]:
    return [row[0] for row in history_rows(screen)]


def header(app) -> str:
    return str(app.screen.query_one("#call-header").render())


def segment_statuses(app) -> list[str]:
    table = app.screen.query_one(SegmentTable)
    return [table.get_row_at(i)[1].plain for i in range(table.row_count)]


def seed(*call_ids: str) -> None:
    """Entries as an earlier command-line run would leave them (no app session), oldest first."""
    store = HistoryStore(Paths.default().history_db)
    try:
        for n, call_id in enumerate(call_ids):
            body = {"recordings": [{"url": f"https://s.example/{call_id}.wav", "label": "main", "status": "synced"}]}
            store.record_lookup(call_id, CallRecordings.from_api(call_id, body), None, at=T0 + n)
    finally:
        store.close()


# --- recording ----------------------------------------------------------------------------


async def test_app_lookups_are_recorded_as_they_happen(fake):
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        entry = app.history.get(SIMPLE)
        assert (entry.lookups, entry.outcome, entry.segments, entry.synced) == (1, "ok", 1, 1)
        await look_up(pilot, NO_RECORDING)
        assert app.history.get(NO_RECORDING).outcome == "no_recording"
        await pilot.press("up")  # back to SIMPLE in the list
        await pilot.press("r")
        await settle(pilot)
        assert app.history.get(SIMPLE).lookups == 2


async def test_app_downloads_are_recorded_and_shown_in_the_history(fake):
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        await pilot.press("d")
        await settle(pilot)
        (path,) = app.history.downloads(SIMPLE).values()
        assert path.endswith(".wav")
        screen = await open_history(pilot)
        assert history_rows(screen)[0][0] == SIMPLE and history_rows(screen)[0][-1] == "1"


# --- the history screen ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "columns"),
    [
        (160, ["Call ID", "Last lookup", "Number", "Agent", "Lookups", "Outcome", "Segments", "Sync", "Downloaded"]),
        (140, ["Call ID", "Last lookup", "Number", "Agent", "Outcome", "Sync", "Downloaded"]),
        (120, ["Call ID", "Last lookup", "Number", "Agent", "Outcome", "Segments", "Sync", "Downloaded"]),
        (80, ["Call ID", "Number", "Outcome", "Sync"]),
        (60, ["Call ID", "Outcome", "Sync"]),
    ],
)
async def test_history_rows_stay_one_line_by_dropping_columns_on_narrow_terminals(fake, width: int, columns: list[str]):
    app = make_app(fake)
    async with app.run_test(size=(width, 30)) as pilot:
        await look_up(pilot, f"{TRANSFER} {NO_RECORDING}")
        screen = await open_history(pilot)
        header = str(screen.query_one("#history-header").render())
        assert header.split() == " ".join(columns).split()
        listing = screen.query_one(OptionList)
        room = listing.scrollable_content_region.width - 2  # each option's own padding
        prompts = [listing.get_option_at_index(i).prompt for i in range(listing.option_count)]
        assert len(prompts) == 2 and all(len(prompt) <= room for prompt in prompts)
        if width <= 120:  # the call ID is shortened as in the calls list
            assert sorted(p.plain[:10] for p in prompts) == sorted(f"{c[:8]}… " for c in (TRANSFER, NO_RECORDING))


async def test_h_opens_the_history_newest_first_and_escape_goes_back(fake):
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, TRANSFER)
        await look_up(pilot, SIMPLE)
        await look_up(pilot, NO_RECORDING)
        screen = await open_history(pilot)
        rows = history_rows(screen)
        assert [row[0] for row in rows] == [NO_RECORDING, SIMPLE, TRANSFER]
        assert rows[0][5] == "no_recording" and rows[1][5] == "ok" and rows[2][6] == "4"
        assert "2 synced · 2 pending" in rows[2][7]
        assert "3 calls in the history" in str(screen.query_one("#history-count").render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)


async def test_filter_as_you_type_narrows_the_rows(fake):
    seed(TRANSFER, SIMPLE, PENDING_ONLY)
    store = HistoryStore(Paths.default().history_db)
    store.record_lookup(  # TRANSFER with its real labels
        TRANSFER,
        CallRecordings.from_api(TRANSFER, {"recordings": [{"label": "main"}, {"label": "transfer_conference"}]}),
        None,
        at=T0 + 10,
    )
    store.close()
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        assert history_ids(screen) == [TRANSFER, PENDING_ONLY, SIMPLE]
        await type_filter(pilot, "Ferred")  # only in the friendly label "Transferred Call"
        assert history_ids(screen) == [TRANSFER]
        assert "matching 'Ferred'" in str(screen.query_one("#history-count").render())
        await type_filter(pilot, "7F3D")
        assert history_ids(screen) == [SIMPLE]
        await type_filter(pilot, "main")
        assert history_ids(screen) == [TRANSFER, PENDING_ONLY, SIMPLE]
        await type_filter(pilot, "zq")
        assert history_ids(screen) == []
        await pilot.press("enter")  # nothing to choose: stays
        await pilot.pause()
        assert app.screen is screen
        assert fake.requests["api"] == []


async def test_enter_shows_the_cached_answer_at_once_then_refreshes_it(fake, make_client):
    fake.faults.sync_after_lookups = 1  # the first lookup sees it pending, the next one synced
    store = HistoryStore(Paths.default().history_db)
    assert (await lookup_one(make_client(), PENDING_ONLY, store)).error is None
    store.close()
    assert fake.lookup_count(PENDING_ONLY) == 1

    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert listed_calls(app) == []
        await open_history(pilot)
        fake.faults.lookup_hold = PENDING_ONLY  # the background refresh stays in flight while the cached answer shows
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, BrowserScreen) and PENDING_ONLY in app.screen.book.calls)
        assert "cached" in header(app) and "looking up" in header(app)
        assert segment_statuses(app) == ["◐ pending"]
        assert listed_calls(app) == [PENDING_ONLY]
        assert fake.lookup_count(PENDING_ONLY) == 1

        fake.faults.lookup_release.set()
        await settle(pilot)
        assert fake.lookup_count(PENDING_ONLY) == 2
        assert "cached" not in header(app) and "looking up" not in header(app)
        assert segment_statuses(app) == ["● synced"]
        assert app.history.get(PENDING_ONLY).lookups == 2


async def test_delete_forgets_an_entry_only_after_confirmation(fake):
    seed(TRANSFER, SIMPLE)
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        await pilot.press("down")  # from the filter to the list; the newest row is highlighted
        for keep in ("n", "escape"):
            await pilot.press("delete")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            assert SIMPLE in str(app.screen.query_one("Static").render())
            await pilot.press(keep)
            await settle(pilot)
            assert app.screen is screen
            assert history_ids(screen) == [SIMPLE, TRANSFER]
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is screen
        assert history_ids(screen) == [TRANSFER]
        assert "1 call in the history" in str(screen.query_one("#history-count").render())
        assert app.history.get(SIMPLE) is None and app.history.get(TRANSFER) is not None


async def test_clear_history_command_asks_first(fake):
    seed(TRANSFER, SIMPLE)
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        browser = app.screen
        app.action_clear_history()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert app.history.count() == 2
        app.action_clear_history()
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is browser
        assert app.history.count() == 0
        assert any("Removed 2 entries" in m for m in notifications(app))


async def test_clear_history_from_the_command_palette(fake):
    seed(TRANSFER, SIMPLE)
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"clear hi")
        await settle(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot)
        assert app.history.count() == 0


# --- restoring the last session ---------------------------------------------------------


async def test_the_calls_of_the_last_session_come_back_from_the_cache(fake):
    path = Paths.default().history_db
    first = make_app(fake, history=HistoryStore(path, session="first"))
    async with first.run_test(size=SIZE) as pilot:
        await look_up(pilot, TRANSFER)
        await look_up(pilot, SIMPLE)
        assert listed_calls(first) == [TRANSFER, SIMPLE]
    requests = len(fake.requests["api"])

    second = make_app(fake, history=HistoryStore(path, session="second"))
    async with second.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: listed_calls(second))  # restored shortly after the first frame
        await settle(pilot)
        assert listed_calls(second) == [TRANSFER, SIMPLE]
        state = second.screen.book.calls[TRANSFER]
        assert state.recordings is not None and len(state.recordings.segments) == 4 and state.cached_at is not None
        assert "cached" in header(second)
        assert len(fake.requests["api"]) == requests


async def test_restored_calls_keep_the_list_order_even_when_an_earlier_lookup_finished_later(fake):
    path = Paths.default().history_db
    first = make_app(fake, history=HistoryStore(path, session="first"))
    async with first.run_test(size=SIZE) as pilot:
        fake.faults.rate_limit = 1  # TRANSFER's first answer is a 429: it retries a second later
        fake.faults.retry_after = 1
        await pilot.press("slash")
        first.screen.query_one("#ids").value = TRANSFER
        await pilot.press("enter")
        await wait_until(pilot, lambda: fake.faults.rate_limit == 0 and len(fake.requests["api"]) == 1)
        await look_up(pilot, SIMPLE)  # answered while TRANSFER waits to retry; settle waits for both
        assert listed_calls(first) == [TRANSFER, SIMPLE]

    second = make_app(fake, history=HistoryStore(path, session="second"))
    async with second.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: listed_calls(second))
        await settle(pilot)
        assert listed_calls(second) == [TRANSFER, SIMPLE]


async def test_restored_calls_stay_in_the_session_they_were_restored_into(fake):
    path = Paths.default().history_db
    first = make_app(fake, history=HistoryStore(path, session="first"))
    async with first.run_test(size=SIZE) as pilot:
        await look_up(pilot, TRANSFER)
    second = make_app(fake, history=HistoryStore(path, session="second"))
    async with second.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: listed_calls(second) == [TRANSFER])
        await look_up(pilot, SIMPLE)
        assert listed_calls(second) == [TRANSFER, SIMPLE]
    third = make_app(fake, history=HistoryStore(path, session="third"))
    async with third.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: listed_calls(third))
        await settle(pilot)
        assert listed_calls(third) == [TRANSFER, SIMPLE]


# --- a damaged file ---------------------------------------------------------------------


async def test_a_corrupt_history_file_is_a_notification_and_the_app_carries_on(fake):
    path = Paths.default().history_db
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x13\x37 this is no database " * 200)
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        warnings = [n for n in app._notifications if n.severity == "warning"]
        assert len(warnings) == 1 and "moved it to" in warnings[0].message and "\n" not in warnings[0].message
        await look_up(pilot, SIMPLE)
        assert app.history.get(SIMPLE).outcome == "ok"
    assert len(list(path.parent.glob("history.sqlite3.corrupt-*"))) == 1


# --- scale ------------------------------------------------------------------------------


def fake_id(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-{n:012x}"


async def test_the_history_screen_opens_and_filters_100k_entries(fake):
    total = 100_000
    path = Paths.default().history_db
    HistoryStore(path).close()
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO calls (call_id, first_looked_up_at, last_looked_up_at, lookups, outcome, segments, synced, pending, labels)"
            " VALUES (?, ?, ?, 1, 'ok', 1, 1, 0, ?)",
            (
                (fake_id(n), T0 + n, T0 + n, "main main call" if n % 7 else "transfer_conference transferred call")
                for n in range(total)
            ),
        )
        db.execute("COMMIT")
    finally:
        db.close()

    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        shown = history_screen.SHOWN  # the screen lists only the newest matches
        screen = await open_history(pilot)
        assert history_ids(screen) == [fake_id(n) for n in range(total - 1, total - 1 - shown, -1)]
        note = str(screen.query_one("#history-count").render())
        assert f"100000 calls in the history · showing {shown}" in note and "type to narrow" in note

        await type_filter(pilot, "ferred")
        assert history_ids(screen) == [fake_id(n) for n in range(total - 1, -1, -1) if n % 7 == 0][:shown]
        await type_filter(pilot, "BEEF")  # only in 0000beef-0000-4000-8000-00000000beef
        assert history_ids(screen) == [fake_id(0xBEEF)]
        assert not [n for n in app._notifications if n.severity == "error"]
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: isinstance(app.screen, BrowserScreen) and fake_id(0xBEEF) in app.screen.book.calls
        )
        await settle(pilot)
        assert listed_calls(app) == [fake_id(0xBEEF)]
