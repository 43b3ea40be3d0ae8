"""Calls and recording segments, parsed leniently from the Magpipe API."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property
from typing import Any, NamedTuple, overload

from recbrowser.apibody import collector_paused
from recbrowser.errors import BadResponse

SYNCED = "synced"
PENDING = "pending_sync"

FRIENDLY_LABELS = {
    "main": "Main Call",
    "conversation": "Conversation",
    "transferee_consult": "Transfer Consultation",
    "transfer_conference": "Transferred Call",
    "back_to_agent": "Back to Agent",
    "reconnect_to_agent": "Reconnect",
    "reconnect_after_decline": "Reconnect After Decline",
    "reconnect_conversation": "Reconnect Conversation",
}


_SNAKE_CASE = re.compile(r"[a-z0-9_]+")


def friendly_label(label: str | None) -> str:
    """The label as the Magpipe dashboard shows it ("main" when absent).

    Known labels get the dashboard's words; another plain snake_case word gets its rule
    (underscores to spaces, Title Case); anything else is shown as it is (``a/b\\c``).
    """
    if not label:
        label = "main"
    if label in FRIENDLY_LABELS:
        return FRIENDLY_LABELS[label]
    if _SNAKE_CASE.fullmatch(label):
        return " ".join(word.capitalize() for word in label.split("_") if word) or label
    return label


def label_matches(label: str | None, wanted: str) -> bool:
    """True when ``wanted`` names this label, as the API writes it (``transfer_conference``)
    or as it is shown (``Transferred Call``), in any case."""
    key = wanted.strip().casefold()
    raw = label or "main"
    return key in (raw.casefold(), friendly_label(raw).casefold())


_ISO = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2})?)(?:[.,](?P<fraction>\d+))?"
    r"\s*(?P<zone>[Zz]|[+-]\d{2}(?::?\d{2})?)?)?"
)


def parse_timestamp(value: Any) -> datetime | None:
    """An aware datetime from an ISO 8601 string; naive times are taken as UTC; junk is None.

    Accepts what servers send beyond Python 3.10's ``fromisoformat``: any number of fraction
    digits, ``Z``, and offsets without a colon.
    """
    if not isinstance(value, str):
        return None
    match = _ISO.fullmatch(value.strip())
    if match is None:
        return None
    clock = match["time"] or "00:00:00"
    if clock.count(":") == 1:
        clock += ":00"
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")
    zone = match["zone"] or ""
    if zone in ("Z", "z"):
        zone = "+00:00"
    elif zone and ":" not in zone:
        zone = zone[:3] + ":" + (zone[3:] or "00")
    try:
        parsed = datetime.fromisoformat(f"{match['date']}T{clock}.{fraction}{zone}")
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


JSON_PIECE = 2000
"""Segments serialised in one go by ``CallRecordings.to_api_json``."""

MAX_TEXT_NUMBER = 10**20
"""A number where text is expected becomes that text only below this: a 400-digit "label"
is junk, and would otherwise reach cells and messages whole."""

MAX_DURATION = 100 * 366 * 86400
"""Durations beyond about a century are taken as unknown, so every shown duration is bounded."""


_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def text_or_none(value: Any) -> str | None:
    """A JSON value as text (numbers written out, lone surrogates replaced); None for anything else."""
    if value is None:
        return None
    if isinstance(value, str):
        # JSON can carry "\ud800" alone: not text any terminal, file name or SQLite accepts.
        return value if value.isascii() else _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value) if -MAX_TEXT_NUMBER < value < MAX_TEXT_NUMBER else None
    if isinstance(value, float):
        return str(value)  # repr of a float is always short
    return None


def duration_or_none(value: Any) -> int | float | None:
    """Seconds as a non-negative int (or float with a fraction) up to MAX_DURATION; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)  # never raises OverflowError: too large is inf
        except ValueError:
            return None
    elif not isinstance(value, (int, float)):
        return None
    # Compared before any float conversion: a 400-digit int overflows float().
    if not 0 <= value <= MAX_DURATION:  # also false for NaN
        return None
    return int(value) if float(value).is_integer() else value


