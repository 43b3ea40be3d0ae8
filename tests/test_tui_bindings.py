"""Bindings as the one source: the palette and help list them with their keys, and the keymap setting rebinds them."""

from __future__ import annotations

import json
import re
from pathlib import Path

from textual.command import CommandPalette

from recbrowser.fakeapi import FakeMagpipe
from recbrowser.paths import Paths
from recbrowser.settings import Settings
from recbrowser.tui.bindings import declared_binding_ids
from recbrowser.tui.screens.browser import BrowserScreen
from recbrowser.tui.screens.help import HelpScreen
from recbrowser.tui.screens.key_entry import KeyScreen
from tests.tui_helpers import PENDING_ONLY, TRANSFER, look_up, make_app, notifications, settle, table_rows, wait_until
from tests.tui_keys import footer_keys

SIZE = (120, 40)
README = Path(__file__).resolve().parents[1] / "README.md"


def settings_with(**values: object) -> Settings:
    """Settings as the app reads them: from settings.json on disk."""
    path = Paths.default().settings_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values), encoding="utf-8")
    return Settings.load(path)


def palette(app) -> dict[str, str]:
    return {command.title: command.help for command in app.get_system_commands(app.screen)}


async def test_a_remapped_key_runs_its_action_the_old_one_does_not_and_every_list_shows_it(fake: FakeMagpipe) -> None:
    fake.faults.sync_after_lookups = 1
    app = make_app(fake, settings=settings_with(keymap={"browser.refresh": "f5"}))
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, PENDING_ONLY)
        lookups = lookups_made(fake)
        await pilot.press("r")
        await settle(pilot)
        assert lookups_made(fake) == lookups  # r is free now
        assert table_rows(app)[0][1] == "◐ pending"

        await pilot.press("f5")
        await settle(pilot)
        assert lookups_made(fake) == lookups + 1
        assert table_rows(app)[0][1] == "● synced"

        assert footer_keys(app)["Refresh"][0] == "f5"
        assert palette(app)["Refresh"] == "Look the selected call up again (f5)"
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = {row[1]: row[0] for row in app.screen.rows}
        assert rows["Refresh"] == "f5"
        assert "r" not in rows.values()


async def test_the_input_keys_of_help_follow_the_keymap(fake: FakeMagpipe) -> None:
    app = make_app(fake, settings=settings_with(keymap={"input.help": "f2"}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"typed")
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "help from the input's new key")
        keys = [row[0] for row in app.screen.rows]
        assert "f2" in keys and "f1" not in keys


async def test_unknown_binding_ids_and_malformed_entries_are_warnings_and_the_rest_applies(fake: FakeMagpipe) -> None:
    settings = settings_with(keymap={"browser.nope": "f6", "browser.copy": 5, "browser.history": "f7"})
    app = make_app(fake, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        said = notifications(app)
        assert any(m.startswith("Ignoring keymap entry 'browser.copy'") for m in said)
        assert any(m.startswith("Ignoring keymap entries for unknown bindings: 'browser.nope'.") for m in said)
        await pilot.press("escape", "f7")  # out of the input first: Textual drops the keys it hides before the keymap
        await wait_until(pilot, lambda: not isinstance(app.screen, BrowserScreen), "history on its new key")


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


async def test_typing_api_in_the_palette_finds_the_key_entry(fake: FakeMagpipe) -> None:
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, TRANSFER)
        assert palette(app)["API key"] == "Set or change the Magpipe API key (k)"
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press(*"api")
        await settle(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyScreen), "the key entry from the palette")


def lookups_made(fake: FakeMagpipe) -> int:
    """Lookups (get-signed-recording-url) the fake answered: a lookup also gets the call's details."""
    return sum(1 for r in fake.requests["api"] if r.path.endswith("/get-signed-recording-url"))


def test_the_readme_lists_exactly_the_binding_ids_a_keymap_can_use() -> None:
    keys_paragraph = README.read_text(encoding="utf-8").split("**Keys.**", 1)[1].split("\n\n", 1)[0]
    listed = set(re.findall(r"`([a-z]+\.[a-z_]+)`", keys_paragraph))
    assert listed == declared_binding_ids()


async def test_a_key_taken_from_another_binding_is_said_once(fake: FakeMagpipe) -> None:
    app = make_app(fake, settings=settings_with(keymap={"browser.refresh": "o"}))
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, TRANSFER)
        lookups = lookups_made(fake)
        await pilot.press("o", "o")
        await settle(pilot)
        assert lookups_made(fake) == lookups + 2  # o refreshes now
        clashes = [m for m in notifications(app) if m.startswith("The keymap gives")]
        assert clashes == ["The keymap gives o to browser.refresh: Open (browser.open) no longer has it."]
