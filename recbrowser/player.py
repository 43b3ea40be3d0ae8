"""Opening a recording (URL or local file) in the user's player.

``RECBROWSER_PLAYER`` names a command (split with shlex, no shell); ``{}`` in it is replaced
by the URL or path, or the target is appended when there is no ``{}``. Without it, the
system opener (``webbrowser``) is used. ``plan_open`` decides which (a pure function);
``open_segment`` carries the plan out and says what came of it.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import threading
import webbrowser
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal
from urllib.parse import urlsplit

from recbrowser.errors import PlayerError, PlayerExited
from recbrowser.models import Segment
from recbrowser.text import printable

__all__ = [
    "Browse",
    "InTerminal",
    "Play",
    "PlayerError",
    "PlayerExited",
    "Said",
    "in_app_player",
    "is_web_url",
    "launch_checked",
    "open_segment",
    "open_target",
    "opened",
    "plan_open",
    "player_command",
    "runs_in_terminal",
]

PLAYER_ENV = "RECBROWSER_PLAYER"
SET_A_PLAYER = f"Set {PLAYER_ENV}, e.g. 'mpv --no-video {{}}'."
NEEDS_TERMINAL = f"The system opener needs this terminal, which the app cannot hand over here. {SET_A_PLAYER}"


def is_web_url(url: str) -> bool:
    """True for an http(s) URL with a host: the only kind of link from the API we open.

    Anything else (file:, a bare path, a "-option") could make the system opener or a player
    act on local files or flags chosen by whoever wrote the API data.
    """
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


CONSOLE_BROWSERS = {"lynx", "w3m", "links", "links2", "elinks", "www-browser", "browsh", "carbonyl"}


def runs_in_terminal(browser: webbrowser.BaseBrowser, env: Mapping[str, str] | None = None) -> bool:
    """True when the system opener would take over the terminal (lynx, w3m, links…), so the app
    must be suspended while it runs. A command that webbrowser does not know (from BROWSER)
    counts as one when there is no graphical display."""
    env = os.environ if env is None else env
    if isinstance(browser, webbrowser.BackgroundBrowser):
        return False
    name = os.path.basename(getattr(browser, "name", "") or "")
    if name in CONSOLE_BROWSERS:
        return True
    if isinstance(browser, webbrowser.UnixBrowser):
        return not browser.background
    if isinstance(browser, webbrowser.GenericBrowser):
        return not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
    return False


def player_command(target: str, env: Mapping[str, str] | None = None) -> list[str] | None:
    """The argv that plays ``target``, or None when no player is configured."""
    env = os.environ if env is None else env
    template = env.get(PLAYER_ENV, "").strip()
    if not template:
        return None
    try:
        parts = shlex.split(template)
    except ValueError as exc:
        raise PlayerError(f"{PLAYER_ENV} cannot be parsed: {exc}") from None
    if not parts:
        return None
    if any("{}" in part for part in parts):
        return [part.replace("{}", target) for part in parts]
    return [*parts, target]


EARLY_EXIT_GRACE = 1.0
"""Seconds a player must survive (or end cleanly) to count as started."""
STDERR_KEPT = 4096
"""Bytes of a player's stderr kept for the error message."""


def launch_checked(argv: list[str], *, grace: float = EARLY_EXIT_GRACE) -> subprocess.Popen[bytes]:
    """Start the player detached from our terminal (own session, no stdin or stdout) and watch it for ``grace`` seconds: an exit
    with an error in that time raises PlayerExited with what it said on stderr (bounded,
    escaped). Blocks up to ``grace`` seconds: call it from a worker thread in the app.

    Its stderr is drained for as long as it runs (the first STDERR_KEPT bytes kept), so a
    chatty player never blocks on a full pipe.
    """
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            close_fds=True,
        )
    except FileNotFoundError:
        raise PlayerError(f"Player not found: {argv[0]!r} (check {PLAYER_ENV}).") from None
    except OSError as exc:
        raise PlayerError(f"Could not start the player {argv[0]!r}: {exc.strerror or exc}.") from None
    said = bytearray()
    assert process.stderr is not None
    drain = threading.Thread(target=_drain, args=(process.stderr, said), name="player-stderr", daemon=True)
    drain.start()
    try:
        code = process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        return process  # still playing
    if code == 0:
        return process  # an opener that handed the file on and ended
    drain.join(timeout=0.5)  # a child it started may still hold the pipe open
    text = printable(bytes(said).decode("utf-8", errors="replace").strip(), limit=300)
    how = f"exit code {code}" if code > 0 else f"signal {-code}"
    raise PlayerExited(
        f"The player {printable(os.path.basename(argv[0]), limit=40)!r} failed at once ({how})"
        + (f": {text}" if text else "; it said nothing on stderr.")
    )


