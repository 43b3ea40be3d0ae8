"""Pure rules of the call-ID input: when a key is a command, what a paste becomes, what to say."""

from __future__ import annotations

from collections.abc import Iterable

from recbrowser.formatting import plural

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


def new_and_listed(found: Iterable[str], listed: Iterable[str]) -> tuple[int, int]:
    """How many of ``found`` are new, and how many were listed already."""
    found, already = list(found), set(listed)
    new = sum(1 for call_id in found if call_id not in already)
    return new, len(found) - new


def added_note(found: Iterable[str], listed: Iterable[str]) -> str:
    """``Added 2 calls; 1 already listed.``: counting only calls not listed before."""
    return counts_note(*new_and_listed(found, listed))


def counts_note(new: int, old: int) -> str:
    parts = []
    if new or not old:
        parts.append(f"Added {plural(new, 'call')}")
    if old:
        parts.append(f"{old} already listed")
    return "; ".join(parts) + "."
