"""Opening a recording (URL or local file) in the user's player.

``RECBROWSER_PLAYER`` names a command (split with shlex, no shell); ``{}`` in it is replaced
by the URL or path, or the target is appended when there is no ``{}``. Without it, the
caller falls back to the system opener.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import threading
import webbrowser
from collections.abc import Mapping
from typing import IO
from urllib.parse import urlsplit

from recbrowser.errors import PlayerError, PlayerExited
from recbrowser.text import printable

__all__ = ["PlayerError", "PlayerExited", "is_web_url", "launch_checked", "player_command", "runs_in_terminal"]

PLAYER_ENV = "RECBROWSER_PLAYER"


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
