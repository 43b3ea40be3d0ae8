"""Pure rules of the call-ID input: when a key is a command, what a paste becomes, what to say."""

from __future__ import annotations

from recbrowser.callids import EXPECTED, Scan
from recbrowser.formatting import plural
from recbrowser.text import printable

COMMAND_CHARACTERS = frozenset("?q")  # help and quit, as the footer and the welcome promise


def keys_are_commands(value: str, prefill: str | None) -> bool:
    """True while the input holds nothing the user typed: empty, or the untouched pre-filled IDs.

    Then ``?`` and ``q`` act as keys (help, quit) instead of being typed; no call ID starts
    with either, so nothing a user means to type is lost."""
    return value == "" or (prefill is not None and value == prefill)


def pasted_line(text: str) -> str:
    """A paste as one line for the input: every line kept, line breaks and tabs become spaces.

    (Textual's Input keeps only the first line of a paste.)"""
    return " ".join(part.strip() for part in text.replace("\t", " ").splitlines() if part.strip())


def counts_note(new: int, old: int) -> str:
    parts = []
    if new or not old:
        parts.append(f"Added {plural(new, 'call')}")
    if old:
        parts.append(f"{old} already listed")
    return "; ".join(parts) + "."


def entry_note(found: Scan, counted: tuple[int, int]) -> tuple[str, str]:
    """What the line under the input says after Enter, and its style class: why nothing was looked
    up, or how many calls were added (``counted``: new and already listed) and what was ignored."""
    if not found.ids:
        if found.rejected:
            return "-error", f"{printable(found.rejected[0], limit=60)!r} is not a valid call ID: {EXPECTED}."
        return "-error", f"No call ID found. {EXPECTED[0].upper()}{EXPECTED[1:]}."
    note = counts_note(*counted)
    if not found.rejected:
        return "-info", note
    ignored = ", ".join(repr(printable(t, limit=40)) for t in found.rejected[:3])
    return "-warning", f"{note} Ignored {ignored}: not a valid call ID."
