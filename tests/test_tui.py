"""The Textual browser, driven with Pilot against the fake API over loopback."""

from __future__ import annotations

import dataclasses
import os
import stat
import sys
import time
import webbrowser

import pytest

from recbrowser.fakeapi import DEMO_KEY, SAMPLE_CALLS, FakeMagpipe, SegmentSpec
from recbrowser.keystore import KeyStore
from recbrowser.paths import Paths
from recbrowser.settings import Settings, resolve
from recbrowser.tui.app import RecBrowserApp
from recbrowser.tui.screens.browser import BrowserScreen
from recbrowser.tui.screens.help import HelpScreen
from recbrowser.tui.screens.key_entry import KeyScreen
from recbrowser.tui.widgets.call_list import CallList
from recbrowser.tui.widgets.segment_table import SegmentTable
from tests.files import wait_for_text
from tests.tui_helpers import (
    MARKUP,
    NO_RECORDING,
    OTHER_ACCOUNT,
    PENDING_ONLY,
    SIMPLE,
    TRANSFER,
    look_up,
    make_app,
    notifications,
    recording_player,
    settle,
    table_rows,
)

SIZE = (120, 36)


async def test_an_unreadable_key_file_is_a_warning_and_the_key_screen_opens(fake):
    paths = Paths.default()
    paths.key_file.parent.mkdir(parents=True)
    paths.key_file.write_bytes(b"\xff\xfe not a key")
    resolved = resolve(paths, api_url_flag=fake.api_url)
    app = RecBrowserApp(paths=paths, resolved=resolved)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, KeyScreen)
        assert any(m.startswith(f"Ignoring the saved key file {paths.key_file}") for m in notifications(app))


async def test_first_start_without_key_asks_for_one_and_saves_it_0600(fake):
    app = make_app(fake, key=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, KeyScreen)
        await pilot.press(*DEMO_KEY)
        assert DEMO_KEY not in app.export_screenshot()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        key_file = Paths.default().key_file
        assert KeyStore(key_file).load().reveal() == DEMO_KEY
        assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
        await look_up(pilot, SIMPLE)
        assert table_rows(app)[0][2] == "Main Call"


async def test_key_screen_warns_on_an_unusual_key_and_escape_cancels(fake):
    app = make_app(fake, key=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"sk_live_x1")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, KeyScreen)
        assert "does not look like a Magpipe API key" in str(app.screen.query_one("#key-message").render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        assert not Paths.default().key_file.exists()
        assert any("No API key yet" in m for m in notifications(app))


async def test_key_from_environment_is_shown_as_such(fake):
    app = make_app(fake, key_source="MAGPIPE_API_KEY")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("escape")  # leave the input
        await pilot.press("k")
        await pilot.pause()
        assert isinstance(app.screen, KeyScreen)
        env_note = str(app.screen.query_one("#key-env").render())
        assert "MAGPIPE_API_KEY is set" in env_note and "mgp_01…ef" in env_note
        assert DEMO_KEY not in app.export_screenshot()


async def test_pasted_text_looks_up_every_call_id_in_order(fake):
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        pasted = f"see https://app.magpipe.ai/calls/{TRANSFER.upper()} and, {SIMPLE}; again {TRANSFER}"
        await look_up(pilot, pasted)
        calls = app.screen.query_one(CallList)
        assert [calls.get_option_at_index(i).id for i in range(calls.option_count)] == [TRANSFER, SIMPLE]
        assert fake.lookup_count(TRANSFER) == 1 and fake.lookup_count(SIMPLE) == 1


async def test_input_without_a_call_id_says_so_and_sends_nothing(fake):
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, "call 42 from yesterday")
        message = str(app.screen.query_one("#input-message").render())
        assert "No call ID found" in message and "UUID" in message
        assert fake.requests["api"] == []


async def test_table_shows_mixed_statuses_with_friendly_labels(fake):
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, TRANSFER)
        rows = table_rows(app)
        assert [r[2] for r in rows] == ["Main Call", "Transfer Consultation", "Transferred Call", "Back to Agent"]
        assert [r[1] for r in rows] == ["● synced", "● synced", "◐ pending", "◐ pending"]
        header = str(app.screen.query_one("#call-header").render())
        assert "4 segments" in header and "2 synced · 2 pending" in header


async def test_switching_calls_refetches_nothing(fake):
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, f"{TRANSFER} {SIMPLE}")
        before = len(fake.requests["api"])
        await pilot.press("down")
        await pilot.pause()
        assert table_rows(app)[0][2] == "Main Call" and len(table_rows(app)) == 1
        await pilot.press("up")
        await pilot.pause()
        assert len(table_rows(app)) == 4
        assert len(fake.requests["api"]) == before