class Segment(NamedTuple):
    """One recording segment of a call. ``label``, ``source``, ``status`` keep the API's raw values.

    A named tuple rather than a frozen dataclass: as immutable, and made about twice as fast,
    which counts for an answer of 100,000 segments."""

    index: int  # type: ignore[assignment]  # a field, where tuple has an index() method
    url: str | None
    label: str | None
    duration_seconds: int | float | None
    source: str | None
    status: str | None
    created_at: datetime | None
    created_at_raw: str | None = None

    @property
    def friendly_label(self) -> str:
        return friendly_label(self.label)

    @property
    def is_synced(self) -> bool:
        return self.status == SYNCED

    @property
    def is_pending(self) -> bool:
        return self.status == PENDING

    def to_api_dict(self) -> dict[str, Any]:
        """The segment with the API's raw values, as the CLI's JSON output shows it."""
        return {
            "url": self.url,
            "label": self.label,
            "duration_seconds": self.duration_seconds,
            "source": self.source,
            "status": self.status,
            "created_at": self.created_at_raw,
        }

    @classmethod
    def from_api(cls, index: int, data: Mapping[str, Any]) -> Segment:
        # Called 100,000 times for a huge answer: ASCII text and a whole number of seconds (the
        # common values) skip the general conversions, which keep them as they are, and the tuple
        # is made without the Python-level __new__ of a named tuple (~40% faster in all).
        get = data.get
        url, label, source, status = get("url"), get("label"), get("source"), get("status")
        created_raw, duration = get("created_at"), get("duration_seconds")
        if type(url) is not str or not url.isascii():
            url = text_or_none(url)
        if type(label) is not str or not label.isascii():
            label = text_or_none(label)
        if type(source) is not str or not source.isascii():
            source = text_or_none(source)
        if type(status) is not str or not status.isascii():
            status = text_or_none(status)
        if created_raw is not None:
            created_raw = text_or_none(created_raw)
        if type(duration) is not int or not 0 <= duration <= MAX_DURATION:
            duration = duration_or_none(duration)
        created = None if created_raw is None else parse_timestamp(created_raw)
        return _new_tuple(cls, (index, url, label, duration, source, status, created, created_raw))


_new_tuple = tuple.__new__


class Segments(Sequence[Segment]):
    """An answer's segments, each made from the API's item when first asked for.

    The app shows at most a few hundred of a call's segments, and making all 100,000 took
    ~0.1 s before its table could show. Iterating (download all, the history, playback...)
    makes them all, once, and keeps them; until then the API's items are kept instead. Compares
    equal to the tuple of its segments. Safe to read from several threads."""

    __slots__ = ("_items", "_made", "_some")

    def __init__(self, items: list[Mapping[str, Any]]) -> None:
        self._items: Sequence[Mapping[str, Any]] = items
        self._made: tuple[Segment, ...] | None = None
        self._some: dict[int, Segment] = {}  # positions made one at a time before all were

    def all(self) -> tuple[Segment, ...]:
        """Every segment, made now when they were not yet."""
        made = self._made
        if made is None:
            with collector_paused():  # a million objects: see collector_paused
                made = tuple(map(Segment.from_api, range(1, len(self._items) + 1), self._items))
            self._made = made
            self._some = {}
            self._items = ()  # after _made is set: a reader holding the items finds them made next
        return made

    def __len__(self) -> int:
        made = self._made
        return len(self._items) if made is None else len(made)

    @overload
    def __getitem__(self, index: int) -> Segment: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Segment, ...]: ...

    def __getitem__(self, index: int | slice) -> Segment | tuple[Segment, ...]:
        items = self._items  # read before _made: all() drops the items only after setting _made
        made = self._made
        if made is not None:
            return made[index]
        if isinstance(index, slice):
            return tuple(self._one(items, position) for position in range(*index.indices(len(items))))
        position = index + len(items) if index < 0 else index
        if not 0 <= position < len(items):
            raise IndexError("segment index out of range")
        return self._one(items, position)

    def _one(self, items: Sequence[Mapping[str, Any]], position: int) -> Segment:
        segment = self._some.get(position)
        if segment is None:
            segment = self._some[position] = Segment.from_api(position + 1, items[position])
        return segment

    def __iter__(self) -> Iterator[Segment]:
        return iter(self.all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Segments):
            return self.all() == other.all()
        if isinstance(other, tuple):
            return self.all() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.all())

    def __repr__(self) -> str:
        return f"Segments({len(self)})"


