"""The app's call details, transcript pane and calls view, driven with Pilot against the fake API."""

from __future__ import annotations

import json

from textual.widgets import DataTable, Input, OptionList

from recbrowser.fakeapi import FakeMagpipe
from recbrowser.fakeapi.samples import (
    MAIN_CALL,
    NO_RECORDING_CALL,
    NULLS_CALL,
    PENDING_CALL,
    SAMPLE_CALLS,
    TRANSFER_CALL,
    UNKNOWN_VALUES_CALL,
)
from recbrowser.history import HistoryStore
from recbrowser.lookups import lookup_one
from recbrowser.paths import Paths
from recbrowser.tui.screens.browser import BrowserScreen
from recbrowser.tui.screens.calls import CallsScreen
from recbrowser.tui.widgets.call_header import CallHeader
from recbrowser.tui.widgets.call_info import CallInfo
from recbrowser.tui.widgets.call_list import CallList
from recbrowser.tui.widgets.transcript import TranscriptPane
from tests.tui_helpers import OTHER_ACCOUNT, SIMPLE, TRANSFER, look_up, make_app, settle, table_rows, wait_until

SIZE = (120, 40)
DEMO_IDS = [
    c.call_id
    for c in sorted((c for c in SAMPLE_CALLS if c.account == "demo"), key=lambda c: c.created_at, reverse=True)
]


def info(app) -> str:
    return str(app.screen.query_one(CallInfo).render())


def transcript(app) -> list[str]:
    listing = app.screen.query_one("#transcript", OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


def list_offsets(fake: FakeMagpipe) -> list[int]:
    return [json.loads(r.body)["offset"] for r in fake.requests["api"] if r.path.endswith("/list-calls")]


def calls_rows(app) -> list[list[str]]:
    """The calls view's rows without their recordings mark (see ``marks``)."""
    table = app.screen.query_one("#calls-table", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)[1:]] for i in range(table.row_count)]


def marks(app) -> dict[str, str]:
    """Each row's recordings mark, by call ID."""
    table = app.screen.query_one("#calls-table", DataTable)
    return {row.key.value: str(table.get_cell(row.key, "rec")) for row in table.ordered_rows}


async def open_calls_view(pilot) -> None:
    await pilot.press("escape", "l")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CallsScreen)


# --- details and transcript --------------------------------------------------------------


async def test_a_call_entered_by_id_shows_its_details_above_the_segments_and_its_transcript(fake):
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, TRANSFER)
        shown = info(app)
        for words in ("↙ inbound", "+14155550142 → +14155550100", "Billing Assistant", "Completed", "neutral", "4:25"):
            assert words in shown
        assert "transferred to an accountant" in shown
        assert app.screen.book.calls[TRANSFER].details is not None  # kept in the book, not the widget
        assert transcript(app) == ["Agent: Let me transfer you to our accountant.", "Caller: Sure, thanks."]
        assert len(table_rows(app)) == 4
        info_y = app.screen.query_one(CallInfo).region.y
        assert info_y < app.screen.query_one("#segments").region.y < app.screen.query_one(TranscriptPane).region.y


async def test_a_call_without_a_transcript_says_so(fake):
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, NULLS_CALL)
        assert transcript(app) == ["This call has no transcript."]
        assert "Front Desk" in info(app)


async def test_get_call_failing_is_one_line_in_the_details_and_the_segments_still_show(fake):
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        fake.faults.get_call_error = 100  # every try of get-call: a 500; the lookups are unaffected
        await look_up(pilot, SIMPLE)
        assert info(app).startswith("✗ No details:") and "server error (500)" in info(app)
        assert "\n" not in info(app)
        assert len(table_rows(app)) == 1
        assert transcript(app) == ["No transcript: the call's details could not be got."]
        fake.faults.get_call_error = 0
        await pilot.press("r")
        await settle(pilot)
        assert "Front Desk" in info(app)  # r gets them again


async def test_an_unknown_call_is_not_asked_for_details_its_header_says_not_found(fake):
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, OTHER_ACCOUNT)
        await settle(pilot)
        assert "not found" in str(app.screen.query_one(CallHeader).render()).lower()
        assert "No details" not in info(app)
        assert [r.path.rsplit("/", 1)[1] for r in fake.requests["api"]] == ["get-signed-recording-url"]


