"""Calls as list-calls and get-call report them, agents, and listing every matching call page by page.

Parsing is lenient (a field of the wrong type becomes None; unknown statuses are kept as
they are); a body that is not the contract is BadResponse. ``list_all`` follows the server's
real paging: limit/offset, no cursor, a ``has_more`` that can lie and offsets that shift.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime, timezone
from typing import Any, Generic, Protocol, TypeVar

from recbrowser.errors import BadResponse
from recbrowser.models import duration_or_none, parse_timestamp, text_or_none

E164 = re.compile(r"\+[1-9]\d{1,14}")
"""A phone number as list-calls' ``phone_number`` takes it (``+15551234567``)."""

PAGE_SIZE = 100
"""The most calls one list-calls request asks for (documented "max 100", not enforced)."""

FRIENDLY_STATUSES = {
    "completed": "Completed",
    "in-progress": "In Progress",
    "no-answer": "No Answer",
    "failed": "Failed",
    "busy": "Busy",
    "answered_by_pat": "Answered by AI",
    "transferred_to_user": "Transferred",
    "screened_out": "Screened Out",
    "voicemail": "Voicemail",
    "Caller Hungup": "Hung Up",
}
"""The Magpipe dashboard's names for call statuses; any other status is shown as it is."""


def other_number(direction: str | None, from_number: str | None, to_number: str | None) -> str | None:
    """The other party's number: the caller's on an inbound call, the callee's on an outbound one."""
    return to_number if direction == "outbound" else from_number


def friendly_status(status: str | None) -> str | None:
    """The dashboard's name for a call status, the status itself when unknown, None when absent."""
    if status is None:
        return None
    return FRIENDLY_STATUSES.get(status, status)


def _time_text(value: Any) -> str | None:
    """The API's timestamp string when it is one; None otherwise (JSON keeps the API's string)."""
    text = text_or_none(value)
    return text if parse_timestamp(text) is not None else None


@dataclass(frozen=True)
class CallSummary:
    """One call as list-calls reports it; text fields keep the API's raw values."""

    id: str
    direction: str | None
    status: str | None
    from_number: str | None
    to_number: str | None
    agent_id: str | None
    agent_name: str | None
    duration: int | float | None
    sentiment: str | None
    call_summary: str | None
    started_at: str | None
    ended_at: str | None
    created_at: str | None

    @property
    def started(self) -> datetime | None:
        """When the call started (its creation time when the start is unknown)."""
        return parse_timestamp(self.started_at) or parse_timestamp(self.created_at)

    @property
    def ended(self) -> datetime | None:
        return parse_timestamp(self.ended_at)

    @property
    def friendly_status(self) -> str | None:
        return friendly_status(self.status)

    @property
    def other_number(self) -> str | None:
        """The other party's number: the caller's on an inbound call, the callee's on an outbound one."""
        return other_number(self.direction, self.from_number, self.to_number)

    def to_json(self) -> dict[str, Any]:
        """Every field, under the API's names."""
        return {spec.name: getattr(self, spec.name) for spec in fields(self)}

    @classmethod
    def _fields_from_api(cls, data: Any, what: str) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            raise BadResponse(f"{what} in the API's answer is not a JSON object.")
        call_id = text_or_none(data.get("id"))
        if not call_id:
            raise BadResponse(f"{what} in the API's answer has no id.")
        texts = ("direction", "status", "from_number", "to_number", "agent_id", "agent_name", "sentiment")
        return {
            "id": call_id.lower(),
            **{name: text_or_none(data.get(name)) for name in texts},
            "call_summary": text_or_none(data.get("call_summary")),
            "duration": duration_or_none(data.get("duration")),
            **{name: _time_text(data.get(name)) for name in ("started_at", "ended_at", "created_at")},
        }

    @classmethod
    def from_api(cls, data: Any, what: str = "A call") -> CallSummary:
        return cls(**cls._fields_from_api(data, what))


@dataclass(frozen=True)
class CallDetails(CallSummary):
    """One call as get-call reports it: the summary plus its transcript and metadata."""

    recording_url: str | None = None
    transcript: str | None = None
    metadata: dict[str, Any] | None = None

    @classmethod
    def from_api(cls, data: Any, what: str = "The call") -> CallDetails:
        base = cls._fields_from_api(data, what)
        metadata = data.get("metadata")
        return cls(
            **base,
            recording_url=text_or_none(data.get("recording_url")),
            transcript=text_or_none(data.get("transcript")),
            metadata=dict(metadata) if isinstance(metadata, Mapping) else None,
        )


@dataclass(frozen=True)
class Agent:
    """An agent as list-agents reports it (only what recbrowser uses)."""

    id: str
    name: str | None


ItemT = TypeVar("ItemT")


@dataclass(frozen=True)
class Page(Generic[ItemT]):
    """One answer of a paged endpoint: its items, the server's total and its ``has_more``."""

    items: tuple[ItemT, ...]
    total: int | None
    has_more: bool


def _page(body: Any, key: str, parse: Callable[[Any, str], ItemT]) -> Page[ItemT]:
    if not isinstance(body, Mapping) or not isinstance(body.get(key), list):
        raise BadResponse(f"The API's answer has no '{key}' list.")
    total = body.get("total")
    total = total if isinstance(total, int) and not isinstance(total, bool) and 0 <= total < 10**12 else None
    items = tuple(parse(item, f"Item {position}") for position, item in enumerate(body[key], start=1))
    return Page(items=items, total=total, has_more=body.get("has_more") is True)


