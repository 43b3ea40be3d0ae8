"""HTTP byte ranges: parsing ``Range`` and checking ``If-Range`` (RFC 9110, single range)."""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime

UNSATISFIABLE = "unsatisfiable"

_SPEC = re.compile(r"\s*(\d*)\s*-\s*(\d*)\s*")


def parse_range(header: str, total: int) -> tuple[int, int] | str | None:
    """The half-open span ``(start, stop)`` a Range header asks for.

    Returns UNSATISFIABLE for a well-formed range outside the body (answer 416), and
    None when the whole body should be sent: malformed, other units, or several ranges.
    """
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    match = _SPEC.fullmatch(spec)
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.groups()
    if first == "":
        suffix = int(last)
        return UNSATISFIABLE if suffix == 0 or total == 0 else (max(0, total - suffix), total)
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= total:
        return UNSATISFIABLE
    return start, min(int(last or total - 1), total - 1) + 1


def if_range_matches(if_range: str, etag: str, last_modified: str) -> bool:
    """True when the If-Range validator still names the current representation."""
    value = if_range.strip()
    if value.startswith(('"', "W/")):
        return value == etag
    if value == last_modified:
        return True
    try:
        return parsedate_to_datetime(value) == parsedate_to_datetime(last_modified)
    except (TypeError, ValueError):
        return False
