"""What the history keeps of a call's metadata: its columns (bounded), its search words, and the
stored details (with the transcript) that the app and ``show`` fall back on offline.

Server text is stored as the server sent it (bounded, never interpreted); whoever shows it makes
it printable. The API key is never part of an answer, so never part of a row.
"""

from __future__ import annotations

import json
import re
import zlib
from typing import Any

from recbrowser.calls import CallDetails, CallSummary

MAX_TRANSCRIPT_CHARS = 200_000
"""A transcript longer than this (a few hours of talk) is stored cut, with a note."""
MAX_SUMMARY_CHARS = 4_000
MAX_FIELD_CHARS = 200
"""Numbers, names, statuses: anything longer is not the API's contract and is cut."""
CUT_NOTE = "\n… (the rest of the transcript is not kept in the history)"
MAX_STORED_BYTES = 4 * 1024**2
"""The most a stored details blob may inflate to (a cut transcript escaped as JSON is well below)."""
META_COLUMNS = (
    "direction",
    "from_number",
    "to_number",
    "agent_id",
    "agent_name",
    "started_at",
    "ended_at",
    "duration",
    "status",
    "sentiment",
    "summary",
)
"""The calls table's metadata columns (besides ``meta`` and ``details_at``)."""

_NOT_DIGITS = re.compile(r"\D")
_PHONE_LIKE = re.compile(r"[\d\s+\-().]+")
MIN_NUMBER_DIGITS = 3


def _cut(text: str | None, limit: int) -> str | None:
    return text if text is None or len(text) <= limit else text[:limit]


def digits(text: str | None) -> str:
    """Only the digits of a phone number: ``+1 (555) 010-2030`` -> ``15550102030``."""
    return _NOT_DIGITS.sub("", text or "")


def number_query(search: str) -> str | None:
    """The digits to look for when ``search`` is a phone number typed loosely (without ``+``, with
    spaces, dashes, dots or brackets); None when it is not one."""
    found = digits(search)
    if len(found) < MIN_NUMBER_DIGITS or not _PHONE_LIKE.fullmatch(search):
        return None
    return found


def meta_search_text(call: CallSummary) -> str:
    """What the ``meta`` column holds: both numbers (as sent and as digits), the agent's name and
    ID and the summary's words, lowercase, so one LIKE finds any of them."""
    words: list[str] = []
    for number in (call.from_number, call.to_number):
        if number:
            words += [_cut(number, MAX_FIELD_CHARS) or "", digits(_cut(number, MAX_FIELD_CHARS))]
    for text in (call.agent_name, call.agent_id):
        if text:
            words.append(_cut(text, MAX_FIELD_CHARS) or "")
    if call.call_summary:
        words.append(" ".join((_cut(call.call_summary, MAX_SUMMARY_CHARS) or "").split()))
    return " ".join(word for word in words if word).lower()


def stored_columns(call: CallSummary) -> dict[str, object]:
    """The calls row's metadata columns for this answer, and ``details``: the call_details row's
    JSON (read back by ``stored_details``)."""
    columns: dict[str, object] = {
        name: _cut(getattr(call, name), MAX_FIELD_CHARS)
        for name in ("direction", "from_number", "to_number", "agent_id", "agent_name", "status", "sentiment")
    }
    columns.update(
        started_at=call.started_at,
        ended_at=call.ended_at,
        duration=call.duration,
        summary=_cut(call.call_summary, MAX_SUMMARY_CHARS),
        meta=meta_search_text(call),
        details=zlib.compress(json.dumps(_details_json(call)).encode()),  # transcripts shrink to about a third
    )
    return columns


def _details_json(call: CallSummary) -> dict[str, Any]:
    """The answer as get-call would give it, bounded; no recording URL and no free-form metadata."""
    body: dict[str, Any] = {
        name: _cut(getattr(call, name), MAX_FIELD_CHARS)
        for name in ("id", "direction", "status", "from_number", "to_number", "agent_id", "agent_name", "sentiment")
    }
    body.update(
        duration=call.duration,
        call_summary=_cut(call.call_summary, MAX_SUMMARY_CHARS),
        started_at=call.started_at,
        ended_at=call.ended_at,
        created_at=call.created_at,
    )
    transcript = call.transcript if isinstance(call, CallDetails) else None
    if transcript is not None and len(transcript) > MAX_TRANSCRIPT_CHARS:
        transcript = transcript[:MAX_TRANSCRIPT_CHARS] + CUT_NOTE
    body["transcript"] = transcript
    return body


def stored_details(blob: bytes) -> CallDetails:
    """The details a call_details row holds (ValueError, TypeError, zlib.error or BadResponse
    when the blob is not one: a damaged file)."""
    inflate = zlib.decompressobj()
    text = inflate.decompress(blob, MAX_STORED_BYTES)
    if inflate.unconsumed_tail:
        raise ValueError("the stored details are larger than any recbrowser writes")
    return CallDetails.from_api(json.loads(text))
