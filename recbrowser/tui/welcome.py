"""The text shown in the browser before any lookup: outside the demo, and in it."""

from __future__ import annotations

from rich.text import Text

DEMO_KEYS = (
    ("esc l", "the week's calls"),
    ("/", "paste call IDs"),
    ("↑↓ tab", "segments, transcript"),
    ("o d c", "open, download, copy"),
    ("h", "past lookups"),
    ("? q", "all keys, quit"),
)
"""The keys the demo's welcome names (the default keys: the demo has no keymap setting), short
enough to stay one line each in a 60-column terminal. The welcome is shown with the call-ID
input focused, where Escape leaves the input so that ``l`` is a key again."""


def default_welcome() -> Text:
    """Welcome text outside the demo: what to paste, and how to see every key."""
    return Text.assemble(
        ("Welcome to recbrowser.\n\n", "bold"),
        "Paste one or more Magpipe call IDs above — or any text that holds them, such as a dashboard "
        "URL or a log line — and press Enter.\n\nPress ? for every key.",
    )


def demo_welcome() -> Text:
    """Welcome text of the demo: made-up data, nothing of the user's touched, how to get around."""
    text = Text()
    text.append("Demo with made-up data.", style="bold")
    text.append(
        " A fake Magpipe API inside recbrowser serves a week of invented calls; nothing of yours is touched.\n\n"
    )
    width = max(len(keys) for keys, _ in DEMO_KEYS)
    for keys, what in DEMO_KEYS:
        text.append(f"  {keys:<{width}}  ", style="bold cyan")
        text.append(f"{what}\n")
    text.append("\nDownloads go to a temporary folder, deleted when the demo ends.", style="dim")
    return text
