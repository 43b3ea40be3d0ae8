"""The fake API's sample calls by role, their IDs taken from its samples module (never retyped)."""

from __future__ import annotations

from recbrowser.fakeapi import SAMPLE_CALLS


def _sample(description: str) -> str:
    """The ID of the one sample call whose description starts with ``description``."""
    (call_id,) = [call.call_id for call in SAMPLE_CALLS if call.description.startswith(description)]
    return call_id


MAIN_CALL = _sample("one synced main segment")
TRANSFER_CALL = _sample("transfer call: main + consult synced")
CONVERSATION_CALL = _sample("livekit conversation segment")
PENDING_CALL = _sample("single reconnect_to_agent segment, pending_sync")
NO_RECORDING_CALL = _sample("completed call without a recording")
NULLS_CALL = _sample("segment with null duration_seconds")
UNKNOWN_VALUES_CALL = _sample("unknown label voicemail_drop")
MARKUP_CALL = _sample("labels with markup")
PATHLIKE_CALL = _sample("path-like labels")
OTHER_CALL = _sample("call of the other account")

UNKNOWN_CALL = "00000000-0000-4000-8000-000000000000"  # a well-formed ID no sample has
assert UNKNOWN_CALL not in {call.call_id for call in SAMPLE_CALLS}
