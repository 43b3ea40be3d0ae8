"""The call-ID input and the first screen: every line of a paste is looked up, and the keys
the first screen promises (? help, q quit) work and stay in the footer. Pilot against the fake."""

from __future__ import annotations

import pytest
from textual import events

from recbrowser.callbook import CallBook
from recbrowser.callids import scan
from recbrowser.fakeapi import FakeMagpipe
from recbrowser.tui.entry import entry_note, keys_are_commands, pasted_line
from recbrowser.tui.screens.browser import BrowserScreen
from recbrowser.tui.screens.help import HelpScreen
from recbrowser.tui.widgets.call_list import CallList
from tests.tui_helpers import PENDING_ONLY, SIMPLE, TRANSFER, look_up, make_app, settle
from tests.tui_keys import burst, footer_keys, input_message, listed

SIZE = (120, 40)
THREE = [SIMPLE, TRANSFER, PENDING_ONLY]


# --- 1. pasting ----------------------------------------------------------------------------


def test_a_paste_keeps_every_line_and_the_note_counts_new_calls_only() -> None:
    assert pasted_line(f"{SIMPLE}\n{TRANSFER}\r\n\n\t{PENDING_ONLY}\n") == f"{SIMPLE} {TRANSFER} {PENDING_ONLY}"
    book = CallBook()
    book.add([TRANSFER])
    listed = book.add(THREE)
    assert entry_note(scan(" ".join(THREE)), (listed.new, listed.old)) == ("-info", "Added 2 calls; 1 already listed.")
    assert entry_note(scan(" ".join(THREE)), (3, 0)) == ("-info", "Added 3 calls.")
    assert entry_note(scan(SIMPLE), (0, 1)) == ("-info", "1 already listed.")


def test_the_note_says_what_was_ignored_or_why_nothing_was_looked_up() -> None:
    near = SIMPLE[:-1]  # one digit short
    assert entry_note(scan(f"{SIMPLE} {near}"), (1, 0)) == (
        "-warning",
        f"Added 1 call. Ignored {near!r}: not a valid call ID.",
    )
    style, note = entry_note(scan(near), (0, 0))
    assert style == "-error" and note.startswith(f"{near!r} is not a valid call ID: a call ID is a UUID")
    style, note = entry_note(scan("hello"), (0, 0))
    assert style == "-error" and note.startswith("No call ID found. A call ID is a UUID")


async def test_a_bracketed_paste_of_three_lines_looks_up_all_three(fake: FakeMagpipe) -> None:
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.post_message(events.Paste("\n".join(THREE) + "\n"))  # the terminal's bracketed paste
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert listed(app) == THREE
        assert input_message(app) == "Added 3 calls."
        assert all(fake.lookup_count(call_id) == 1 for call_id in THREE)


async def test_an_unbracketed_paste_looks_up_every_line_on_its_own(fake: FakeMagpipe) -> None:
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(app, "\n".join([*THREE, SIMPLE]) + "\n")
        await settle(pilot)
        assert listed(app) == THREE
        assert input_message(app) == "Added 3 calls; 1 already listed."
        assert app.screen.query_one("#ids").value == ""


async def test_a_paste_on_the_calls_list_goes_to_the_input_and_repeats_are_not_counted(fake: FakeMagpipe) -> None:
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        assert isinstance(app.focused, CallList)
        app.post_message(events.Paste(f"{SIMPLE}\nsee {TRANSFER}"))
        await pilot.pause()
        assert app.focused is app.screen.query_one("#ids")
        await pilot.press("enter")
        await settle(pilot)
        assert listed(app) == [SIMPLE, TRANSFER]
        assert input_message(app) == "Added 1 call; 1 already listed."


# --- 2. the first screen keeps its promises -------------------------------------------------


@pytest.mark.parametrize("size", [(120, 40), (80, 24), (60, 20)])
async def test_the_footer_shows_help_and_quit_from_the_start(fake: FakeMagpipe, size: tuple[int, int]) -> None:
    app = make_app(fake)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        keys = footer_keys(app)
        assert keys["Help"][0] == "question_mark" and keys["Quit"][0] == "q"
        assert keys["Help"][1] <= size[0] and keys["Quit"][1] <= size[0]
        await look_up(pilot, SIMPLE)  # and on the calls list
        keys = footer_keys(app)
        assert keys["Help"][1] <= size[0] and keys["Quit"][1] <= size[0]
        await pilot.press("slash", "a")  # typing: ? and q are text, f1 and ctrl+q still work
        keys = footer_keys(app)
        assert keys["Help"][0] == "f1" and keys["Quit"][0] == "ctrl+q"
        assert keys["Help"][1] <= size[0] and keys["Quit"][1] <= size[0]


async def test_question_mark_and_q_work_on_the_first_screen_and_keep_the_prefilled_ids(fake: FakeMagpipe) -> None:
    prefill = " ".join(THREE)
    app = make_app(fake, prefill=prefill)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.focused is app.screen.query_one("#ids")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, BrowserScreen)
        assert app.screen.query_one("#ids").value == prefill
        await pilot.press("q")
        await pilot.pause()
        assert app._exit  # quit, with the sample IDs untouched
        assert app.screen.query_one("#ids").value == prefill


async def test_once_the_user_types_q_and_question_mark_are_text(fake: FakeMagpipe) -> None:
    assert keys_are_commands("", None) and keys_are_commands("x", "x") and not keys_are_commands("x", None)
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "q", "question_mark")
        assert app.screen.query_one("#ids").value == "aq?"
        assert isinstance(app.screen, BrowserScreen) and not app._exit
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
