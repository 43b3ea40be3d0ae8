"""Running mpv for in-app playback: its command line, its private socket directory, and making
sure it never outlives the app.

mpv runs without video, a terminal or the user's config, in its own session with nothing on its
standard streams (its audio libraries write to stderr, which would tear the app's screen). On
Linux it is started through a few lines of Python that ask the kernel to send it SIGTERM when
the app dies (``PR_SET_PDEATHSIG``, kept across ``exec``), so even ``kill -9`` of the app ends
it; an ``atexit`` hook ends those still running when the interpreter exits normally.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import errno
import os
import shutil
import signal
import socket
import stat
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from recbrowser.apikey import ENV_KEY

SOCKET_NAME = "mpv.sock"
MAX_SOCKET_PATH = 100
"""AF_UNIX paths are at most 107 bytes: a longer runtime dir falls back to the temp dir."""
QUIT_WAIT = 0.5
"""Seconds mpv has to answer ``quit`` and end; then SIGTERM, TERM_WAIT more, then SIGKILL: the app
quits within its 2 s however mpv behaves."""
TERM_WAIT = 0.5
KILL_WAIT = 1.0

BASE_OPTIONS = (
    "--no-video",
    "--no-terminal",
    "--no-config",
    "--idle=no",
    "--really-quiet",
    "--no-input-default-bindings",
    "--input-terminal=no",
    "--load-scripts=no",
    "--ytdl=no",
    "--save-position-on-quit=no",
    "--force-window=no",
    "--audio-display=no",
)
"""No video, no terminal, no config, scripts or youtube-dl: nothing but the file and its audio."""

# Runs as the child before mpv: the kernel sends SIGTERM to it (then mpv, after exec) when the
# thread that started it ends; if the app is already gone, end at once.
_PDEATHSIG = (
    "import ctypes, os, signal, sys\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    "if libc.prctl(1, int(signal.SIGTERM), 0, 0, 0) != 0: sys.exit(70)\n"
    "if os.getppid() != int(sys.argv[1]): sys.exit(71)\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


def mpv_argv(mpv: Sequence[str], socket: Path, target: str, *, paused: bool, extra: Sequence[str] = ()) -> list[str]:
    """mpv's command line playing ``target`` (a path or an http(s) URL, after ``--`` so it is never an option)."""
    return [
        *mpv,
        *BASE_OPTIONS,
        f"--input-ipc-server={socket}",
        f"--pause={'yes' if paused else 'no'}",
        *extra,
        "--",
        target,
    ]


def dies_with_us(argv: Sequence[str]) -> list[str]:
    """``argv`` run so that it gets SIGTERM when this process dies (Linux); unchanged elsewhere.
    Start it from a thread that lives as long as the app (the event loop's): the signal follows
    the thread that forked, not the process. FileNotFoundError when ``argv[0]`` cannot be found."""
    program = shutil.which(argv[0])
    if program is None:
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), argv[0])
    if not sys.platform.startswith("linux"):
        return list(argv)
    return [sys.executable, "-I", "-S", "-c", _PDEATHSIG, str(os.getpid()), program, *argv[1:]]


def private_runtime_dir() -> Path:
    """A new directory only we can enter (0700) for mpv's socket: under XDG_RUNTIME_DIR when that
    is set and short enough, else the temp dir. The caller removes it (``remove_dir``); those left
    by a killed app are removed first (``sweep_stale_dirs``)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    base = runtime if runtime and os.path.isdir(runtime) and len(runtime) < MAX_SOCKET_PATH - 40 else None
    sweep_stale_dirs(Path(base or tempfile.gettempdir()))
    path = Path(tempfile.mkdtemp(prefix="recbrowser-mpv-", dir=base))
    if len(str(path / SOCKET_NAME)) > MAX_SOCKET_PATH:
        path.rmdir()
        path = Path(tempfile.mkdtemp(prefix="recbrowser-mpv-", dir="/tmp" if os.path.isdir("/tmp") else None))
    return path


STALE_AFTER = 60.0
"""Seconds after which a socket directory nobody answers on is taken as left by a killed app."""


def sweep_stale_dirs(base: Path, *, now: float | None = None) -> list[Path]:
    """Remove the socket directories of ours in ``base`` that a killed app left (``kill -9`` gives
    no chance to clean up): older than STALE_AFTER, ours, and without a socket that answers."""
    now = time.time() if now is None else now
    removed = []
    for path in base.glob("recbrowser-mpv-*"):
        try:
            info = path.lstat()
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or now - info.st_mtime < STALE_AFTER:
            continue
        if _answers(path / SOCKET_NAME):
            continue
        remove_dir(path)
        removed.append(path)
    return removed


def _answers(path: Path) -> bool:
    if not path.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def remove_dir(path: Path) -> None:
    """Remove the socket directory and what mpv left in it."""
    shutil.rmtree(path, ignore_errors=True)


class MpvProcess:
    """One running mpv and its socket directory."""

    def __init__(self, process: asyncio.subprocess.Process, directory: Path) -> None:
        self.process = process
        self.directory = directory
        _running[process.pid] = directory

    @property
    def socket(self) -> Path:
        return self.directory / SOCKET_NAME

    @property
    def pid(self) -> int:
        return self.process.pid

    @classmethod
    async def start(
        cls, mpv: Sequence[str], target: str, *, paused: bool = False, extra: Sequence[str] = ()
    ) -> MpvProcess:
        """Start mpv on ``target``; OSError when it cannot be run (the directory is removed then)."""
        directory = private_runtime_dir()
        try:
            argv = dies_with_us(mpv_argv(mpv, directory / SOCKET_NAME, target, paused=paused, extra=extra))
            process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
                start_new_session=True,
                close_fds=True,
                env={name: value for name, value in os.environ.items() if name != ENV_KEY},  # mpv needs no key
            )
        except BaseException:
            remove_dir(directory)
            raise
        return cls(process, directory)

    async def wait(self, timeout: float) -> int | None:
        """Its exit status once it has ended within ``timeout`` seconds, else None."""
        try:
            return await asyncio.wait_for(asyncio.shield(self.process.wait()), timeout)
        except asyncio.TimeoutError:
            return None

    async def end(self) -> int | None:
        """Make sure it has ended (SIGTERM, then SIGKILL, bounded waits) and its directory is gone."""
        try:
            if self.process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    self.process.terminate()
                if await self.wait(TERM_WAIT) is None:
                    with contextlib.suppress(ProcessLookupError):
                        self.process.kill()
                    await self.wait(KILL_WAIT)
            return self.process.returncode
        finally:
            _running.pop(self.process.pid, None)
            remove_dir(self.directory)


_running: dict[int, Path] = {}
"""mpv processes started and not yet ended, with their socket directories, for ``_end_all``."""


@atexit.register
def _end_all() -> None:
    """At interpreter exit (also after an exception or Ctrl-C): no mpv and no socket left behind."""
    for pid, directory in list(_running.items()):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)
        remove_dir(directory)
    _running.clear()