async def test_markup_and_control_characters_in_labels_render_literally(fake):
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, MARKUP)
        labels = [r[2] for r in table_rows(app)]
        assert "[bold]x[/]" in labels  # not a snake_case label: shown as sent
        assert all("\x1b" not in label and "\x07" not in label for label in labels)
        assert any("\\x1b" in label for label in labels)
        screen_text = app.export_screenshot()
        assert "[bold]x[/]" in screen_text


async def test_refresh_turns_pending_into_synced(fake):
    fake.faults.sync_after_lookups = 1
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, PENDING_ONLY)
        assert table_rows(app)[0][1] == "◐ pending"
        await pilot.press("r")
        await settle(pilot)
        assert table_rows(app)[0][1] == "● synced"
        assert any("synced now" in m for m in notifications(app))


async def test_open_runs_the_configured_player_with_the_segment_url(fake, tmp_path, monkeypatch):
    record = recording_player(tmp_path, monkeypatch)
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        await pilot.press("tab")  # to the segments table
        await pilot.press("o")
        await settle(pilot)
        assert any("Opening segment 1" in m for m in notifications(app))
        expected_url = app.screen.book.calls[SIMPLE].recordings.segments[0].url
    assert wait_for_text(record) == expected_url


ODD_URLS = ["file:///etc/passwd", "--script=/tmp/evil.lua", "/usr/bin/xcalc", "javascript:alert(1)"]


async def test_only_http_links_from_the_api_are_handed_to_the_player(tmp_path, monkeypatch):
    # A label-like flag or a local path in the API's data must not reach the player or the opener.
    record = recording_player(tmp_path, monkeypatch)
    segments = [SegmentSpec(label=f"odd_{n}", url=url) for n, url in enumerate(ODD_URLS, start=1)]
    call = dataclasses.replace(SAMPLE_CALLS[0], recordings=[*segments, SegmentSpec(label="main")])
    with FakeMagpipe(calls=[call]) as odd:
        app = make_app(odd)
        async with app.run_test(size=SIZE) as pilot:
            await look_up(pilot, call.call_id)
            await pilot.press("tab")
            for _ in ODD_URLS:
                await pilot.press("o")
                await settle(pilot)
                await pilot.press("down")
            await pilot.press("o")  # the last one is a real storage link
            await settle(pilot)
            messages = notifications(app)
            good_url = app.screen.book.calls[call.call_id].recordings.segments[-1].url
    assert sum("only http and https links" in m for m in messages) == len(ODD_URLS)
    assert [m for m in messages if m.startswith("Opening")] == ["Opening segment 5 (Main Call)."]
    assert wait_for_text(record) == good_url


async def test_a_console_browser_is_never_run_while_the_app_holds_the_terminal(fake, tmp_path, monkeypatch):
    # BROWSER names a command webbrowser does not know and there is no display: a console
    # browser. Run headless, the app cannot hand the terminal over, so it says so instead.
    record = tmp_path / "browsed.txt"
    script = tmp_path / "console-browser"
    script.write_text(
        f"#!{sys.executable}\nimport sys, pathlib\npathlib.Path({str(record)!r}).write_text(sys.argv[1])\n"
    )
    script.chmod(0o755)
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BROWSER", str(script))
    # webbrowser reads BROWSER once per process; start it afresh, as a new process would.
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    app = make_app(fake, settings=Settings(in_app_playback=False))  # not mpv inside the app, where installed
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        await pilot.press("tab", "o")
        await settle(pilot)
        assert any("needs this terminal" in m for m in notifications(app))
    assert not record.exists()  # webbrowser waits for such a command, so it would exist by now


async def test_a_missing_player_is_a_notification_not_a_crash(fake, monkeypatch):
    monkeypatch.setenv("RECBROWSER_PLAYER", "/nonexistent/player {}")
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        await pilot.press("o")
        await settle(pilot)
        assert any("Player not found" in m for m in notifications(app))


@pytest.mark.parametrize(
    "setup,call_id,expected",
    [
        ("bad_key", SIMPLE, "The API key was rejected"),
        (None, OTHER_ACCOUNT, "Call not found"),
        (None, NO_RECORDING, "No recording available"),
        ("rate_limit", SIMPLE, "Rate limited"),
        ("server_error", SIMPLE, "server error (500)"),
    ],
)
async def test_api_errors_are_notified_clearly(fake, setup, call_id, expected):
    key = "mgp_" + "9" * 40 if setup == "bad_key" else DEMO_KEY
    if setup == "rate_limit":
        fake.faults.rate_limit = 3
        fake.faults.retry_after = 0
    if setup == "server_error":
        fake.faults.fail_500 = 3
    app = make_app(fake, key=key)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, call_id)
        if setup is None:  # the call's answer, not a failure: its header says so, and no toast
            assert expected in str(app.screen.query_one("#call-header").render())
            assert not notifications(app)
        else:
            assert any(expected in m for m in notifications(app)), notifications(app)
        state = app.screen.book.calls[call_id]
        assert state.error is not None and not state.loading


