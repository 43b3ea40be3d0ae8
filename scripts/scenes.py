"""Scenes of the app on the fake API's sample data and its demo week (ending at ``WEEK_ENDING``),
shared by the screenshots and the snapshot tests, with what both need to build the app and wait
for it (the TUI tests use those too)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone

from recbrowser.fakeapi import DEMO_KEY, FakeMagpipe
from recbrowser.fakeapi.samples import MAIN_CALL as SIMPLE
from recbrowser.fakeapi.samples import MARKUP_CALL as MARKUP
from recbrowser.fakeapi.samples import NO_RECORDING_CALL as NO_RECORDING
from recbrowser.fakeapi.samples import OTHER_CALL as OTHER_ACCOUNT
from recbrowser.fakeapi.samples import TRANSFER_CALL as TRANSFER
from recbrowser.fakeapi.week import WEEK_PREFIX, week_calls
from recbrowser.paths import Paths
from recbrowser.secret import Secret
from recbrowser.settings import Resolved
from recbrowser.tui.app import RecBrowserApp

FAST_RETRIES = {"backoff_base": 0.001, "backoff_cap": 0.01, "rate_limit_cap": 5.0}

WEEK_ENDING = datetime(2026, 3, 13, 16, 30, tzinfo=timezone.utc)
"""The moment the scenes' demo week ends (a Friday afternoon): pinned, so the pictures stay put."""


def week_call(kind: str) -> str:
    """The ID of the newest call of a kind (``weekscripts.KINDS``) in the week ending ``WEEK_ENDING``."""
    return next(c.call_id for c in reversed(week_calls(WEEK_ENDING)) if c.description.startswith(WEEK_PREFIX + kind))


def make_app(fake: FakeMagpipe, *, key: str | None = DEMO_KEY, key_source: str = "test", **kwargs) -> RecBrowserApp:
    """The app on ``fake`` with fast retries (the key ``None`` for none), in the default paths."""
    resolved = Resolved(
        api_url=fake.api_url,
        api_url_source="test",
        key=Secret(key) if key else None,
        key_source=key_source if key else None,
    )
    kwargs.setdefault("paths", Paths.default())
    return RecBrowserApp(resolved=resolved, client_options=dict(FAST_RETRIES), **kwargs)


async def settle(pilot, timeout: float = 30.0) -> None:
    """Wait until every worker has finished and the messages they posted are handled; fail,
    naming the workers still running, after ``timeout`` seconds."""
    app = pilot.app
    deadline = time.monotonic() + timeout
    while True:
        try:  # shielded: a wait that times out must not cancel the workers it waits for
            await asyncio.wait_for(asyncio.shield(app.workers.wait_for_complete()), deadline - time.monotonic())
        except asyncio.TimeoutError:
            pass
        await pilot.pause()
        running = [w for w in app.workers if not w.is_finished]  # a worker started meanwhile is still PENDING
        if not running:
            return
        if time.monotonic() > deadline:
            names = ", ".join(sorted({w.name or repr(w) for w in running}))
            raise AssertionError(f"workers still running after {timeout:g} s of waiting for them to finish: {names}")


def still(scene):
    """``scene``, then every input's cursor held still (shown), so a picture does not depend on
    which half of its blink a loaded machine happens to catch."""

    async def run(pilot) -> None:
        from textual.widgets import Input

        await scene(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return run


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


async def calls_view(pilot) -> None:
    """The calls view (l) with the week's calls and every sample call loaded, the first few
    of them looked up (Enter, then back with l) so their recordings marks show."""
    await pilot.press("escape", "l")
    await settle(pilot)
    for row in range(4):
        await pilot.press(*["down"] * row, "enter")
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)


async def calls_view_filtered(pilot) -> None:
    """The calls view filtered by Magpipe (the form: outbound calls) and by the quick filter ("billing")."""
    from recbrowser.tui.screens.call_filters import FilterScreen

    await calls_view(pilot)
    await pilot.press("f")
    await settle(pilot)
    assert isinstance(pilot.app.screen, FilterScreen)
    pilot.app.screen.query_one("#filter-direction").value = "outbound"
    await pilot.press("ctrl+s")
    await settle(pilot)
    await pilot.press("slash", *"billing")
    await pilot.pause()


async def transcript(pilot) -> None:
    """A call of the week with its details and transcript, the transcript searched for "channel"."""
    await pilot.press("slash")
    pilot.app.screen.query_one("#ids").value = week_call("slow-wifi")
    await pilot.press("enter")
    await settle(pilot)
    pilot.app.screen.query_one("#transcript").focus()
    await pilot.press("slash", *"channel")
    await pilot.pause()


def demo_app_kwargs() -> dict:
    """What ``--demo`` gives the app (commands.app.demo_app), for ``make_app``."""
    from recbrowser.tui.welcome import demo_welcome

    return {"welcome": demo_welcome(), "start_on_calls": True}


async def demo_opening(pilot) -> None:
    """The demo as it opens: the calls view on its week (the app is made with ``demo_app_kwargs``)."""
    await settle(pilot)


async def demo_welcome(pilot) -> None:
    """The demo's welcome: Escape from the calls view it opens on."""
    await settle(pilot)
    await pilot.press("escape")
    await settle(pilot)
