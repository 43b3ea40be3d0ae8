"""The playback controller against a stand-in that speaks mpv's JSON IPC over a real Unix socket
(tests/fake_mpv.py, run as a real process): play, pause, seek, speed, the end of a segment and
the next one, and never a process or a socket left behind."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import select
import shutil
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from recbrowser.models import Segment
from recbrowser.mpvipc import IpcError, MpvIpc
from recbrowser.mpvprocess import sweep_stale_dirs
from recbrowser.playback import SPEEDS, Playback, PlaybackState, PlayTarget, play_targets
from recbrowser.player import Said, in_app_player
from tests.playback_helpers import FAKE_MPV, States, alive

URL = "https://recordings.example/a.wav"


def target(index: int = 1, where: str = URL) -> PlayTarget:
    return PlayTarget("7f3d8e00-a1b2-4c3d-9e4f-567890abcdef", index, f"segment {index}", where)


@pytest.fixture
def argv_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = tmp_path / "mpv-argv.jsonl"
    monkeypatch.setenv("FAKE_MPV_LOG", str(log))
    return log


async def test_play_pause_seek_and_stop_leave_nothing_behind(argv_log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MPV_DURATION", "60")
    monkeypatch.setenv("MAGPIPE_API_KEY", "mgp_" + "ab12" * 10)
    environment = argv_log.with_name("mpv-environment.json")
    monkeypatch.setenv("FAKE_MPV_ENVIRONMENT", str(environment))
    states = States()
    playback = Playback(FAKE_MPV, states)
    await playback.play([target()])
    playing = await states.until(lambda s: s.phase == "playing" and s.total == 60 and s.elapsed > 0, "playing")
    assert playing.label == "segment 1" and playing.speed == 1.0
    pid, socket = playback.pid, Path(playback.socket or "")
    assert pid is not None and alive(pid)
    assert stat.S_IMODE(socket.parent.stat().st_mode) == 0o700 and socket.is_socket()

    await playback.toggle_pause()
    paused = await states.until(lambda s: s.phase == "paused", "paused")
    assert paused.paused
    await playback.seek(30)
    assert (await states.until(lambda s: s.elapsed >= 30, "seek forward")).elapsed == pytest.approx(
        paused.elapsed + 30, abs=0.1
    )
    await playback.seek(-300)  # clamped at the start
    assert (await states.until(lambda s: s.elapsed < 1, "seek back")).elapsed == 0
    await playback.toggle_pause()
    await states.until(lambda s: s.phase == "playing", "resumed")

    await playback.stop()
    assert states.last.phase == "stopped" and playback.pid is None
    assert not alive(pid) and not socket.parent.exists()
    assert (
        "MAGPIPE_API_KEY" not in json.loads(environment.read_text()) and "FAKE_MPV_DURATION" in environment.read_text()
    )
    argv = json.loads(argv_log.read_text().splitlines()[0])
    assert argv[-2:] == ["--", URL]
    for option in ("--no-video", "--no-terminal", "--no-config", "--idle=no", "--really-quiet", "--pause=no"):
        assert option in argv


async def test_a_seek_past_the_end_is_kept_to_the_end_which_ends_the_segment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MPV_DURATION", "20")
    states = States()
    playback = Playback(FAKE_MPV, states)
    await playback.play([target()], paused=True)
    await states.until(lambda s: s.phase == "paused" and s.total == 20, "loaded, paused")
    await playback.seek(30)
    assert (await states.until(lambda s: s.phase == "ended", "the end")).elapsed == 20
    await playback.close()


async def test_speed_steps_through_the_ladder_and_stops_at_its_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MPV_DURATION", "60")
    states = States()
    playback = Playback(FAKE_MPV, states)
    await playback.play([target()])
    await states.until(lambda s: s.phase == "playing", "playing")
    await playback.change_speed(+1)
    assert (await states.until(lambda s: s.speed != 1.0, "faster")).speed == 1.25
    for _ in SPEEDS:
        await playback.change_speed(+1)
    assert (await states.until(lambda s: s.speed == 2.0, "fastest")).speed == max(SPEEDS)
    for _ in range(len(SPEEDS) + 2):
        await playback.change_speed(-1)
    assert (await states.until(lambda s: s.speed == 0.5, "slowest")).speed == min(SPEEDS)
    await playback.close()


async def test_the_end_of_a_segment_plays_the_next_when_asked(argv_log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MPV_DURATION", "0.3")
    states = States()
    playback = Playback(FAKE_MPV, states, play_next=True)
    await playback.play([target(1), target(2, "/downloads/02-x.wav")])
    await states.until(lambda s: s.index == 2 and s.phase == "playing", "the second segment")
    first_pid_gone = [s for s in states.seen if s.index == 1 and s.phase == "ended"]
    assert first_pid_gone, "the first segment ended before the next began"
    await states.until(lambda s: s.index == 2 and s.phase == "ended", "the end of the second")
    assert playback.pid is None
    assert [json.loads(line)[-1] for line in argv_log.read_text().splitlines()] == [URL, "/downloads/02-x.wav"]


async def test_without_play_next_the_end_of_a_segment_is_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MPV_DURATION", "0.3")
    states = States()
    playback = Playback(FAKE_MPV, states)
    await playback.play([target(1), target(2)])
    await states.until(lambda s: s.phase == "playing", "playing")
    pid = playback.pid
    ended = await states.until(lambda s: s.phase == "ended", "the end")
    assert ended.index == 1 and playback.pid is None and pid is not None and not alive(pid)


async def crash_it(playback: Playback, command: str) -> None:
    """Tell the stand-in, as a second client of its socket, to crash or close its socket."""
    ipc = await MpvIpc.connect(Path(playback.socket or ""), lambda _event: None)
    with contextlib.suppress(IpcError, TimeoutError, asyncio.TimeoutError):  # it may die before it answers
        await ipc.command(command)
    await ipc.aclose()


@pytest.mark.parametrize(
    ("command", "said"),
    [("fake-crash", "mpv stopped unexpectedly (exit code 3)"), ("fake-close-socket", "lost contact with mpv")],
)
async def test_losing_mpv_or_its_socket_leaves_no_process(command: str, said: str, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_MPV_DURATION", "60")
    states = States()
    playback = Playback(FAKE_MPV, states)
    await playback.play([target()])
    await states.until(lambda s: s.phase == "playing", "playing")
    pid, directory = playback.pid, Path(playback.socket or "").parent
    assert pid is not None
    await crash_it(playback, command)
    failed = await states.until(lambda s: s.phase == "failed", "the failure")
    assert failed.reason.startswith(said)
    assert not alive(pid) and not directory.exists() and playback.pid is None


async def test_no_audio_device_is_said_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MPV_FAIL", "audio")
    states = States()
    playback = Playback(FAKE_MPV, states)
    await playback.play([target()])
    failed = await states.until(lambda s: s.phase == "failed", "the failure")
    assert failed.reason.startswith("mpv could not open an audio device")


async def test_a_missing_mpv_fails_in_one_line(tmp_path: Path) -> None:
    states = States()
    playback = Playback([str(tmp_path / "no-mpv")], states)
    await playback.play([target()])
    failed = await states.until(lambda s: s.phase in ("failed", "ended"), "the failure")
    assert failed.reason == "mpv could not be started: No such file or directory"
    assert playback.pid is None


async def test_time_moving_on_is_told_at_most_four_times_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MPV_DURATION", "1.5")
    monkeypatch.setenv("FAKE_MPV_RATE", "200")  # ~300 time-pos events
    states = States()
    playback = Playback(FAKE_MPV, states)
    await playback.play([target()])
    await states.until(lambda s: s.phase == "ended", "the end")
    playing = [s for s in states.seen if s.phase == "playing"]
    assert 2 <= len(playing) <= 1.5 / 0.25 + 4
    assert len({s.elapsed for s in playing}) >= 2  # it did move on


async def test_a_new_play_ends_the_one_before(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MPV_DURATION", "60")
    states = States()
    playback = Playback(FAKE_MPV, states)
    await playback.play([target(1)])
    await states.until(lambda s: s.phase == "playing", "playing")
    first = playback.pid
    await playback.play([target(2)])
    await states.until(lambda s: s.index == 2 and s.phase == "playing", "the second")
    assert first is not None and not alive(first) and playback.pid != first
    told = len(states.seen)
    await playback.close()
    assert playback.pid is None and len(states.seen) == told  # quitting tells no one


def segment(index: int, url: str | None) -> Segment:
    return Segment(index, url, "main", 10, "signalwire", "synced", None)


def test_targets_are_the_file_when_downloaded_else_a_web_url_and_skip_what_cannot_play(tmp_path: Path) -> None:
    segments = [segment(1, URL), segment(2, "file:///etc/passwd"), segment(3, "--script=x"), segment(4, URL)]
    local = tmp_path / "04-main.wav"
    local.write_bytes(b"RIFF")
    files = {1: str(tmp_path / "gone.wav"), 4: str(local)}
    targets = play_targets("7f3d8e00-a1b2-4c3d-9e4f-567890abcdef", segments, 0, files)
    assert isinstance(targets, list)
    assert [(t.index, t.target, t.local) for t in targets] == [(1, URL, False), (4, str(local), True)]
    refused = play_targets("7f3d8e00-a1b2-4c3d-9e4f-567890abcdef", segments, 2, {})
    assert isinstance(refused, Said) and "only http and https" in refused.message


def test_in_app_playback_needs_mpv_no_player_variable_and_the_setting() -> None:
    def which(_name: str) -> str:
        return "/usr/bin/mpv"

    def none(_name: str) -> None:
        return None

    assert in_app_player({}, which=which) == "/usr/bin/mpv"
    assert in_app_player({"RECBROWSER_PLAYER": "vlc {}"}, which=which) is None
    assert in_app_player({"RECBROWSER_PLAYER": "  "}, which=which) == "/usr/bin/mpv"
    assert in_app_player({}, enabled=False, which=which) is None
    assert in_app_player({}, which=none) is None


def test_the_summary_line_says_label_time_phase_and_speed() -> None:
    state = PlaybackState(phase="paused", label="seg 1", elapsed=65, total=125, speed=1.5)
    assert state.summary() == "1:05 / 2:05 · paused · 1.5x · seg 1"
    assert PlaybackState(phase="loading", label="x").summary() == "0:00 / ? · loading · x"
    failed = PlaybackState(phase="failed", label="x", reason="mpv could not play it (exit code 2)")
    assert failed.summary() == "failed: mpv could not play it (exit code 2) · x"


KILLED_APP = """
import asyncio, sys
from recbrowser.playback import Playback, PlayTarget
async def main():
    playing = asyncio.Event()
    playback = Playback(sys.argv[1:], lambda s: s.phase == "playing" and playing.set())
    await playback.play([PlayTarget("c", 1, "x", "https://recordings.example/a.wav")])
    await playing.wait()
    print(playback.pid, playback.socket, flush=True)
    await asyncio.Event().wait()
