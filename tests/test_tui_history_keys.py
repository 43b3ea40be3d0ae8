"""The history screen's keys: Backspace (the Mac's delete) forgets too, and Enter is in the footer."""

from __future__ import annotations

from recbrowser.fakeapi import FakeMagpipe
from recbrowser.tui.screens.confirm import ConfirmScreen
from recbrowser.tui.screens.history import HistoryScreen
from tests.tui_helpers import SIMPLE, TRANSFER, look_up, make_app, settle
from tests.tui_keys import footer_keys

SIZE = (120, 40)


# --- 14. the history's keys ------------------------------------------------------------------


async def test_backspace_forgets_a_history_entry_after_confirmation_and_the_footer_shows_enter(
    fake: FakeMagpipe,
) -> None:
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, f"{SIMPLE} {TRANSFER}")
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert footer_keys(app)["Show call"][0] == "enter"
        assert footer_keys(app)["Quit"][0] == "ctrl+q"  # q goes into the filter
        await pilot.press("down")  # from the filter to the list
        assert footer_keys(app)["Show call"][0] == "enter"
        await pilot.press("backspace")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert app.history.count() == 1
