"""Scenes of the app on the fake API's sample data, shared by snapshot tests and screenshots."""

from __future__ import annotations

from tests.tui_helpers import MARKUP, NO_RECORDING, OTHER_ACCOUNT, SIMPLE, TRANSFER, settle


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


async def history_screen(pilot) -> None:
    """The history after looking up two calls, one after the other (so their order is fixed)."""
    for call_id in (SIMPLE, TRANSFER):
        await pilot.press("slash")
        pilot.app.screen.query_one("#ids").value = call_id
        await pilot.press("enter")
        await settle(pilot)
    await pilot.press("h")
    await settle(pilot)


async def downloads(pilot) -> None:
    """Every segment of the transfer call downloaded, shown in the downloads panel."""
    await mixed_statuses(pilot)
    await pilot.press("D")
    await settle(pilot)
    panel, queue = pilot.app.screen.query_one("#downloads"), pilot.app.downloads
    for key, item in queue.items.items():  # the average speed shown is the clock's: fix it at 1 s a file
        item.transfer.started = 0.0
        queue._finished_at[key] = 1.0
    panel.refresh_all()
    await pilot.pause()


def errors(fake):
    """A scene (for ``fake``): a good call, one without a recording, an unknown one, and one
    whose lookups all failed with a server error; the no-recording call selected."""

    async def scene(pilot) -> None:
        fake.faults.api_body = b'{"error": {"code": "server_error", "message": "database timeout"}}'
        fake.faults.api_status = 500
        fake.faults.api_body_call = MARKUP
        await pilot.press("slash")
        pilot.app.screen.query_one("#ids").value = f"{SIMPLE}\n{NO_RECORDING}\n{OTHER_ACCOUNT}\n{MARKUP}"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("down")
        await pilot.pause()

    return scene
