"""Copying text (a segment's URL) to the clipboard, and saying honestly how it was copied.

A system clipboard tool is used when one is there (``wl-copy``, ``xclip``, ``xsel``,
``pbcopy``, ``clip.exe``); otherwise the caller may fall back to the terminal's OSC 52
escape, which many terminals ignore, and the result says so.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from recbrowser.errors import ClipboardUnavailable

TOOLS: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("wl-copy", ("wl-copy",), "WAYLAND_DISPLAY"),
    ("xclip", ("xclip", "-selection", "clipboard"), "DISPLAY"),
    ("xsel", ("xsel", "-b", "-i"), "DISPLAY"),
    ("pbcopy", ("pbcopy",), None),
    ("clip.exe", ("clip.exe",), None),
)
"""(name, argv, environment variable the tool needs), in the order they are tried."""

OSC52 = "terminal escape (OSC 52) — your terminal may not support it"


@dataclass(frozen=True)
class Copied:
    """How the text was copied: ``via`` is the tool's name, or OSC52 for the terminal escape."""

    via: str
    confirmed: bool
    """True when a clipboard tool took the text; False for the terminal escape (unknowable)."""

    @property
    def message(self) -> str:
        """One line for the user: ``Copied with xclip.`` or the OSC 52 caveat."""
        return f"Copied with {self.via}." if self.confirmed else f"Sent to the clipboard by {self.via}."


def osc52(text: str) -> str:
    """The OSC 52 escape that asks the terminal to put ``text`` on the clipboard."""
    return f"\x1b]52;c;{base64.b64encode(text.encode('utf-8')).decode('ascii')}\x07"


def copy_text(
    text: str,
    *,
    terminal: Callable[[str], None] | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 3.0,
) -> Copied:
    """Copy ``text`` with the first clipboard tool that is present and works; else write the
    OSC 52 escape with ``terminal`` (e.g. the app's driver write). Blocking (runs a process):
    call it from a worker thread in the app. Raises ClipboardUnavailable when neither works."""
    env = os.environ if env is None else env
    for name, argv, needs in TOOLS:
        if needs is not None and not env.get(needs):
            continue
        program = shutil.which(argv[0], path=env.get("PATH", os.defpath))
        if program is None:
            continue
        try:
            subprocess.run(
                [program, *argv[1:]],
                input=text.encode("utf-8"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=dict(env),
                timeout=timeout,
                check=True,
            )
        except (OSError, subprocess.SubprocessError):
            continue  # a broken tool (no display, no server): try the next way
        return Copied(name, confirmed=True)
    if terminal is not None:
        terminal(osc52(text))
        return Copied(OSC52, confirmed=False)
    raise ClipboardUnavailable(
        "No clipboard tool found (wl-copy, xclip, xsel, pbcopy or clip.exe); install one, or select the URL to copy it."
    )
