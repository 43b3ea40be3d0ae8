"""Running the playback controller against the mpv stand-in (tests/fake_mpv.py) or the real mpv,
and waiting for what it says, without sleeps."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

from recbrowser.playback import PlaybackState

FAKE_MPV = [sys.executable, str(Path(__file__).with_name("fake_mpv.py"))]
"""The stand-in's command, given to the controller (or the app) where mpv's would be."""


class States:
    """Every state the controller told, and a way to wait for one."""

    def __init__(self) -> None:
        self.seen: list[PlaybackState] = []
        self._changed = asyncio.Event()

    def __call__(self, state: PlaybackState) -> None:
        self.seen.append(state)
        self._changed.set()

    @property
    def last(self) -> PlaybackState:
        return self.seen[-1]

    async def until(
        self, condition: Callable[[PlaybackState], bool], what: str, timeout: float = 15.0
    ) -> PlaybackState:
        """The first state from now on (or the last one) for which ``condition`` holds."""

        async def wait() -> PlaybackState:
            while not (self.seen and condition(self.last)):
                self._changed.clear()
                await self._changed.wait()
            return self.last

        try:
            return await asyncio.wait_for(wait(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"timed out waiting for {what}; last state: {self.seen[-1:]}") from None


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def mpv_children() -> list[str]:
    """Command lines of this process's children that are an mpv (or its stand-in) with a control socket."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                argv = cmdline.read().decode(errors="replace").split("\0")
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and any(a.startswith("--input-ipc-server=") for a in argv):
            found.append(" ".join(argv))
    return found
