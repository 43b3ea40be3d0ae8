"""A realistic week of calls for the demo account: what ``recbrowser --demo`` shows.

``week_calls(now)`` makes about forty calls over the seven days before ``now``: inbound and
outbound, five agents, business hours with some evenings, summaries and multi-turn
transcripts, synced, pending (a transfer among them), redacted and missing recordings, calls
that never connected, and one status the dashboard has no name for. It is deterministic: the
same ``now`` and seed give the same calls, and a call's ID depends only on the seed and its
place in the week (``uuid5``), so tests and snapshots can pin ``now`` and name calls.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from recbrowser.fakeapi.samples import OUR_NUMBER, SampleCall, SegmentSpec
from recbrowser.fakeapi.weekscripts import CUSTOMERS, KINDS, SLOTS, STREETS, WEEKDAYS, Kind

DEFAULT_SEED = 12
WEEK_PREFIX = "week: "
"""How the week's calls' descriptions begin (the fixed samples' never do)."""
WEEK = timedelta(days=7)
ID_NAMESPACE = uuid.UUID("5b0c2f8e-3d1a-4c6b-9e7f-0a1b2c3d4e5f")
"""uuid5 namespace of the week's call IDs."""

CALLS_PER_DAY = (5, 7, 6, 6, 7, 5, 4)
"""Calls planned on today, yesterday, … six days ago (as many as ``weekscripts.KINDS`` counts)."""
CALL_COUNT = sum(CALLS_PER_DAY)

BUSINESS_HOURS = (8 * 60 + 30, 17 * 60 + 45)
EVENING = (18 * 60 + 30, 22 * 60)
"""When calls start: minutes of the day, from and before."""

TRANSFER_LEGS = (("main", 0.3), ("transferee_consult", 0.15), ("transfer_conference", 0.45), ("back_to_agent", 0.1))
"""A transfer's segments and their shares of the call."""

PENDING_NEWEST = 3
"""The newest calls with one recorded segment still have it pending_sync (not yet copied)."""


@dataclass(frozen=True)
class _Planned:
    kind: Kind
    start: datetime
    duration: int
    customer: tuple[str, str]
    words: dict[str, str]
    agent_named: bool


def week_calls(now: datetime, *, seed: int = DEFAULT_SEED, account: str = "demo") -> list[SampleCall]:
    """The week's calls, oldest first: each started (and ended) in the seven days before ``now``.

    Times of day are business hours (evenings for the after-hours line) in ``now``'s time zone
    (UTC when ``now`` has none); the API shows them in UTC.
    """
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    rng = random.Random(seed)
    kinds = [kind for kind, count in KINDS for _ in range(count)]
    rng.shuffle(kinds)
    planned = [
        _plan(rng, kinds.pop(), now, days_back) for days_back, count in enumerate(CALLS_PER_DAY) for _ in range(count)
    ]
    planned.sort(key=lambda call: call.start)
    pending = {id(call) for call in [c for c in planned if c.kind.recording == "main"][-PENDING_NEWEST:]}
    newest_transfer = [c for c in planned if c.kind.recording == "transfer"][-1:]
    pending.update(id(call) for call in newest_transfer)
    return [
        _call(call, call_id(index, seed), account, pending=id(call) in pending) for index, call in enumerate(planned)
    ]


def call_id(index: int, seed: int = DEFAULT_SEED) -> str:
    """The ID of the week's ``index``-th call (oldest first): stable for a seed, whatever ``now`` is."""
    return str(uuid.uuid5(ID_NAMESPACE, f"week/{seed}/{index}"))


def _plan(rng: random.Random, kind: Kind, now: datetime, days_back: int) -> _Planned:
    first, last = EVENING if kind.evening else BUSINESS_HOURS
    tod = timedelta(minutes=rng.randrange(first, last), seconds=rng.randrange(60))
    low, high = kind.seconds
    duration = rng.randint(low, high)
    start = _at(now, days_back, tod)
    if start + timedelta(seconds=duration) >= now:
        # Not over yet today: it happens seven days ago instead, after now's time of day, so
        # every call stays inside the week whatever time ``now`` is.
        start = max(_at(now, 7, tod), now - WEEK + timedelta(minutes=1))
    customer = CUSTOMERS[rng.randrange(len(CUSTOMERS))]
    words = {
        "name": customer[0],
        "street": rng.choice(STREETS),
        "day": rng.choice(WEEKDAYS),
        "slot": rng.choice(SLOTS),
        "amount": f"${rng.randrange(39, 120)}.{rng.choice(('00', '50', '99'))}",
        "ticket": f"#{rng.randrange(40000, 49999)}",
    }
    return _Planned(kind, start, duration, customer, words, agent_named=rng.random() < 0.3)


def _at(now: datetime, days_back: int, time_of_day: timedelta) -> datetime:
    midnight = datetime.combine(now.date() - timedelta(days=days_back), time(), tzinfo=now.tzinfo)
    return midnight + time_of_day


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _transcript(call: _Planned) -> str | None:
    kind = call.kind
    if not kind.turns:
        return None
    agent = kind.agent[1] if call.agent_named else "Agent"
    other = "Caller" if kind.direction == "inbound" else "User"
    paragraphs = [f"{agent if who == 'agent' else other}: {text.format(**call.words)}" for who, text in kind.turns]
    return "\n\n".join(paragraphs)


def _segments(call: _Planned, pending: bool) -> list[SegmentSpec]:
    kind, start, total = call.kind, call.start, call.duration
    if kind.recording == "none":
        return []
    shares: tuple[tuple[str, float], ...] = ((kind.recording if kind.recording == "conversation" else "main", 1.0),)
    if kind.recording == "transfer":
        shares = TRANSFER_LEGS
    segments, elapsed = [], 0
    for index, (label, share) in enumerate(shares):
        seconds = max(1, round(total * share))
        elapsed += seconds
        if kind.recording == "redacted":
            status = "redacted"
        elif pending and (kind.recording != "transfer" or index >= 2):
            status = "pending_sync"
        else:
            status = "synced"
        source = "livekit" if label == "conversation" else "signalwire"
        created = _iso(start + timedelta(seconds=elapsed + 5))
        segments.append(SegmentSpec(label, status, source, seconds, created))
    return segments


def _call(call: _Planned, identifier: str, account: str, *, pending: bool) -> SampleCall:
    kind = call.kind
    number = call.customer[1]
    inbound = kind.direction == "inbound"
    recordings = _segments(call, pending)
    shown = ", ".join(f"{s.label} {s.status}" for s in recordings) or "no recording"
    return SampleCall(
        call_id=identifier,
        description=f"{WEEK_PREFIX}{kind.key}, {kind.direction} {kind.status} ({shown})",
        recordings=recordings,
        started_at=_iso(call.start),
        duration=call.duration,
        agent_id=kind.agent[0],
        agent_name=kind.agent[1],
        from_number=number if inbound else OUR_NUMBER,
        to_number=OUR_NUMBER if inbound else number,
        direction=kind.direction,
        status=kind.status,
        sentiment=kind.sentiment,
        call_summary=kind.summary.format(**call.words) if kind.summary else None,
        transcript=_transcript(call),
        metadata={"customer": call.customer[0]} if kind.turns else {},
        account=account,
    )
