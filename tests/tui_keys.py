"""Helpers for the app's key and paste tests: terminal-like key bursts, the footer, the calls list."""

from __future__ import annotations

from textual import events
from textual.keys import _character_to_key
from textual.widgets._footer import FooterKey

from recbrowser.tui.widgets.call_list import CallList


def listed(app) -> list[str]:
    calls = app.screen.query_one(CallList)
    return [calls.get_option_at_index(i).id for i in range(calls.option_count)]


def input_message(app) -> str:
    return str(app.screen.query_one("#input-message").render())


def footer_keys(app) -> dict[str, tuple[str, int]]:
    """Each footer key's description, its key and the column where it ends."""
    return {key.description: (key.key, key.region.right) for key in app.screen.query(FooterKey)}


def burst(app, text: str) -> None:
    """Send ``text`` as a terminal does for an unbracketed paste: key after key, all at once,
    each newline an Enter, before the app has handled any of them."""
    for character in text:
        if character == "\n":
            app.post_message(events.Key("enter", "\r"))
        else:
            app.post_message(events.Key(_character_to_key(character), character))