async def test_rate_limit_then_success_leaves_no_toast(fake):
    fake.faults.rate_limit = 1
    fake.faults.retry_after = 0
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        assert not notifications(app)  # the retry showed in the call's row (see test_tui_notices.py)
        assert table_rows(app)[0][2] == "Main Call"


async def test_ui_stays_responsive_while_a_slow_lookup_runs(fake):
    fake.faults.latency = 5.0  # long enough that a loaded machine still types before the answer
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        app.screen.query_one("#ids").value = SIMPLE
        await pilot.press("enter")
        await pilot.pause()
        state = app.screen.book.calls[SIMPLE]
        assert state.loading
        await pilot.press("slash", *"typed")
        assert app.screen.query_one("#ids").value == "typed"
        assert app.screen.book.calls[SIMPLE].loading, "the lookup finished before typing was checked"
        await settle(pilot)
        assert not app.screen.book.calls[SIMPLE].loading


async def test_help_is_built_from_the_active_bindings(fake):
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        descriptions = {row[1] for row in app.screen.rows}
        assert {
            "Refresh",
            "Open",
            "Copy",
            "Download",
            "Download call",
            "API key",
            "Help",
            "Quit",
            "Call IDs",
        } <= descriptions
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)


async def test_tab_moves_from_the_calls_to_the_segments_and_keys_act_on_the_row(fake, tmp_path, monkeypatch):
    record = recording_player(tmp_path, monkeypatch)
    app = make_app(fake)
    async with app.run_test(size=(80, 24)) as pilot:
        await look_up(pilot, TRANSFER)
        assert isinstance(app.focused, CallList)
        await pilot.press("tab")
        assert isinstance(app.focused, SegmentTable)
        await pilot.press("down", "o")
        await settle(pilot)
        second = app.screen.book.calls[TRANSFER].recordings.segments[1].url
    assert wait_for_text(record) == second


async def test_pending_calls_refresh_themselves_on_the_configured_interval(fake):
    fake.faults.sync_after_lookups = 1
    app = make_app(fake, settings=Settings(refresh_interval=0.2))
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, f"{PENDING_ONLY} {SIMPLE}")  # the fake answers the first lookup "pending"
        deadline = time.monotonic() + 10
        while fake.lookup_count(PENDING_ONLY) < 2 or app.screen.book.calls[PENDING_ONLY].has_pending:
            assert time.monotonic() < deadline, "the pending call was not refreshed"
            await pilot.pause(0.05)
        await settle(pilot)
        assert not app.screen.book.calls[PENDING_ONLY].has_pending
        assert fake.lookup_count(SIMPLE) == 1  # a synced call is not polled


async def test_copy_uses_a_clipboard_tool_when_there_is_one_and_says_so(fake, tmp_path, monkeypatch):
    clipped = tmp_path / "clipboard.txt"
    tools = tmp_path / "bin"
    tools.mkdir()
    xclip = tools / "xclip"
    xclip.write_text(
        f"#!{sys.executable}\nimport sys, pathlib\npathlib.Path({str(clipped)!r}).write_bytes(sys.stdin.buffer.read())\n"
    )
    xclip.chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        await pilot.press("tab", "c")
        await settle(pilot)
        url = app.screen.book.calls[SIMPLE].recordings.segments[0].url
        assert "URL of segment 1: Copied with xclip." in notifications(app)
    assert clipped.read_text() == url


async def test_copy_without_a_clipboard_tool_says_the_terminal_may_not_take_it(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no tool anywhere
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        await pilot.press("tab", "c")
        await settle(pilot)
        (said,) = [m for m in notifications(app) if m.startswith("URL of segment 1")]
        assert "OSC 52" in said and "may not support it" in said and "Copied" not in said


async def test_a_player_that_fails_at_once_is_reported_with_its_words_not_as_opening(fake, tmp_path, monkeypatch):
    script = tmp_path / "player.py"
    script.write_text("import sys\nsys.stderr.write('no audio device\\n')\nsys.exit(1)\n")
    monkeypatch.setenv("RECBROWSER_PLAYER", f"{sys.executable} {script} {{}}")
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        await pilot.press("tab", "o")
        await settle(pilot)
        messages = notifications(app)
    assert not any(m.startswith("Opening") for m in messages)
    assert any("failed at once" in m and "no audio device" in m for m in messages)
