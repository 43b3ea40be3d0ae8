"""The playback controller against the real mpv (audio to ``--ao=null``), playing a short WAV from
the fake API's recordings host: play, pause, seek, the end of the file, and quitting with nothing
left running. Skipped, saying why, where mpv is not installed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from recbrowser.playback import Playback, PlayTarget, play_targets
from tests.playback_helpers import States, alive
from tests.tui_helpers import SIMPLE

MPV = shutil.which("mpv")
pytestmark = pytest.mark.skipif(MPV is None, reason="mpv is not installed (apt-get install mpv)")
NO_SOUND = ["--ao=null"]


async def a_recording(make_client) -> PlayTarget:
    call = await make_client().get_recordings(SIMPLE)
    targets = play_targets(SIMPLE, call.segments, 0, {})
    assert isinstance(targets, list)
    return targets[0]


async def test_real_mpv_plays_pauses_seeks_and_ends_leaving_nothing(make_client) -> None:
    recording = await a_recording(make_client)
    states = States()
    playback = Playback([MPV or "mpv"], states, extra=NO_SOUND)
    await playback.play([recording], paused=True)
    loaded = await states.until(lambda s: s.phase == "paused" and s.total is not None, "loaded, paused")
    assert loaded.total is not None and 1 <= loaded.total <= 3
    pid, directory = playback.pid, Path(playback.socket or "").parent
    assert pid is not None and alive(pid)
    await playback.seek(0.5)
    await states.until(lambda s: s.elapsed >= 0.4, "the seek")
    await playback.toggle_pause()
    await states.until(lambda s: s.phase == "playing", "playing")
    ended = await states.until(lambda s: s.phase in ("ended", "failed"), "the end of the file")
    assert ended.phase == "ended", ended.reason
    assert not alive(pid) and not directory.exists() and playback.pid is None


async def test_quitting_while_real_mpv_plays_leaves_nothing_running(make_client) -> None:
    recording = await a_recording(make_client)
    states = States()
    playback = Playback([MPV or "mpv"], states, extra=NO_SOUND)
    await playback.play([recording], paused=True)
    await states.until(lambda s: s.phase == "paused", "loaded")
    pid, directory = playback.pid, Path(playback.socket or "").parent
    assert pid is not None
    await playback.close()
    assert not alive(pid) and not directory.exists()
