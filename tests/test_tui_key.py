"""The API key in the app: where one comes from, retrying what failed without one, and a
rejected key from MAGPIPE_API_KEY."""

from __future__ import annotations

from recbrowser.fakeapi import DEMO_KEY, FakeMagpipe
from recbrowser.tui.screens.key_entry import KeyScreen
from tests.tui_helpers import NO_RECORDING, SIMPLE, look_up, make_app, notifications, settle

SIZE = (120, 40)


# --- 10. the key ---------------------------------------------------------------------------


async def test_calls_that_failed_for_want_of_a_key_are_looked_up_again_once_one_is_set(fake: FakeMagpipe) -> None:
    app = make_app(fake, key=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, KeyScreen)
        assert "Settings → API → Generate New Key" in str(app.screen.query_one("#key-origin").render())
        await pilot.press("escape")
        await look_up(pilot, f"{SIMPLE} {NO_RECORDING}")
        assert app.screen.book.calls[SIMPLE].error.code == "no_api_key"
        await pilot.press("k")
        await pilot.press(*DEMO_KEY, "enter")
        await settle(pilot)
        assert app.screen.book.calls[SIMPLE].error is None and app.screen.book.calls[SIMPLE].counts.segments == 1
        assert app.screen.book.calls[NO_RECORDING].error.code == "no_recording"


async def test_a_rejected_key_from_the_environment_says_the_variable_wins(fake: FakeMagpipe) -> None:
    app = make_app(fake, key="mgp_" + "0" * 40, key_source="MAGPIPE_API_KEY")
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        message = app.screen.book.calls[SIMPLE].error.message
        assert "MAGPIPE_API_KEY was rejected" in message and "change it or unset it" in message
        assert "recbrowser key set" not in message
        assert any("MAGPIPE_API_KEY wins" in m for m in notifications(app))
