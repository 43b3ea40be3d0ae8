"""Opening a recording (URL or local file) in the user's player.

``RECBROWSER_PLAYER`` names a command (split with shlex, no shell); ``{}`` in it is replaced
by the URL or path, or the target is appended when there is no ``{}``. Without it, the
caller falls back to the system opener.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import webbrowser
from typing import Mapping
from urllib.parse import urlsplit

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


class PlayerError(Exception):
    """The player could not be started; the message is for the user."""


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


def launch(argv: list[str]) -> None:
    """Start the player detached from our terminal: own session, no stdin/stdout/stderr."""
    try:
        subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except FileNotFoundError:
        raise PlayerError(f"Player not found: {argv[0]!r} (check {PLAYER_ENV}).") from None
    except OSError as exc:
        raise PlayerError(f"Could not start the player {argv[0]!r}: {exc.strerror or exc}.") from None
