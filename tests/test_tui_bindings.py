"""Bindings as the one source: the palette and help list them with their keys."""

from __future__ import annotations

from textual.command import CommandPalette

from recbrowser.fakeapi import FakeMagpipe
from recbrowser.tui.screens.browser import BrowserScreen
from tests.tui_helpers import TRANSFER, look_up, make_app, notifications, settle, table_rows, wait_until

SIZE = (120, 40)


def palette(app) -> dict[str, str]:
    return {command.title: command.help for command in app.get_system_commands(app.screen)}


async def test_the_palette_lists_every_bound_action_with_its_key_and_runs_it(fake: FakeMagpipe) -> None:
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, TRANSFER)
        commands = palette(app)
        for binding in BrowserScreen.BINDINGS:
            if binding.action == "app.quit":
                continue  # Textual's own "Quit" entry stands for it (it runs our action_quit)
            key = app.get_key_display(binding)
            assert commands[binding.description].endswith(f"({key})"), binding.id
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press(*"download call")
        await settle(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("Downloading" in m for m in notifications(app)), "the call's download")
        await settle(pilot)
        assert len(list((app.download_dir / TRANSFER).iterdir())) == len(table_rows(app))
