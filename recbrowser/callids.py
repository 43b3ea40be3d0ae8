"""Finding and validating Magpipe call IDs (UUIDs) in any text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HEX = "0-9A-Fa-f"
_DASHED = (
    rf"(?<![{_HEX}])"
    rf"[{_HEX}]{{8}}-[{_HEX}]{{4}}-[{_HEX}]{{4}}-[{_HEX}]{{4}}-[{_HEX}]{{12}}"
    rf"(?![{_HEX}])"
)
# 32 hex digits without dashes (as some logs and exports write UUIDs): a whole run only, not
# touching letters, digits or dashes, so a longer hex run (a SHA-1, a SHA-256) is never cut
# into an ID. Lookarounds fail at once inside a run, so scanning stays linear.
_COMPACT = r"(?<![0-9A-Za-z-])[0-9A-Fa-f]{32}(?![0-9A-Za-z-])"
_UUID = re.compile(f"{_DASHED}|{_COMPACT}")
# A near miss is a whole token (a maximal run of word characters and dashes) made only of
# hex digits and dashes, with at least one dash: an attempt at a UUID that is not one.
# Tokens are cut first and checked after, so scanning stays linear in the input (a single
# pattern for the same thing backtracked quadratically on a 60 KB line like ``a-a-…-g``).
_TOKEN = re.compile(r"[\w-]+")
_HEX_AND_DASHES = re.compile(rf"[{_HEX}-]+")
_NEAR_MISS_MIN_HEX = 16

EXAMPLE_ID = "7f3d8e00-a1b2-4c3d-9e4f-567890abcdef"
EXPECTED = f"a call ID is a UUID such as {EXAMPLE_ID} (dashes optional)"


@dataclass(frozen=True)
class Scan:
    """What a piece of text holds: call IDs in first-seen order, and near-miss tokens."""

    ids: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


def _canonical(found: str) -> str:
    """Lowercase, in the dashed 8-4-4-4-12 form."""
    text = found.lower()
    if "-" in text:
        return text
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def scan(text: str) -> Scan:
    """Find call IDs in pasted text (URLs, log lines, lists) and tokens that almost are."""
    ids: list[str] = []
    seen: set[str] = set()
    for match in _UUID.finditer(text):
        call_id = _canonical(match.group(0))
        if call_id not in seen:
            seen.add(call_id)
            ids.append(call_id)
    remainder = _UUID.sub(" ", text)
    rejected = [
        token
        for token in (m.group(0) for m in _TOKEN.finditer(remainder))
        if "-" in token and _HEX_AND_DASHES.fullmatch(token) and len(token) - token.count("-") >= _NEAR_MISS_MIN_HEX
    ]
    return Scan(ids=ids, rejected=rejected)