async def test_a_failed_lookup_asks_for_no_details_and_the_next_good_one_gets_them(fake):
    fake.faults.fail_500 = 3  # every try of the first lookup
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        await settle(pilot)
        assert "get-call" not in [r.path.rsplit("/", 1)[1] for r in fake.requests["api"]]
        await pilot.press("r")
        await settle(pilot)
        assert [r.path.rsplit("/", 1)[1] for r in fake.requests["api"]].count("get-call") == 1
        assert app.screen.book.calls[SIMPLE].details is not None


async def test_the_details_are_got_once_per_call_not_on_every_refresh_of_pending_segments(fake):
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, TRANSFER)
        app.screen._refresh_pending()
        await settle(pilot)
        paths = [r.path.rsplit("/", 1)[1] for r in fake.requests["api"]]
        assert paths.count("get-signed-recording-url") == 2
        assert paths.count("get-call") == 1


async def test_searching_the_transcript_marks_the_matches_and_jumps_between_them(fake):
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(
            pilot, SIMPLE
        )  # Agent: Thanks for calling, how can I help? / Caller: I'd like to book a table for four.
        listing = app.screen.query_one("#transcript", OptionList)
        listing.focus()
        await pilot.press("slash")
        search = app.screen.query_one("#transcript-search", Input)
        assert search.has_focus
        await pilot.press(*"TABLE")
        await pilot.pause()
        pane = app.screen.query_one(TranscriptPane)
        assert pane.matches == [1]
        assert listing.highlighted == 1
        assert pane.border_title == "Transcript · 1/1 matches"
        prompt = listing.get_option_at_index(1).prompt
        marked = [prompt.plain[span.start : span.end] for span in prompt.spans if span.style == "black on yellow"]
        assert marked == ["table"]
        for _ in "TABLE":
            await pilot.press("backspace")
        await pilot.press(*"a")  # in both turns
        await pilot.pause()
        assert pane.matches == [0, 1]
        await pilot.press("enter")
        assert listing.highlighted == 0  # wrapped around from the last
        await pilot.press("escape")
        assert listing.has_focus and not search.display
        await pilot.press("n")
        assert listing.highlighted == 1
        await pilot.press("N")
        assert listing.highlighted == 0
        await pilot.press("ctrl+f")
        assert search.has_focus


# --- the calls view ----------------------------------------------------------------------


async def test_the_calls_view_lists_the_calls_newest_first_with_the_total(fake):
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await open_calls_view(pilot)
        rows = calls_rows(app)
        assert [row.key.value for row in app.screen.query_one(DataTable).ordered_rows] == DEMO_IDS
        assert rows[0] == ["2026-03-02 10:32", "↙ in", "+14155550123", "Front Desk", "2:05", "Completed"]
        outbound = next(row for row in rows if row[1] == "↗ out")
        assert outbound[2] != "+14155550100"  # the other party, not our number
        assert "12 calls" in str(app.screen.query_one("#calls-status").render())


def lookups_made(fake: FakeMagpipe) -> int:
    return sum(1 for r in fake.requests["api"] if r.path.endswith("/get-signed-recording-url"))


async def test_calls_looked_up_in_this_session_carry_their_recordings_mark_and_no_other_is_looked_up(fake):
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        for call_id in (TRANSFER_CALL, MAIN_CALL, NO_RECORDING_CALL, UNKNOWN_VALUES_CALL):
            await look_up(pilot, call_id)
        before = lookups_made(fake)
        await open_calls_view(pilot)
        shown = marks(app)
        assert shown[TRANSFER_CALL] == "◐"  # two of its four segments pending
        assert shown[MAIN_CALL] == "●"
        assert shown[NO_RECORDING_CALL] == "–"
        assert shown[UNKNOWN_VALUES_CALL] == "○"  # synced + "archived": a status recbrowser does not know
        assert {
            mark
            for call_id, mark in shown.items()
            if call_id not in (TRANSFER_CALL, MAIN_CALL, NO_RECORDING_CALL, UNKNOWN_VALUES_CALL)
        } == {" "}
        assert lookups_made(fake) == before  # marks are what lookups told, the view asks for none


