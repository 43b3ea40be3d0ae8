"""The API key from the user's side: where it comes from, what one looks like, and what to
say when the API rejects it."""

from __future__ import annotations

import re

ENV_KEY = "MAGPIPE_API_KEY"
KEY_WHERE = "in Magpipe: Settings → API → Generate New Key"
"""Where a user gets a key, for every message that asks for one."""

_MGP_KEY = re.compile(r"mgp_[0-9a-fA-F]{40}")
_JWT = re.compile(r"eyJ[\w-]*\.[\w-]+\.[\w-]*")


class InvalidKey(ValueError):
    """The text cannot be an API key at all (empty, or would corrupt an HTTP header)."""


def check_key(text: str) -> tuple[str, str | None]:
    """Clean a pasted key. Returns (key, warning); warning is set when it looks unusual.

    Raises InvalidKey for text that can never work (empty, spaces or control characters inside).
    """
    key = text.strip()
    if key.lower().startswith("bearer "):
        key = key[7:].strip()
    if not key:
        raise InvalidKey("The key is empty.")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in key) or not key.isascii():
        raise InvalidKey("The key contains spaces, control or non-ASCII characters; paste just the key.")
    if _MGP_KEY.fullmatch(key) or _JWT.fullmatch(key):
        return key, None
    return (
        key,
        "This does not look like a Magpipe API key (mgp_ followed by 40 hex characters) or a session token (eyJ…).",
    )


def rejected_key_message(status: int | None, key_source: str | None, *, in_app: bool) -> str:
    """What to do about a key the API rejected (a 401/403).

    It depends on where the key came from: MAGPIPE_API_KEY wins over the saved key, so saving
    a new one would change nothing. ``in_app`` picks the remedy: the app takes another key
    with ``k``; the CLI saves one with ``recbrowser key set``.
    """
    http = f" (HTTP {status})" if status else ""
    if key_source == ENV_KEY:
        other = "k uses another key for this session only" if in_app else f"a new key: {KEY_WHERE}"
        return f"The key in {ENV_KEY} was rejected{http}. {ENV_KEY} wins over a saved key: change it or unset it ({other})."
    if in_app:
        return f"The API key was rejected{http}. Press k to set a new one."
    return (
        f"The API key was rejected{http}. Create a new one {KEY_WHERE} and save it with "
        "`recbrowser key set` (or press k in the app)."
    )
