"""Scenes of the app on the fake API's sample data, shared by snapshot tests and screenshots."""

from __future__ import annotations

from tests.tui_helpers import SIMPLE, TRANSFER, settle


async def mixed_statuses(pilot) -> None:
    """The transfer call (2 synced, 2 pending) selected, with a simple call listed too."""
    await pilot.press("slash")
    pilot.app.screen.query_one("#ids").value = f"{TRANSFER}, {SIMPLE}"
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("tab")
    await pilot.pause()


async def help_screen(pilot) -> None:
    await mixed_statuses(pilot)
    await pilot.press("question_mark")
    await pilot.pause()


async def key_screen(pilot) -> None:
    await pilot.pause()
