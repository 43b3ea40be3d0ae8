"""The app on a history damaged in its middle pages: `h` opens an empty history, the app keeps
running, and the damaged file is moved aside (driven with Pilot; the fake API over loopback)."""

from __future__ import annotations

from recbrowser.paths import Paths
from recbrowser.tui.screens.history import HistoryScreen
from tests.test_history_corrupt import asides, build_damaged_history
from tests.tui_helpers import SIMPLE, look_up, make_app, settle


async def test_h_on_a_damaged_history_shows_an_empty_history_and_the_app_keeps_running(fake) -> None:
    path = Paths.default().history_db
    build_damaged_history(path)
    app = make_app(fake)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert app.screen.shown_rows == []
        assert len(asides(path)) == 1
        (warning,) = app.history.warnings
        assert "unreadable" in warning and "moved it to" in warning
        await pilot.press("escape")
        await look_up(pilot, SIMPLE)  # the fresh history records the next lookup
        assert app.history.get(SIMPLE).lookups == 1
    assert app.return_code is None
