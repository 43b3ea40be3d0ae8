"""Help and palette without Textual's duplicates, and restored calls that show their last outcome."""

from __future__ import annotations

from recbrowser.fakeapi import FakeMagpipe
from recbrowser.tui.screens.help import HelpScreen
from recbrowser.tui.widgets.call_list import CallList
from tests.tui_helpers import NO_RECORDING, OTHER_ACCOUNT, SIMPLE, look_up, make_app, settle, wait_until

SIZE = (120, 40)


# --- 16. help, palette, restored failures ---------------------------------------------------


async def test_help_has_one_line_per_key_and_its_escape_hint_in_view_at_40_rows(fake: FakeMagpipe) -> None:
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = [row[0] for row in app.screen.rows]
        descriptions = [row[1] for row in app.screen.rows]
        assert len(keys) == len(set(keys))
        assert not {"Focus Next", "Focus Previous", "palette", "Copy selected text"} & set(descriptions)
        assert {"tab", "ctrl+p", "?", "q", "ctrl+q"} <= set(keys)
        box = app.screen.query_one("VerticalScroll")
        assert box.border_subtitle == "Escape closes this screen"
        assert box.region.bottom <= SIZE[1]  # the frame, and so its subtitle, is on screen
        assert "Escape&#160;closes&#160;this&#160;screen" in app.export_screenshot()


async def test_the_palette_has_one_help_entry(fake: FakeMagpipe) -> None:
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Help" in titles and "Keys" not in titles


async def test_restored_calls_whose_last_lookup_failed_show_that_outcome(fake: FakeMagpipe) -> None:
    first = make_app(fake)
    async with first.run_test(size=SIZE) as pilot:
        await look_up(pilot, f"{SIMPLE} {OTHER_ACCOUNT} {NO_RECORDING}")
    again = make_app(fake)
    async with again.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(again.screen.book.calls) == 3, "the restored calls")
        await settle(pilot)
        calls = again.screen.query_one(CallList)
        lines = [str(calls.get_option_at_index(i).prompt) for i in range(3)]
        assert lines[1].startswith("✗") and "not found" in lines[1]
        assert lines[2].startswith("✗") and "no rec." in lines[2]
        assert again.screen.book.calls[SIMPLE].error is None
        calls.highlighted = 1
        await pilot.pause()
        assert "Last lookup: call not found" in str(again.screen.query_one("#call-header").render())
