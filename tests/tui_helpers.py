"""Driving the app against the fake API and reading what it shows, without sleeps (building it
and waiting for its workers come from scripts/scenes.py, which the screenshots share)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from recbrowser.fakeapi import samples
from recbrowser.tui.widgets.call_list import CallList
from scripts.scenes import make_app as make_app
from scripts.scenes import settle as settle

# The TUI tests' names for the fake's sample calls.
TRANSFER = samples.TRANSFER_CALL
SIMPLE = samples.MAIN_CALL
PENDING_ONLY = samples.PENDING_CALL
NO_RECORDING = samples.NO_RECORDING_CALL
MARKUP = samples.MARKUP_CALL
OTHER_ACCOUNT = samples.OTHER_CALL


def recording_player(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make RECBROWSER_PLAYER a script that writes what it is given to play into the file returned."""
    record = tmp_path / "played.txt"
    script = tmp_path / "player.py"
    script.write_text(f"import sys, pathlib\npathlib.Path({str(record)!r}).write_text(sys.argv[1])\n")
    monkeypatch.setenv("RECBROWSER_PLAYER", f"{sys.executable} {script} {{}}")
    return record


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


def listed_calls(app) -> list[str]:
    """The IDs in the browser's calls list, in order."""
    calls = app.screen.query_one(CallList)
    return [calls.get_option_at_index(i).id for i in range(calls.option_count)]
