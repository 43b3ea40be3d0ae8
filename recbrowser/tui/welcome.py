"""The text shown in the browser before any lookup: outside the demo, and in it."""

from __future__ import annotations

from rich.text import Text

DEMO_KEYS = (
    ("l", "the calls view: the week's calls"),
    ("/", "type or paste call IDs"),
    ("↑ ↓ tab", "calls, segments, transcript"),
    ("o d c", "open, download, copy a segment"),
    ("h", "past lookups"),
    ("? q", "every key, quit"),
)
"""The keys the demo's welcome names (the default keys: the demo has no keymap setting), short
enough to stay one line each in an 80-column terminal."""


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
    text.append("Demo mode: made-up data.", style="bold")
    text.append(
        " A fake Magpipe API inside recbrowser serves a week of invented calls to a small internet "
        "provider; nothing of yours is read or changed.\n\n"
    )
    width = max(len(keys) for keys, _ in DEMO_KEYS)
    for keys, what in DEMO_KEYS:
        text.append(f"  {keys:<{width}}  ", style="bold cyan")
        text.append(f"{what}\n")
    text.append("\nDownloads go to a temporary folder, deleted when the demo ends.", style="dim")
    return text
