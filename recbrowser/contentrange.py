"""Checking a 206 answer against what was asked, as pure functions (after httpie's downloads.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from recbrowser.partfiles import MAX_DIGITS, parse_size

_CONTENT_RANGE = re.compile(
    rf"\s*bytes\s+(\d{{1,{MAX_DIGITS}}})-(\d{{1,{MAX_DIGITS}}})/(\d{{1,{MAX_DIGITS}}}|\*)\s*", re.ASCII
)
_UNSATISFIED = re.compile(rf"\s*bytes\s+\*/(\d{{1,{MAX_DIGITS}}})\s*", re.ASCII)


class ContentRangeError(ValueError):
    """The 206 does not answer the request; the message says how (for users, bounded).

    ``restart`` is True when starting again from zero may help (the server resumed from
    elsewhere or gave no usable range), False when the answer contradicts itself."""

    def __init__(self, message: str, *, restart: bool) -> None:
        super().__init__(message)
        self.restart = restart


@dataclass(frozen=True)
class Span:
    """``bytes first-last/total`` of a 206: ``last`` inclusive, ``total`` None for ``*``."""

    first: int
    last: int
    total: int | None

    @property
    def length(self) -> int:
        return self.last + 1 - self.first


def parse_content_range(header: str | None, *, asked_from: int, content_length: str | None = None) -> Span:
    """The span a 206 carries, checked against ``Range: bytes=asked_from-`` and its Content-Length.

    Raises ContentRangeError when the header is missing or malformed, starts elsewhere,
    is inverted, ends beyond its own total, or disagrees with the Content-Length."""
    match = _CONTENT_RANGE.fullmatch(header or "")
    if match is None:
        raise ContentRangeError("The server answered a resume without a valid Content-Range.", restart=True)
    first, last = int(match.group(1)), int(match.group(2))
    total = None if match.group(3) == "*" else int(match.group(3))
    if first != asked_from:
        raise ContentRangeError(f"The server resumed from byte {first:,} instead of {asked_from:,}.", restart=True)
    if last < first or (total is not None and last >= total):
        raise ContentRangeError("The server's Content-Range is inconsistent.", restart=False)
    span = Span(first, last, total)
    if content_length is not None:
        length = parse_size(content_length)
        if length != span.length:
            raise ContentRangeError("The server's Content-Length does not match its Content-Range.", restart=False)
    return span


def unsatisfied_total(header: str | None) -> int | None:
    """The total of a 416's ``Content-Range: bytes */total``, or None."""
    match = _UNSATISFIED.fullmatch(header or "")
    return int(match.group(1)) if match else None
