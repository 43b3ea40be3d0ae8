"""Making untrusted text (from the API or the user) safe to print on a terminal."""

from __future__ import annotations

import unicodedata


def printable(text: object, *, limit: int | None = None) -> str:
    """Replace control and format characters with visible escapes; optionally cap the length."""
    if text is None:
        return ""
    out = []
    for ch in str(text):
        if ch in "\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    result = "".join(out)
    if limit is not None and len(result) > limit:
        result = result[: max(0, limit - 1)] + "…"
    return result


def os_reason(exc: OSError) -> str:
    """The system's words for a failed file operation, lowercased to sit mid-sentence."""
    return (exc.strerror or str(exc)).lower()


def redact_userinfo(url: str) -> str:
    """``url`` with any ``user:password@`` before the host replaced by ``***@`` (for messages)."""
    scheme, sep, rest = url.partition("://")
    prefix = f"{scheme}{sep}" if sep else ""
    if not sep:
        rest = url
    authority_end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority = rest[:authority_end]
    if "@" not in authority:
        return url
    return f"{prefix}***@{authority.rpartition('@')[2]}{rest[authority_end:]}"