async def test_the_calls_view_opens_again_on_the_call_last_chosen(fake):
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await open_calls_view(pilot)
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        await pilot.press("l")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.cursor_row == 2 and table.ordered_rows[2].key.value == DEMO_IDS[2]


async def test_calls_looked_up_before_carry_the_mark_the_history_kept(fake, make_client):
    store = HistoryStore(Paths.default().history_db)  # no session: nothing is restored into the list
    for call_id in (PENDING_CALL, MAIN_CALL, NO_RECORDING_CALL):
        await lookup_one(make_client(), call_id, store)
    store.close()
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await open_calls_view(pilot)
        await settle(pilot)
        shown = marks(app)
        assert (shown[PENDING_CALL], shown[MAIN_CALL], shown[NO_RECORDING_CALL]) == ("◐", "●", "–")
        assert shown[TRANSFER_CALL] == " "
        await pilot.press("slash", *"front")  # filtered rows are built again with their marks
        await settle(pilot)
        assert marks(app)[MAIN_CALL] == "●"


async def test_more_pages_load_as_the_user_scrolls_and_the_total_is_shown(fake):
    for _ in range(40):
        fake._state.arrive("demo")
    app = make_app(fake, calls_page_size=10)
    async with app.run_test(size=(100, 24)) as pilot:
        await open_calls_view(pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 20  # the first page, and a second to fill the table and a margin
        assert "20 of 52 calls loaded" in str(app.screen.query_one("#calls-status").render())
        assert list_offsets(fake) == [0, 10]
        await pilot.press("ctrl+end")  # the last row: the next page, and its last row the next…
        await settle(pilot)
        assert table.row_count == 30
        for _ in range(3):
            await pilot.press("ctrl+end")
            await settle(pilot)
        assert table.row_count == 52
        assert "52 calls" in str(app.screen.query_one("#calls-status").render())


async def test_the_listing_never_blocks_the_ui_and_rows_come_as_pages_arrive(fake):
    fake.faults.list_calls_hold_after_first = True
    app = make_app(fake, calls_page_size=3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "l")
        screen = app.screen
        assert isinstance(screen, CallsScreen)
        await wait_until(pilot, lambda: screen.query_one(DataTable).row_count == 3, "the first page")
        assert "3 of 12 calls loaded · loading…" in str(screen.query_one("#calls-status").render())
        await pilot.press("slash", *"billing")  # the app answers while the next page is held
        assert screen.query_one("#calls-filter", Input).value == "billing"
        fake.faults.list_calls_release.set()
        await settle(pilot)
        assert all("Billing" in row[3] for row in calls_rows(app))
        assert len(calls_rows(app)) == sum(1 for c in SAMPLE_CALLS if c.account == "demo" and "Billing" in c.agent_name)


async def test_a_lying_has_more_and_an_empty_page_end_the_listing_without_duplicates(fake):
    fake.faults.list_calls_lying_has_more = True
    fake.faults.list_calls_empty_from = 9
    app = make_app(fake, calls_page_size=3)
    async with app.run_test(size=SIZE) as pilot:
        await open_calls_view(pilot)
        keys = [row.key.value for row in app.screen.query_one(DataTable).ordered_rows]
        assert keys == DEMO_IDS[:9]
        assert list_offsets(fake) == [0, 3, 6, 9]
        assert app.screen.listing.done


async def test_a_failed_page_is_shown_and_m_tries_again(fake):
    fake.faults.list_calls_query_error = 100
    app = make_app(fake, calls_page_size=5)
    async with app.run_test(size=SIZE) as pilot:
        await open_calls_view(pilot)
        status = str(app.screen.query_one("#calls-status").render())
        assert "✗" in status and "m: try again" in status
        assert app.screen.query_one(DataTable).row_count == 0
        fake.faults.list_calls_query_error = 0
        await pilot.press("m")
        await settle(pilot)
        assert app.screen.query_one(DataTable).row_count == 12


async def test_enter_lists_the_call_in_the_browser_and_shows_it_with_its_details(fake):
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await open_calls_view(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        assert app.screen.query_one(CallList).current_call_id == DEMO_IDS[1]
        assert app.screen.book.calls[DEMO_IDS[1]].details is not None
        assert len(table_rows(app)) >= 1
        await pilot.press("l")  # the calls loaded stay for the next visit
        await pilot.pause()
        assert app.screen.query_one(DataTable).row_count == 12
        assert list_offsets(fake) == [0]
        await pilot.press("escape")
        assert isinstance(app.screen, BrowserScreen)


async def test_the_filter_form_lists_the_calls_magpipe_matches_with_agent_names_from_list_agents(fake):
    from textual.widgets import Select, Static

    from recbrowser.tui.screens.call_filters import FilterScreen

    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await open_calls_view(pilot)
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, FilterScreen), "the filter form")
        form = app.screen
        agents = form.query_one("#filter-agent", Select)
        names = {str(prompt) for prompt, _ in agents._options[1:]}
        assert {"Front Desk", "Billing Assistant", "Support Line"} <= names
        form.query_one("#filter-since", Input).value = "last week"
        form.query_one("#filter-since", Input).focus()
        await pilot.press("enter")
        assert app.screen is form  # a field Magpipe cannot take stays in the form, said
        assert "7d" in str(form.query_one("#filter-problem", Static).render())
        form.query_one("#filter-since", Input).value = ""
        form.query_one("#filter-direction", Select).value = "outbound"
        billing = next(value for prompt, value in agents._options if str(prompt) == "Billing Assistant")
        agents.value = billing
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CallsScreen)
        rows = calls_rows(app)
        assert rows and all(row[1] == "↗ out" and row[3] == "Billing Assistant" for row in rows)
        last = json.loads([r for r in fake.requests["api"] if r.path.endswith("/list-calls")][-1].body)
        assert (last["direction"], last["agent_id"], last["offset"]) == ("outbound", billing, 0)
        status = str(app.screen.query_one("#calls-status").render())
        assert "filters: outbound · agent Billing Assistant" in status
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, FilterScreen), "the filter form again")
        await pilot.press("ctrl+r")  # cleared: every call again
        await settle(pilot)
        assert len(calls_rows(app)) == len(DEMO_IDS)
        assert sum(1 for r in fake.requests["api"] if r.path.endswith("/list-agents")) == 1  # asked once