def _drain(stream: IO[bytes], kept: bytearray) -> None:
    """Read ``stream`` to its end, keeping the first STDERR_KEPT bytes."""
    try:
        while True:
            chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
            if not chunk:
                return
            room = STDERR_KEPT - len(kept)
            if room > 0:
                kept.extend(chunk[:room])
    except (OSError, ValueError):
        return
    finally:
        stream.close()


# --- the open plan ------------------------------------------------------------------

Severity = Literal["information", "warning", "error"]


@dataclass(frozen=True)
class Said:
    """What opening a segment came to (or why nothing was opened), for the user."""

    message: str
    severity: Severity = "information"


@dataclass(frozen=True)
class Play:
    """Run the configured player with ``argv``."""

    argv: list[str]
    what: str


@dataclass(frozen=True)
class Browse:
    """Hand ``url`` to the system opener."""

    url: str
    what: str


@dataclass(frozen=True)
class InTerminal:
    """The system opener takes over the terminal: the app runs ``browser.open(url)`` while it
    is suspended, then says ``opened(…)``."""

    browser: webbrowser.BaseBrowser
    url: str
    what: str


OpenPlan = Play | Browse | Said


def open_target(segment: Segment, local: str | None) -> str | Said:
    """What to open for ``segment``: ``local`` (its downloaded file) when given, else its URL when
    that is http(s); a ``Said`` saying why there is nothing to open."""
    if local is not None:
        return local
    if not segment.url:
        return Said("This segment has no URL to open.", "warning")
    if not is_web_url(segment.url):
        return Said(
            f"Not opening {printable(segment.url, limit=60)}: only http and https links from the API are opened.",
            "warning",
        )
    return segment.url


def in_app_player(
    env: Mapping[str, str], *, enabled: bool = True, which: Callable[[str], str | None] = shutil.which
) -> str | None:
    """The mpv that plays inside the app, or None for today's way (``plan_open``): in-app playback
    needs mpv on PATH, ``RECBROWSER_PLAYER`` unset and the ``in_app_playback`` setting on."""
    if not enabled or env.get(PLAYER_ENV, "").strip():
        return None
    return which("mpv")


def plan_open(segment: Segment, local: str | None, env: Mapping[str, str]) -> OpenPlan:
    """How to open ``segment``: from ``local`` (its downloaded file, known to exist) when given,
    else from its URL, and only an http(s) one; with the player ``env`` configures, else the
    system opener. A ``Said`` when nothing is to be opened, saying why."""
    target = open_target(segment, local)
    if isinstance(target, Said):
        return target
    what = f"segment {segment.index} ({printable(segment.friendly_label, limit=30)})"
    try:
        argv = player_command(target, env)
    except PlayerError as exc:
        return Said(str(exc), "error")
    if argv is not None:
        return Play(argv, what)
    return Browse(Path(target).as_uri() if Path(target).is_absolute() else target, what)


def opened(ok: bool, what: str) -> Said:
    """What to say once the system opener has been asked to open ``what``."""
    return Said(f"Opening {what}.") if ok else Said(f"No player found. {SET_A_PLAYER}", "warning")


def open_segment(segment: Segment, local: str | None, env: Mapping[str, str] | None = None) -> Said | InTerminal:
    """Open ``segment`` (its downloaded file ``local`` while that still exists) as ``plan_open``
    says. Blocks up to ``EARLY_EXIT_GRACE`` seconds while a player starts: call it from a worker
    thread in the app. An ``InTerminal`` is left for the app to run with the terminal handed over."""
    env = os.environ if env is None else env
    plan = plan_open(segment, local if local and Path(local).exists() else None, env)
    if isinstance(plan, Said):
        return plan
    if isinstance(plan, Play):
        try:
            launch_checked(plan.argv)  # a player that fails within a second is said with its own words
        except PlayerError as exc:
            return Said(str(exc), "error")
        return opened(True, plan.what)
    try:
        browser = webbrowser.get()
        if runs_in_terminal(browser, env):
            return InTerminal(browser, plan.url, plan.what)
        return opened(browser.open(plan.url), plan.what)
    except webbrowser.Error:
        return opened(False, plan.what)