class Tally(NamedTuple):
    """How many of a call's segments are synced and pending, and their known durations' sum (None without any)."""

    synced: int
    pending: int
    total_duration: int | float | None


@dataclass(frozen=True)
class CallRecordings:
    """What ``get-signed-recording-url`` says about one call."""

    call_id: str
    recording_url: str | None
    segments: Sequence[Segment]  # Segments when parsed

    @cached_property
    def tally(self) -> Tally:
        """The segments counted, once: a big answer is counted where it is parsed, off the event loop."""
        synced = pending = 0
        durations: list[int | float] = []
        for segment in self.segments:
            status = segment.status
            synced += status == SYNCED
            pending += status == PENDING
            if segment.duration_seconds is not None:
                durations.append(segment.duration_seconds)
        return Tally(synced, pending, sum(durations) if durations else None)

    @property
    def synced_count(self) -> int:
        return self.tally.synced

    @property
    def pending_count(self) -> int:
        return self.tally.pending

    @property
    def total_duration(self) -> int | float | None:
        """Sum of known durations, or None when no segment has one."""
        return self.tally.total_duration

    def to_api_dict(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "recording_url": self.recording_url,
            "recordings": [s.to_api_dict() for s in self.segments],
        }

    def to_api_json(self) -> str:
        """``json.dumps(self.to_api_dict())``, made a piece of segments at a time: one dumps of
        100,000 segments holds the GIL for a fifth of a second, and an app's event loop with it."""
        head = json.dumps({"call_id": self.call_id, "recording_url": self.recording_url})
        segments = tuple(self.segments)  # all made once here (the history's labels need them all too)
        pieces = (
            json.dumps([segment.to_api_dict() for segment in segments[start : start + JSON_PIECE]])[1:-1]
            for start in range(0, len(segments), JSON_PIECE)
        )
        return f'{head[:-1]}, "recordings": [{", ".join(pieces)}]}}'

    @classmethod
    def from_api(cls, call_id: str, body: Any) -> CallRecordings:
        """Parse a 200 body; raise BadResponse when it is not the expected shape."""
        if not isinstance(body, Mapping):
            raise BadResponse("The API answered with something other than a JSON object.")
        raw_segments = body.get("recordings")
        recording_url = text_or_none(body.get("recording_url"))
        if raw_segments is None:
            if not recording_url:  # e.g. {"ok": true}: not an answer about recordings at all
                raise BadResponse("The API's answer has no 'recordings' list.")
            # Older or minimal servers may return only the primary URL.
            raw_segments = [{"url": recording_url}]
        if not isinstance(raw_segments, list):
            raise BadResponse("The API's 'recordings' field is not a list.")
        synced = pending = 0
        durations: list[int | float] = []
        # One pass over the API's items: checked and counted here, made into segments when used.
        for position, item in enumerate(raw_segments, start=1):
            if not isinstance(item, Mapping):
                raise BadResponse(f"Recording {position} in the API's answer is not a JSON object.")
            get = item.get
            status, duration = get("status"), get("duration_seconds")
            synced += status == SYNCED  # only the exact text: what text_or_none keeps as it is
            pending += status == PENDING
            if type(duration) is not int or not 0 <= duration <= MAX_DURATION:
                duration = duration_or_none(duration)
            if duration is not None:
                durations.append(duration)
        segments = Segments(raw_segments)
        if recording_url is None and segments:
            recording_url = segments[0].url
        recordings = cls(call_id=call_id, recording_url=recording_url, segments=segments)
        # Counted in the same pass (off the event loop for a big answer): where cached_property keeps it.
        recordings.__dict__["tally"] = Tally(synced, pending, sum(durations) if durations else None)
        return recordings