asyncio.run(main())
"""


def test_mpv_dies_with_the_app_even_when_the_app_is_killed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PR_SET_PDEATHSIG: kill -9 of the app gives mpv SIGTERM (no cleanup of ours can run then)."""
    monkeypatch.setenv("FAKE_MPV_DURATION", "600")
    app = subprocess.Popen([sys.executable, "-c", KILLED_APP, *FAKE_MPV], stdout=subprocess.PIPE, text=True)
    try:
        assert app.stdout is not None
        pid_text, socket = app.stdout.readline().split()
        pid = int(pid_text)
        ended = os.pidfd_open(pid)  # readable once mpv has ended
        try:
            assert alive(pid)
            app.kill()
            app.wait(timeout=10)
            assert select.select([ended], [], [], 10)[0] == [ended], "mpv outlived the killed app"
        finally:
            os.close(ended)
        assert not alive(pid)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(timeout=10)
        if "socket" in locals():
            shutil.rmtree(Path(socket).parent, ignore_errors=True)  # the app could not remove it: it was killed


async def test_keys_pressed_quickly_apply_in_order_each_from_where_the_last_left(monkeypatch) -> None:
    monkeypatch.setenv("FAKE_MPV_DURATION", "60")
    states = States()
    playback = Playback(FAKE_MPV, states)
    await playback.play([target()], paused=True)
    await states.until(lambda s: s.phase == "paused" and s.total == 60, "loaded, paused")
    await asyncio.gather(playback.seek(30), playback.seek(5), playback.seek(-10))
    assert (await states.until(lambda s: s.elapsed >= 20, "the seeks")).elapsed == pytest.approx(25, abs=0.1)
    await asyncio.gather(playback.toggle_pause(), playback.toggle_pause(), playback.toggle_pause())
    assert (await states.until(lambda s: s.phase == "playing", "three toggles: playing")).phase == "playing"
    await playback.close()


def test_sweep_old_dirs(tmp_path: Path) -> None:
    """Socket directories a killed app left are removed; fresh ones and ones mpv answers on stay."""
    left, fresh, live = (tmp_path / f"recbrowser-mpv-{name}" for name in ("left", "fresh", "live"))
    for directory in (left, fresh, live):
        directory.mkdir(mode=0o700)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(live / "mpv.sock"))
        listener.listen()
        old = time.time() - 3600
        for directory in (left, live):
            os.utime(directory, (old, old))
        assert sweep_stale_dirs(tmp_path) == [left]
        assert not left.exists() and fresh.exists() and live.exists()
    finally:
        listener.close()


async def test_an_mpv_that_ignores_quit_and_sigterm_is_killed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_MPV_DURATION", "60")
    monkeypatch.setenv("FAKE_MPV_STUBBORN", "1")
    states = States()
    playback = Playback(FAKE_MPV, states)
    await playback.play([target()])
    await states.until(lambda s: s.phase == "playing", "playing")
    pid, directory = playback.pid, Path(playback.socket or "").parent
    await playback.close()
    assert pid is not None and not alive(pid) and not directory.exists()
