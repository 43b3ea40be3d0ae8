"""The text shown before any lookup, in demo mode listing the sample calls."""

from __future__ import annotations

from rich.text import Text

from recbrowser.text import printable


def default_welcome() -> Text:
    """Welcome text outside the demo: what to paste, and how to see every key."""
    return Text.assemble(
        ("Welcome to recbrowser.\n\n", "bold"),
        "Paste one or more Magpipe call IDs above — or any text that holds them, such as a dashboard "
        "URL or a log line — and press Enter.\n\nPress ? for every key.",
    )


def demo_welcome(samples: list[tuple[str, str]]) -> Text:
    """Welcome text that lists the demo's sample call IDs and what each one shows."""
    text = Text()
    text.append("Demo mode", style="bold")
    text.append(" — a fake Magpipe API runs inside recbrowser; nothing of yours is touched.\n\n")
    text.append(
        "The input above holds every sample call ID: press Enter to look them all up, "
        "then ↑/↓ in the Calls list, Tab to the segments, o to open, r to refresh, ? for help. "
        "Downloads go to a temporary folder that is deleted when the demo ends.\n\n"
    )
    for call_id, description in samples:
        text.append(call_id, style="cyan")
        text.append(f"  {printable(description)}\n", style="dim")
    return text
