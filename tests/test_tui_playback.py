"""In-app playback in the TUI, with the mpv stand-in (tests/fake_mpv.py, a real process on a real
socket) as mpv: o plays in place, the bar shows it, the keys drive it while it plays and mean what
they always did otherwise, and quitting leaves nothing running."""

from __future__ import annotations

from pathlib import Path

import pytest

from recbrowser.settings import Settings
from recbrowser.tui.widgets.playback_bar import PlaybackBar
from tests.files import wait_for_text
from tests.playback_helpers import FAKE_MPV, alive
from tests.tui_helpers import (
    SIMPLE,
    TRANSFER,
    look_up,
    make_app,
    notifications,
    recording_player,
    screen_text,
    wait_until,
)

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def long_recordings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MPV_DURATION", "60")


def bar(app) -> PlaybackBar:
    return app.screen.query_one(PlaybackBar)


def bar_text(app) -> str:
    shown = bar(app)
    return str(shown.render()) if shown.display else ""


async def play_first_segment(pilot) -> None:
    await look_up(pilot, SIMPLE)
    await pilot.press("tab", "o")
    try:
        await wait_until(pilot, lambda: "/ 1:00 · playing" in bar_text(pilot.app), "the bar to say playing")
    except AssertionError:
        raise AssertionError(f"bar: {bar_text(pilot.app)!r}; notes: {notifications(pilot.app)}") from None


async def test_o_plays_in_the_app_and_the_keys_pause_seek_change_speed_and_stop(fake) -> None:
    app = make_app(fake, mpv=FAKE_MPV)
    async with app.run_test(size=SIZE) as pilot:
        await play_first_segment(pilot)
        assert "segment 1 (Main Call)" in bar_text(app) and "/ 1:00" in bar_text(app)
        pid = app.playback.pid
        await pilot.press("space")
        await wait_until(pilot, lambda: "paused" in bar_text(app), "paused")
        await pilot.press("shift+right")
        await wait_until(pilot, lambda: app.playback_state.elapsed >= 30, "30 s on")
        await pilot.press("right")
        await wait_until(pilot, lambda: app.playback_state.elapsed >= 35, "5 s more")
        await pilot.press("left", "shift+left")
        await wait_until(pilot, lambda: app.playback_state.elapsed < 1, "back to the start")
        await pilot.press("right_square_bracket", "right_square_bracket")
        await wait_until(pilot, lambda: "1.5x" in bar_text(app), "faster")
        await pilot.press("left_square_bracket")
        await wait_until(pilot, lambda: "1.25x" in bar_text(app), "slower")
        await pilot.press("space")
        await wait_until(pilot, lambda: "playing" in bar_text(app), "resumed")
        await pilot.press("s")
        await wait_until(pilot, lambda: not bar(app).display, "the bar to go")
        assert pid is not None and not alive(pid) and app.playback.pid is None


async def test_the_playback_keys_are_off_while_nothing_plays_and_in_inputs(fake) -> None:
    app = make_app(fake, mpv=FAKE_MPV)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, TRANSFER)
        await pilot.press("tab")
        assert not app.check_action("playback_pause", ()) and not app.check_action("playback_stop", ())
        await pilot.press("down")  # the table moves as ever
        assert app.screen.query_one("#segments").cursor_row == 1
        await pilot.press("o")
        await wait_until(pilot, lambda: "playing" in bar_text(app), "playing")
        assert "segment 2" in bar_text(app)
        await pilot.press("slash")  # the call-ID input: space and s are text there
        await pilot.press("space", "s")
        assert app.screen.query_one("#ids").value == " s"
        assert app.playback_state.phase == "playing"


async def test_quitting_while_playing_leaves_no_mpv_and_no_socket(fake) -> None:
    app = make_app(fake, mpv=FAKE_MPV)
    async with app.run_test(size=SIZE) as pilot:
        await play_first_segment(pilot)
        pid, directory = app.playback.pid, Path(app.playback.socket or "").parent
        await pilot.press("q")
        await wait_until(pilot, lambda: app._exit, "the app to quit")
    assert pid is not None and not alive(pid) and not directory.exists()


async def test_with_play_next_the_next_segment_follows(fake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MPV_DURATION", "0.3")
    app = make_app(fake, mpv=FAKE_MPV, settings=Settings(play_next=True))
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, TRANSFER)
        await pilot.press("tab", "o")
        ended = {"ended", "failed"}
        await wait_until(pilot, lambda: app.playback_state.index == 4 and app.playback_state.phase in ended, "the last")
        assert app.playback_state.phase == "ended", bar_text(app)


async def test_a_failure_is_said_in_the_bar_and_once_as_a_toast(fake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MPV_FAIL", "audio")
    app = make_app(fake, mpv=FAKE_MPV)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        await pilot.press("tab", "o")
        await wait_until(pilot, lambda: "✗" in bar_text(app), "the failure")
        assert "could not open an audio device" in bar_text(app)
        assert sum("audio device" in m for m in notifications(app)) == 1


async def test_the_calls_view_shows_what_plays_and_its_keys_work_there(fake) -> None:
    app = make_app(fake, mpv=FAKE_MPV)
    async with app.run_test(size=SIZE) as pilot:
        await play_first_segment(pilot)
        await pilot.press("l")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "CallsScreen", "the calls view")
        assert "playing" in bar_text(app) and SIMPLE[:8] in bar_text(app)
        await pilot.press("space")
        await wait_until(pilot, lambda: "paused" in bar_text(app), "paused from the calls view")


async def test_recbrowser_player_set_keeps_the_external_player(fake, tmp_path: Path, monkeypatch) -> None:
    record = recording_player(tmp_path, monkeypatch)
    app = make_app(fake, mpv=FAKE_MPV)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        await pilot.press("tab", "o")
        await wait_until(pilot, lambda: any("Opening segment 1" in m for m in notifications(app)), "opening")
        assert app.playback is None
    assert wait_for_text(record).startswith("http")


async def test_in_app_playback_can_be_turned_off(fake, tmp_path: Path, monkeypatch) -> None:
    app = make_app(fake, mpv=FAKE_MPV, settings=Settings(in_app_playback=False))
    assert app.in_app_mpv() is None
    monkeypatch.setenv("RECBROWSER_PLAYER", "mpv {}")
    assert make_app(fake, mpv=None).in_app_mpv() is None


async def test_at_80x24_the_bar_shows_time_and_state_before_the_label(fake) -> None:
    app = make_app(fake, mpv=FAKE_MPV)
    async with app.run_test(size=(80, 24)) as pilot:
        await look_up(pilot, SIMPLE)
        await pilot.press("tab", "o")
        await wait_until(pilot, lambda: "/ 1:00 · playing" in bar_text(app), "playing")
        await pilot.press("space")
        await wait_until(pilot, lambda: "paused" in bar_text(app), "paused")
        await pilot.pause()
        assert any("/ 1:00 · paused · 7f3d8e00" in line for line in screen_text(app))