def calls_page(body: Any) -> Page[CallSummary]:
    """A list-calls answer: its items are CallSummary."""
    return _page(body, "calls", CallSummary.from_api)


def _agent(data: Any, what: str) -> Agent:
    if not isinstance(data, Mapping) or not text_or_none(data.get("id")):
        raise BadResponse(f"{what} of the agents in the API's answer has no id.")
    return Agent(id=str(text_or_none(data.get("id"))), name=text_or_none(data.get("name")))


def agents_page(body: Any) -> Page[Agent]:
    """A list-agents answer: its items are Agent."""
    return _page(body, "agents", _agent)


@dataclass(frozen=True)
class CallFilters:
    """What list-calls filters on, server-side. Dates bound ``created_at``, inclusive."""

    direction: str | None = None
    status: str | None = None
    agent_id: str | None = None
    phone_number: str | None = None
    from_date: datetime | None = None
    to_date: datetime | None = None

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            name: getattr(self, name)
            for name in ("direction", "status", "agent_id", "phone_number")
            if getattr(self, name) is not None
        }
        for name in ("from_date", "to_date"):
            moment: datetime | None = getattr(self, name)
            if moment is not None:
                body[name] = api_time(moment)
        return body


def api_time(moment: datetime) -> str:
    """An aware time as list-calls takes it: ISO 8601 in UTC with microseconds."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class CallLister(Protocol):
    """What ``list_all`` needs of a client (``MagpipeClient.list_calls``)."""

    async def list_calls(self, filters: CallFilters, limit: int, offset: int) -> Page[CallSummary]: ...


@dataclass(frozen=True)
class Listed:
    """What ``list_all`` yields per page: the calls not seen before, and the server's total."""

    calls: tuple[CallSummary, ...]
    total: int | None


async def list_all(
    client: CallLister,
    filters: CallFilters,
    *,
    limit: int | None = None,
    page_size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> AsyncIterator[Listed]:
    """Every matching call, newest first, a page at a time, each call once, at most ``limit``.

    Without a ``to_date`` the listing is pinned to ``now`` (the start), so calls arriving
    meanwhile do not shift the offsets; calls are de-duplicated by id anyway. The offset moves
    by what a page held (a server may cap a page below ``limit``, and then its ``has_more``,
    computed from ``limit``, can say false while the total says more are left); the listing
    stops on an empty page or one with nothing new, whatever ``has_more`` says.
    """
    if filters.to_date is None:
        filters = replace(filters, to_date=now or datetime.now(timezone.utc))
    seen: set[str] = set()
    offset = 0
    while limit is None or len(seen) < limit:
        want = min(page_size, PAGE_SIZE) if limit is None else min(page_size, PAGE_SIZE, limit - len(seen))
        page = await client.list_calls(filters, want, offset)
        fresh = []
        for call in page.items:
            if call.id not in seen and (limit is None or len(seen) < limit):
                seen.add(call.id)
                fresh.append(call)
        if not page.items or not fresh:
            return
        yield Listed(calls=tuple(fresh), total=page.total)
        offset += len(page.items)
        if not page.has_more and (page.total is None or offset >= page.total):
            return  # a capped page says has_more false too early: the total says what is left


MAX_TURNS = 5000
"""Turns shown of one transcript; the rest are counted (a transcript is bounded only by the answer size)."""
MAX_TURN_CHARS = 10_000
"""Characters shown of one turn."""

CALLER_SPEAKERS = ("caller", "user")
"""Speakers the dashboard shows as the caller; every other speaker is the agent."""


@dataclass(frozen=True)
class Turn:
    """One turn of a transcript: who spoke (``caller`` or ``agent``), as written, and what was said."""

    role: str
    speaker: str | None
    text: str

    @property
    def label(self) -> str:
        """``Caller`` or ``Agent`` as the dashboard shows the turn, with the speaker's own name when it says more."""
        label = "Caller" if self.role == "caller" else "Agent"
        if self.speaker and self.speaker.casefold() not in (label.casefold(), "user"):
            label += f" ({self.speaker[:40]})"
        return label


def transcript_turns(transcript: str) -> list[Turn]:
    """The turns of a plain-text transcript, one a paragraph (``Agent: …``, ``Caller: …``, a name).

    A line without a speaker continues the turn before it (or is the agent's when first)."""
    turns: list[Turn] = []
    for line in transcript.splitlines():
        if not line.strip():
            continue
        speaker, sep, said = line.partition(":")
        if sep and speaker.strip() and len(speaker.strip()) <= 40:
            name = speaker.strip()
            role = "caller" if name.casefold() in CALLER_SPEAKERS else "agent"
            turns.append(Turn(role=role, speaker=name, text=said.strip()))
        elif turns:
            last = turns[-1]
            turns[-1] = Turn(role=last.role, speaker=last.speaker, text=f"{last.text}\n{line.strip()}")
        else:
            turns.append(Turn(role="agent", speaker=None, text=line.strip()))
    return turns


def turns_matching(turns: list[Turn], query: str) -> list[int]:
    """The indexes of the turns whose speaker or words contain ``query`` (any case); none for a blank query."""
    wanted = query.strip().casefold()
    if not wanted:
        return []
    return [i for i, turn in enumerate(turns) if wanted in f"{turn.label}: {turn.text}".casefold()]
