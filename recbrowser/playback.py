"""In-app playback: a controller for one mpv at a time, driven over its IPC socket, and the
state the app shows (``PlaybackState``).

``Playback.play`` starts mpv on a segment (its downloaded file, else its http(s) URL) and
follows it: elapsed and total time, pause, speed, the end of the file. Changes reach
``on_change`` coalesced: time moving on is said at most every ``interval`` seconds, anything
else at once. Each segment gets its own mpv (``--idle=no``: it ends with its file); with
``play_next`` the next segment of the call follows. Stopping, the socket closing, or mpv ending
on its own always leaves no process and no socket behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from recbrowser.formatting import format_duration, short_call_id
from recbrowser.models import Segment
from recbrowser.mpvipc import Event, IpcError, MpvIpc
from recbrowser.mpvprocess import QUIT_WAIT, MpvProcess
from recbrowser.player import Said, open_target
from recbrowser.text import printable

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
"""The speeds ``[`` and ``]`` step through."""
UPDATE_INTERVAL = 0.25
"""Seconds between two updates for time moving on (at most ~4 a second reach the app)."""
CONNECT_TIMEOUT = 10.0
"""Seconds mpv has to open its socket after it starts."""
GONE_WAIT = 2.0
"""Seconds mpv has to end once its socket has closed before it is taken as lost (and ended)."""
OBSERVED = ("time-pos", "duration", "pause", "speed", "eof-reached")

Phase = Literal["loading", "playing", "paused", "ended", "stopped", "failed"]


@dataclass(frozen=True)
class PlayTarget:
    """A segment to play: what mpv is given (a local path or an http(s) URL) and how it is named."""

    call_id: str
    index: int
    label: str
    target: str
    local: bool = False


@dataclass(frozen=True)
class PlaybackState:
    """What is playing, where it is and how: all the app shows."""

    phase: Phase = "stopped"
    label: str = ""
    call_id: str | None = None
    index: int | None = None
    elapsed: float = 0.0
    total: float | None = None
    paused: bool = False
    speed: float = 1.0
    reason: str = ""
    """Why it failed (``failed``), for the user."""

    @property
    def active(self) -> bool:
        """mpv is running (loading, playing or paused): the playback keys apply."""
        return self.phase in ("loading", "playing", "paused")

    @property
    def shown(self) -> bool:
        """Worth a line on screen: anything but stopped."""
        return self.phase != "stopped"

    def summary(self) -> str:
        """One line, what matters first (a narrow terminal cuts the end): elapsed / total · phase ·
        speed (when not 1x) · label; a failure: why, then the label."""
        if self.phase == "failed":
            return f"failed: {self.reason} · {self.label}"
        total = format_duration(self.total) if self.total is not None else "?"
        parts = [f"{format_duration(self.elapsed)} / {total}", self.phase]
        if self.speed != 1.0:
            parts.append(f"{self.speed:g}x")
        parts.append(self.label)
        return " · ".join(parts)


def play_targets(
    call_id: str, segments: Sequence[Segment], start: int, local_files: Mapping[int, str]
) -> list[PlayTarget] | Said:
    """The segment at ``start`` (its position in ``segments``) and the playable ones after it, for
    playing on: each its downloaded file while that exists, else its URL; a ``Said`` when the one
    asked for cannot be played (no URL, not http(s))."""
    targets: list[PlayTarget] = []
    for position in range(start, len(segments)):
        segment = segments[position]
        local = local_files.get(segment.index)
        if local is not None and not os.path.exists(local):
            local = None  # moved or deleted since it was downloaded
        target = open_target(segment, local)
        if isinstance(target, Said):
            if position == start:
                return target
            continue
        label = f"{short_call_id(call_id)} segment {segment.index} ({printable(segment.friendly_label, limit=30)})"
        targets.append(PlayTarget(call_id, segment.index, label, target, local=local is not None))
    return targets


@dataclass
class _Session:
    """One mpv playing one target, and what it has said so far."""

    process: MpvProcess
    target: PlayTarget
    ipc: MpvIpc | None = None
    watcher: asyncio.Task[None] | None = None
    loaded: bool = False
    eof: bool = False
    error: str = ""
    fields: dict[str, object] = field(default_factory=dict)


class Playback:
    """Plays one segment at a time with mpv (``mpv``: its command, e.g. ``["/usr/bin/mpv"]``).
    Every method runs on the event loop; ``on_change`` is called there too."""

    def __init__(
        self,
        mpv: Sequence[str],
        on_change: Callable[[PlaybackState], None] = lambda _state: None,
        *,
        play_next: bool = False,
        extra: Sequence[str] = (),
        interval: float = UPDATE_INTERVAL,
    ) -> None:
        self.mpv = list(mpv)
        self.on_change = on_change
        self.play_next = play_next
        self.extra = list(extra)
        self.interval = interval
        self.state = PlaybackState()
        self._session: _Session | None = None
        self._queue: list[PlayTarget] = []
        self._lock = asyncio.Lock()  # starting and ending mpv
        self._keys = asyncio.Lock()  # pause and seek, in the order asked
        self._speed = 1.0
        self._said_at = 0.0
        self._later: asyncio.TimerHandle | None = None

    @property
    def pid(self) -> int | None:
        """The running mpv's process id (None when none runs)."""
        return self._session.process.pid if self._session else None

    @property
    def socket(self) -> str | None:
        return str(self._session.process.socket) if self._session else None

    # --- commands ----------------------------------------------------------------------

    async def play(self, targets: Sequence[PlayTarget], *, paused: bool = False) -> None:
        """Play ``targets[0]`` (whatever played before is stopped); the rest follow with ``play_next``."""
        if not targets:
            return
        async with self._lock:
            await self._end_session()
            self._queue = list(targets[1:])
            await self._start(targets[0], paused=paused)

    async def toggle_pause(self) -> None:
        session = self._session
        if session is not None:
            async with self._keys:
                await self._command(session, "cycle", "pause")  # mpv flips it, in the order the keys came

    async def seek(self, seconds: float) -> None:
        """Move ``seconds`` forward (back when negative), kept within the recording."""
        session = self._session
        if session is None or not session.loaded:
            return
        async with self._keys:  # one after the other, each from where the one before left it
            position = max(0.0, self.state.elapsed + seconds)
            if self.state.total is not None:
                position = min(position, self.state.total)
            if await self._command(session, "seek", position, "absolute"):
                self._set(elapsed=position)

    async def change_speed(self, steps: int) -> None:
        """Step the speed up (``steps`` > 0) or down through ``SPEEDS``, stopping at either end."""
        nearest = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - self._speed))
        speed = SPEEDS[max(0, min(len(SPEEDS) - 1, nearest + steps))]
        self._speed = speed
        session = self._session
        if session is None or await self._command(session, "set_property", "speed", speed):
            self._set(speed=speed)

    async def stop(self) -> None:
        """Stop playing: mpv is ended and its socket removed."""
        async with self._lock:
            self._queue = []
            was = self._session
            await self._end_session()
            if was is not None or self.state.active:
                self._set(phase="stopped", reason="", paused=False)

    async def close(self) -> None:
        """The app is quitting: stop, without telling anyone."""
        self.on_change = lambda _state: None
        await self.stop()
        if self._later is not None:
            self._later.cancel()

    # --- one mpv -----------------------------------------------------------------------

    async def _start(self, target: PlayTarget, *, paused: bool) -> None:
        self._set(
            phase="loading",
            label=target.label,
            call_id=target.call_id,
            index=target.index,
            elapsed=0.0,
            total=None,
            paused=paused,
            speed=self._speed,
            reason="",
        )
        speed = [f"--speed={self._speed:g}"] if self._speed != 1.0 else []
        try:
            process = await MpvProcess.start(self.mpv, target.target, paused=paused, extra=[*self.extra, *speed])
        except OSError as exc:
            self._set(phase="failed", reason=f"mpv could not be started: {printable(exc.strerror or exc, limit=100)}")
            return
        session = _Session(process, target)
        self._session = session
        session.watcher = asyncio.get_running_loop().create_task(self._watch(session), name="mpv-watch")

    async def _watch(self, session: _Session) -> None:
        """Connect, observe, and wait for the socket to close; then end mpv and say how it ended."""
        try:
            session.ipc = await self._connect(session)
            if session.ipc is not None:
                for number, name in enumerate(OBSERVED, start=1):
                    await session.ipc.command("observe_property", number, name)
                await session.ipc.closed.wait()
        except (IpcError, asyncio.TimeoutError):
            pass  # the socket went away meanwhile: said below
        async with self._lock:
            if self._session is not session:
                return  # stopped or replaced on purpose
            self._session = None
            ended_itself = await session.process.wait(GONE_WAIT) is not None
            if session.ipc is not None:
                await session.ipc.aclose()
            code = await session.process.end()
            if not ended_itself and session.ipc is not None and not session.error:
                session.error = "lost contact with mpv: its control socket closed"
            if session.eof or (code == 0 and not session.error):
                self._set(phase="ended", paused=False, elapsed=self.state.total or self.state.elapsed)
                if self.play_next and self._queue:
                    await self._start(self._queue.pop(0), paused=False)
                return
            self._set(phase="failed", paused=False, reason=_failure(session, code))

    async def _connect(self, session: _Session) -> MpvIpc | None:
        deadline = time.monotonic() + CONNECT_TIMEOUT
        while True:
            if session.process.process.returncode is not None:
                return None
            try:
                return await MpvIpc.connect(session.process.socket, lambda event: self._event(session, event))
            except OSError:
                if time.monotonic() > deadline:
                    session.error = "mpv did not open its control socket"
                    return None
            if await session.process.wait(0.02) is not None:  # mpv is still creating its socket
                return None

    async def _end_session(self) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        if session.watcher is not None:
            session.watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await session.watcher
        if session.ipc is not None:
            with contextlib.suppress(IpcError, asyncio.TimeoutError):
                await session.ipc.command("quit", timeout=QUIT_WAIT)
            await session.process.wait(QUIT_WAIT)
            await session.ipc.aclose()
        await session.process.end()

    async def _command(self, session: _Session, *args: object) -> bool:
        """Send a command to ``session``'s mpv; False when it refused or is gone (its end is said by the watcher)."""
        if session.ipc is None or self._session is not session:
            return False
        try:
            await session.ipc.command(*args)
        except (IpcError, asyncio.TimeoutError):
            return False
        return True

    # --- what mpv says -----------------------------------------------------------------

    def _event(self, session: _Session, event: Event) -> None:
        if self._session is not session:
            return
        kind = event.get("event")
        if kind == "property-change":
            self._property(session, str(event.get("name")), event.get("data"))
        elif kind in ("file-loaded", "playback-restart"):
            self._loaded(session)
        elif kind == "end-file":
            reason = event.get("reason")
            if reason == "eof":
                session.eof = True
            elif reason == "error":
                session.error = printable(event.get("file_error") or "it could not be played", limit=120)

    def _loaded(self, session: _Session) -> None:
        """The file is loaded (an event said so, or it has a position: the event may have come before we connected)."""
        if not session.loaded:
            session.loaded = True
            self._set(phase="paused" if self.state.paused else "playing")

    def _property(self, session: _Session, name: str, data: object) -> None:
        number = float(data) if isinstance(data, (int, float)) and not isinstance(data, bool) else None
        if name == "time-pos" and number is not None:
            self._loaded(session)
            self._set(elapsed=max(0.0, number), urgent=False)
        elif name == "duration" and number is not None:
            self._loaded(session)
            self._set(total=number)
        elif name == "pause" and isinstance(data, bool):
            phase = self.state.phase
            if session.loaded:
                phase = "paused" if data else "playing"
            self._set(paused=data, phase=phase)
        elif name == "speed" and number is not None:
            self._speed = number
            self._set(speed=number)
        elif name == "eof-reached" and data is True:
            session.eof = True

    # --- telling the app ---------------------------------------------------------------

    def _set(self, *, urgent: bool = True, **changes: object) -> None:
        """Change the state; tell ``on_change`` now, or for time moving on, within ``interval``."""
        self.state = replace(self.state, **changes)  # type: ignore[arg-type]
        if urgent:
            self._say()
            return
        wait = self._said_at + self.interval - time.monotonic()
        if wait <= 0:
            self._say()
        elif self._later is None:
            self._later = asyncio.get_running_loop().call_later(wait, self._say)

    def _say(self) -> None:
        if self._later is not None:
            self._later.cancel()
            self._later = None
        self._said_at = time.monotonic()
        self.on_change(self.state)


def _failure(session: _Session, code: int | None) -> str:
    """Why mpv stopped without reaching the end, in words for the user."""
    if session.error.startswith(("lost contact", "mpv did not")):
        return session.error
    if session.error:
        if "audio" in session.error.lower():
            return f"mpv could not open an audio device ({session.error})"
        return f"mpv could not play it: {session.error}"
    if code is None or code < 0:
        return "mpv stopped unexpectedly" + (f" (signal {-code})" if code else "")
    if code == 2:  # mpv's "error playing the file": its reason came before we could listen
        return "mpv could not play it (exit code 2)"
    if session.ipc is None:
        return f"mpv ended at once (exit code {code})"
    return f"mpv stopped unexpectedly (exit code {code})"
