"""Building the app against the fake API, and waiting on it without sleeps."""

from __future__ import annotations

import asyncio
import time

from recbrowser.fakeapi import DEMO_KEY, FakeMagpipe, samples
from recbrowser.settings import Paths, Resolved, Secret
from recbrowser.tui.app import RecBrowserApp

# The TUI tests' names for the fake's sample calls.
TRANSFER = samples.TRANSFER_CALL
SIMPLE = samples.MAIN_CALL
PENDING_ONLY = samples.PENDING_CALL
NO_RECORDING = samples.NO_RECORDING_CALL
MARKUP = samples.MARKUP_CALL
OTHER_ACCOUNT = samples.OTHER_CALL
FAST_RETRIES = {"backoff_base": 0.001, "backoff_cap": 0.01, "rate_limit_cap": 5.0}


def make_app(fake: FakeMagpipe, *, key: str | None = DEMO_KEY, key_source: str = "test", **kwargs) -> RecBrowserApp:
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
        running = [w for w in app.workers if w.is_running]
        if not running:
            return
        if time.monotonic() > deadline:
            names = ", ".join(sorted({w.name or repr(w) for w in running}))
            raise AssertionError(f"workers still running after {timeout:g} s of waiting for them to finish: {names}")


async def look_up(pilot, text: str) -> None:
    """Type ``text`` into the call-ID input, press Enter, and wait for the lookups."""
    await pilot.press("slash")
    pilot.app.screen.query_one("#ids").value = text
    await pilot.press("enter")
    await settle(pilot)


def table_rows(app) -> list[list[str]]:
    """The segments table as plain text, row by row."""
    from recbrowser.tui.widgets.segment_table import SegmentTable

    table = app.screen.query_one(SegmentTable)
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


def notifications(app) -> list[str]:
    return [n.message for n in app._notifications]


def screen_text(app) -> list[str]:
    """The screen as the terminal shows it, line by line (toasts included)."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), force_terminal=True, record=True, legacy_windows=False
    )
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text().splitlines()


async def wait_until(pilot, condition, what: str = "a condition", timeout: float = 15.0) -> None:
    """Let the app run until ``condition()`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.01)
