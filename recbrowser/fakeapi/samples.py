"""Sample accounts and calls served by the fake Magpipe API.

Every call has a fixed lowercase UUID so tests, screenshots and the demo can name it.
Each one exists to exercise a particular case; the comment above it says which.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

DEMO_KEY = "mgp_" + "0123456789abcdef" * 2 + "deadbeef"
"""A valid API key of the "demo" account."""

OTHER_ACCOUNT_KEY = "mgp_" + "fedcba9876543210" * 2 + "0badf00d"
"""A valid API key of the "other" account: the demo calls are 404 for it, and vice versa."""

DEFAULT_KEYS: dict[str, str] = {DEMO_KEY: "demo", OTHER_ACCOUNT_KEY: "other"}
"""Token -> account name."""

JWT_ACCOUNT = "demo"
"""The account any JWT-looking session token (``eyJ...``) is taken to belong to."""


@dataclass(frozen=True)
class SegmentSpec:
    """One recording segment, as ``get-signed-recording-url`` reports it."""

    label: str
    status: str = "synced"
    source: str = "signalwire"
    duration_seconds: int | None = None
    created_at: str | None = None
    url: str | None = None
    """Served verbatim instead of a storage or provider URL (for odd data: other schemes, paths)."""


@dataclass(frozen=True)
class SampleCall:
    """A call: its recordings plus the metadata ``list-calls`` and ``get-call`` return."""

    call_id: str
    description: str
    recordings: list[SegmentSpec]
    started_at: str
    duration: int
    agent_id: str
    agent_name: str
    from_number: str
    to_number: str
    direction: str = "inbound"
    status: str = "completed"
    sentiment: str | None = "neutral"
    call_summary: str | None = None
    transcript: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    account: str = "demo"

    @property
    def ended_at(self) -> str:
        return _iso(_parse(self.started_at) + timedelta(seconds=self.duration))

    @property
    def created_at(self) -> str:
        return self.started_at


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


FRONT_DESK = ("a1f0c3d2-5b4e-4f6a-8c7d-9e0f1a2b3c4d", "Front Desk")
BILLING = ("b2e1d4c3-6a5f-4e7b-9d8c-0f1a2b3c4d5e", "Billing Assistant")
SUPPORT = ("c3d2e5f4-7b6a-4f8c-ae9d-1a2b3c4d5e6f", "Support Line")

OUR_NUMBER = "+14155550100"


# The sample calls that tests and screenshots refer to by name.
MAIN_CALL = "7f3d8e00-a1b2-4c3d-9e4f-567890abcdef"  # one synced main segment
TRANSFER_CALL = "2a6c1f4e-8b3d-4e5f-a071-1c2d3e4f5a60"  # main + consult synced, conference + back_to_agent pending
CONVERSATION_CALL = "3b7d2a5f-9c4e-4f60-b182-2d3e4f5a6b71"  # a synced livekit conversation segment
PENDING_CALL = "4c8e3b60-ad5f-4071-8293-3e4f5a6b7c82"  # its only segment pending_sync
NO_RECORDING_CALL = "5d9f4c71-be60-4182-93a4-4f5a6b7c8d93"  # completed without a recording
NULLS_CALL = "6ea05d82-cf71-4293-a4b5-5a6b7c8d9ea4"  # null duration and created_at
UNKNOWN_VALUES_CALL = "7fb16e93-d082-43a4-b5c6-6b7c8d9eafb5"  # label, source and status recbrowser has never seen
MARKUP_CALL = "80c27fa4-e193-44b5-86d7-7c8d9eafb0c6"  # labels with markup and control characters
PATHLIKE_CALL = "91d380b5-f2a4-45c6-97e8-8d9eafb0c1d7"  # path-like labels
OTHER_CALL = "a2e491c6-03b5-46d7-a8f9-9eafb0c1d2e8"  # the other account's call
UNKNOWN_CALL = "00000000-0000-4000-8000-000000000000"  # well-formed, and no sample has it

SAMPLE_CALLS: list[SampleCall] = [
    # The documented example: one synced `main` segment, 125 s, signalwire.
    SampleCall(
        call_id=MAIN_CALL,
        description="one synced main segment (125 s, signalwire)",
        recordings=[SegmentSpec("main", "synced", "signalwire", 125, "2026-03-02T10:34:25Z")],
        started_at="2026-03-02T10:32:20Z",
        duration=125,
        agent_id=FRONT_DESK[0],
        agent_name=FRONT_DESK[1],
        from_number="+14155550123",
        to_number=OUR_NUMBER,
        sentiment="positive",
        call_summary="Caller booked a table for four on Friday at 7 pm.",
        transcript="Agent: Thanks for calling, how can I help?\nCaller: I'd like to book a table for four.",
        metadata={"campaign": "spring-menu"},
    ),
    # A transfer: two synced segments, then two pending_sync ones on the provider's URLs.
    SampleCall(
        call_id=TRANSFER_CALL,
        description="transfer call: main + consult synced, conference + back_to_agent pending_sync",
        recordings=[
            SegmentSpec("main", "synced", "signalwire", 64, "2026-03-02T09:16:05Z"),
            SegmentSpec("transferee_consult", "synced", "signalwire", 31, "2026-03-02T09:16:40Z"),
            SegmentSpec("transfer_conference", "pending_sync", "signalwire", 142, "2026-03-02T09:19:05Z"),
            SegmentSpec("back_to_agent", "pending_sync", "signalwire", 18, "2026-03-02T09:19:25Z"),
        ],
        started_at="2026-03-02T09:15:00Z",
        duration=265,
        agent_id=BILLING[0],
        agent_name=BILLING[1],
        from_number="+14155550142",
        to_number=OUR_NUMBER,
        sentiment="neutral",
        call_summary="Billing question transferred to an accountant, then back to the agent.",
        transcript="Agent: Let me transfer you to our accountant.\nCaller: Sure, thanks.",
        metadata={"transfer_to": "+14155550199"},
    ),
    # A LiveKit-sourced `conversation` segment (the AI agent's own recording).
    SampleCall(
        call_id=CONVERSATION_CALL,
        description="livekit conversation segment, synced",
        recordings=[SegmentSpec("conversation", "synced", "livekit", 212, "2026-03-01T16:45:40Z")],
        started_at="2026-03-01T16:42:05Z",
        duration=212,
        agent_id=SUPPORT[0],
        agent_name=SUPPORT[1],
        from_number=OUR_NUMBER,
        to_number="+442079460958",
        direction="outbound",
        sentiment="positive",
        call_summary="Follow-up call: the customer's router issue is resolved.",
        transcript="Agent: Hi, I'm calling about your support ticket.\nCaller: It works now, thanks!",
    ),
    # Only segment is pending_sync: the one to use with Faults.sync_after_lookups.
    SampleCall(
        call_id=PENDING_CALL,
        description="single reconnect_to_agent segment, pending_sync (syncs with sync_after_lookups)",
        recordings=[SegmentSpec("reconnect_to_agent", "pending_sync", "signalwire", 47, "2026-03-01T14:03:10Z")],
        started_at="2026-03-01T14:02:23Z",
        duration=47,
        agent_id=FRONT_DESK[0],
        agent_name=FRONT_DESK[1],
        from_number="+14155550177",
        to_number=OUR_NUMBER,
        sentiment="neutral",
        call_summary="Caller was reconnected to the agent after a dropped transfer.",
        transcript="Agent: Sorry, we got cut off. I'm back.",
    ),
    # A completed call with no recording at all: 404 no_recording.
    SampleCall(
        call_id=NO_RECORDING_CALL,
        description="completed call without a recording (404 no_recording)",
        recordings=[],
        started_at="2026-03-01T11:20:00Z",
        duration=38,
        agent_id=SUPPORT[0],
        agent_name=SUPPORT[1],
        from_number="+14155550188",
        to_number=OUR_NUMBER,
        sentiment="neutral",
        call_summary="Short call; recording was disabled for this agent.",
        transcript="Agent: Hello?\nCaller: Wrong number, sorry.",
        metadata={"recording_enabled": False},
    ),
    # Nulls where the API allows them: duration_seconds and created_at null, source unknown.
    SampleCall(
        call_id=NULLS_CALL,
        description="segment with null duration_seconds and created_at, source unknown",
        recordings=[SegmentSpec("main", "synced", "unknown", None, None)],
        started_at="2026-02-28T17:05:45Z",
        duration=93,
        agent_id=FRONT_DESK[0],
        agent_name=FRONT_DESK[1],
        from_number="+61291234567",
        to_number=OUR_NUMBER,
        sentiment=None,
        call_summary=None,
        transcript=None,
    ),
    # Values recbrowser has never seen: unknown label, unknown source, unknown status.
    SampleCall(
        call_id=UNKNOWN_VALUES_CALL,
        description="unknown label voicemail_drop, unknown source twilio, unknown status archived",
        recordings=[
            SegmentSpec("voicemail_drop", "synced", "twilio", 22, "2026-02-28T12:10:30Z"),
            SegmentSpec("main", "archived", "signalwire", 56, "2026-02-28T12:11:30Z"),
        ],
        started_at="2026-02-28T12:10:05Z",
        duration=78,
        agent_id=BILLING[0],
        agent_name=BILLING[1],
        from_number=OUR_NUMBER,
        to_number="+14155550166",
        direction="outbound",
        sentiment="negative",
        call_summary="Left a voicemail about an overdue invoice.",
        transcript="Agent: This is a reminder about invoice 1042.",
    ),
    # Hostile labels: Rich markup and terminal control characters must be shown literally.
    SampleCall(
        call_id=MARKUP_CALL,
        description="labels with markup [bold]x[/] and control characters",
        recordings=[
            SegmentSpec("[bold]x[/]", "synced", "signalwire", 12, "2026-02-27T08:30:20Z"),
            SegmentSpec("\x1b[31mred\x07", "synced", "signalwire", 9, "2026-02-27T08:30:35Z"),
        ],
        started_at="2026-02-27T08:30:00Z",
        duration=21,
        agent_id=SUPPORT[0],
        agent_name="[red]Support[/red]",
        from_number="+14155550111",
        to_number=OUR_NUMBER,
        sentiment="neutral",
        call_summary="Test call with [b]markup[/b] in its summary.",
        transcript="Caller: [link=https://example.com]click[/link]",
    ),
    # Path-like labels: file names built from labels must stay inside the download folder.
    SampleCall(
        call_id=PATHLIKE_CALL,
        description="path-like labels ../../etc and a/b\\c",
        recordings=[
            SegmentSpec("../../etc", "synced", "signalwire", 15, "2026-02-26T19:45:25Z"),
            SegmentSpec("a/b\\c", "synced", "signalwire", 11, "2026-02-26T19:45:45Z"),
        ],
        started_at="2026-02-26T19:45:00Z",
        duration=26,
        agent_id=FRONT_DESK[0],
        agent_name=FRONT_DESK[1],
        from_number="+14155550155",
        to_number=OUR_NUMBER,
        sentiment="neutral",
        call_summary="Caller asked for opening hours.",
        transcript="Caller: When are you open?\nAgent: Nine to five.",
    ),
    # Belongs to the "other" account: 404 not_found for DEMO_KEY.
    SampleCall(
        call_id=OTHER_CALL,
        description="call of the other account (404 not_found for the demo key)",
        recordings=[SegmentSpec("main", "synced", "signalwire", 80, "2026-03-02T08:01:30Z")],
        started_at="2026-03-02T08:00:10Z",
        duration=80,
        agent_id="d4c3b2a1-8f7e-4d6c-8b5a-2f3e4d5c6b7a",
        agent_name="Other Co Receptionist",
        from_number="+12125550133",
        to_number="+12125550100",
        sentiment="positive",
        call_summary="Another account's call.",
        transcript="Agent: Other Co, good morning.",
        account="other",
    ),
    # Calls that never connected: they appear in list-calls and have no recording.
    SampleCall(
        call_id="b3f5a2d7-14c6-47e8-b90a-af0b1c2d3e4f",
        description="failed outbound call, no recording",
        recordings=[],
        started_at="2026-03-01T10:00:00Z",
        duration=0,
        agent_id=SUPPORT[0],
        agent_name=SUPPORT[1],
        from_number=OUR_NUMBER,
        to_number="+14155550144",
        direction="outbound",
        status="failed",
        sentiment=None,
    ),
    SampleCall(
        call_id="c406b3e8-25d7-48f9-8a1b-b01c2d3e4f50",
        description="no-answer outbound call, no recording",
        recordings=[],
        started_at="2026-02-28T15:30:00Z",
        duration=0,
        agent_id=BILLING[0],
        agent_name=BILLING[1],
        from_number=OUR_NUMBER,
        to_number="+14155550166",
        direction="outbound",
        status="no-answer",
        sentiment=None,
    ),
    SampleCall(
        call_id="d517c4f9-36e8-490a-9b2c-c12d3e4f5a61",
        description="busy inbound call, no recording",
        recordings=[],
        started_at="2026-02-25T13:12:00Z",
        duration=0,
        agent_id=FRONT_DESK[0],
        agent_name=FRONT_DESK[1],
        from_number="+14155550123",
        to_number=OUR_NUMBER,
        status="busy",
        sentiment=None,
    ),
]
