"""`recbrowser --demo` on its week: the app opens on the calls view, the welcome is for users, and
the commands work on the week's calls."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import httpx
from textual.widgets import DataTable, Input

from recbrowser.commands.app import demo_app
from recbrowser.demo import start_demo
from recbrowser.fakeapi import DEMO_KEY, SAMPLE_CALLS
from recbrowser.fakeapi.week import CALL_COUNT, call_id, week_calls
from recbrowser.tui.screens.browser import BrowserScreen
from recbrowser.tui.screens.calls import CallsScreen
from tests.tui_helpers import settle

NOW = datetime(2026, 3, 13, 16, 30, tzinfo=timezone.utc)
DEMO_TOTAL = CALL_COUNT + sum(c.account == "demo" for c in SAMPLE_CALLS)


async def test_the_demo_opens_on_the_calls_view_with_its_week_and_the_id_input_one_key_away() -> None:
    demo = start_demo(now=NOW)
    try:
        app = demo_app(demo)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, CallsScreen)
            table = app.screen.query_one("#calls-table", DataTable)
            newest_first = [c.call_id for c in reversed(week_calls(NOW))]
            assert [row.key.value for row in table.ordered_rows][:CALL_COUNT] == newest_first
            assert f"{DEMO_TOTAL} calls" in str(app.screen.query_one("#calls-status").render())
            assert app.sub_title == "demo"

            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, BrowserScreen)
            ids = app.screen.query_one("#ids", Input)
            assert ids.has_focus and ids.value == ""  # nothing prefilled: type or paste
            welcome = str(app.screen.query_one("#welcome").render())
            assert "Demo with made-up data." in welcome and "the week's calls" in welcome
            assert "deleted when the demo ends" in welcome
            for fault in ("sync_after_lookups", "no_recording", "404", "markup"):
                assert fault not in welcome
            await pilot.press("escape", "l")  # as the welcome says: back to the week
            await settle(pilot)
            assert isinstance(app.screen, CallsScreen)
    finally:
        demo.close()
    assert not demo.root.exists()


def test_demo_calls_lists_the_week_newest_first(run) -> None:
    result = run("--demo", "calls", "--since", "7d")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[-1] == f"{CALL_COUNT} calls"
    rows = lines[1:-1]
    assert len(rows) == CALL_COUNT
    assert {"inbound", "outbound"} <= {row.split()[3] for row in rows}
    assert any("outbound_mach…" in row for row in rows)  # the status the dashboard does not name, as it is
    as_json = run("--demo", "calls", "--since", "7d", "--json").json_lines
    assert {call["id"] for call in as_json} == {call_id(i) for i in range(CALL_COUNT)}
    started = [call["started_at"] for call in as_json]
    assert started == sorted(started, reverse=True)


def test_demo_show_gives_a_week_calls_details_and_transcript(run) -> None:
    shown = run("--demo", "show", "--json", *(call_id(i) for i in range(CALL_COUNT))).json_lines
    assert len(shown) == CALL_COUNT
    talked = [call for call in shown if call["transcript"]]
    assert len(talked) >= 30
    two_sided = next(call for call in talked if "\n\nCaller: " in call["transcript"])
    text = run("--demo", "show", two_sided["id"])
    assert text.code == 0
    assert "Transcript" in text.out and "Caller" in text.out and two_sided["call_summary"] in text.out


def test_demo_download_since_7d_archives_the_weeks_recordings(run, tmp_path: Path) -> None:
    out = tmp_path / "week"
    result = run("--demo", "download", "--since", "7d", "-o", str(out))
    assert result.code == 0, result.err
    recorded = [c for c in week_calls(NOW) if c.recordings]  # which calls these are depends on now; not how many
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert len(rows) == sum(len(c.recordings) for c in recorded)
    assert len({row["call_id"] for row in rows}) == len(recorded)
    assert {row["call_id"] for row in rows} <= {call_id(i) for i in range(CALL_COUNT)}
    assert all((out / row["path"]).stat().st_size == row["size"] for row in rows)
    unrecorded = CALL_COUNT - len(recorded)
    assert f"{CALL_COUNT} calls, {len(rows)} downloaded" in result.err_lines[-1]
    assert f"{unrecorded} without a recording (skipped)" in result.err_lines[-1]


def test_the_demos_pending_recordings_get_synced_on_the_third_lookup() -> None:
    pending = next(c for c in week_calls(NOW) if c.recordings and c.recordings[-1].status == "pending_sync")
    demo = start_demo(now=NOW)
    try:
        headers = {"Authorization": f"Bearer {DEMO_KEY}"}
        url = f"{demo.fake.api_url}/get-signed-recording-url"
        seen = [
            httpx.post(url, json={"call_id": pending.call_id}, headers=headers).json()["recordings"][-1]["status"]
            for _ in range(3)
        ]
    finally:
        demo.close()
    assert seen == ["pending_sync", "pending_sync", "synced"]