async def test_with_a_key_the_app_can_open_on_the_calls_view_and_escape_leads_to_the_id_input(fake):
    app = make_app(fake, start_on_calls=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CallsScreen)
        assert app.screen.query_one(DataTable).row_count == len(DEMO_IDS)
        await pilot.press("escape")
        assert isinstance(app.screen, BrowserScreen)
        assert app.screen.query_one("#ids", Input).has_focus


async def test_without_a_key_the_app_asks_for_one_instead_of_opening_the_calls_view(fake):
    from recbrowser.tui.screens.key_entry import KeyScreen

    app = make_app(fake, key=None, start_on_calls=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, KeyScreen)
        assert not any(isinstance(screen, CallsScreen) for screen in app.screen_stack)
        assert not [r for r in fake.requests["api"] if r.path.endswith("/list-calls")]


async def test_a_paste_on_the_calls_view_goes_to_the_call_id_input_and_one_in_the_filter_stays_there(fake):
    from textual import events

    app = make_app(fake, start_on_calls=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CallsScreen)
        await pilot.press("slash")
        app.post_message(events.Paste("billing"))  # the filter has focus: its text, not the call-ID input's
        await pilot.pause()
        assert isinstance(app.screen, CallsScreen)
        assert app.screen.query_one("#calls-filter", Input).value == "billing"

        await pilot.press("enter")  # back to the table
        app.post_message(events.Paste(f"{MAIN_CALL}\nsee {TRANSFER_CALL}"))  # the terminal's bracketed paste
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        ids = app.screen.query_one("#ids", Input)
        assert app.focused is ids
        await pilot.press("enter")
        await settle(pilot)
        assert [state.call_id for state in app.screen.book.calls.values()] == [MAIN_CALL, TRANSFER_CALL]
