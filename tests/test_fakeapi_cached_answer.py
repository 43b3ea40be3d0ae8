"""A huge call's lookup answer is encoded once by the fake and served as the same bytes, while
every lookup is still counted, pending URLs are still signed afresh, and sync still applies."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from recbrowser.fakeapi import DEMO_KEY, FakeMagpipe
from recbrowser.fakeapi.api import CACHED_FROM
from recbrowser.fakeapi.samples import SampleCall, SegmentSpec

SYNCED_CALL = "0b5d7c1e-2f3a-4b6c-8d9e-000000000001"
PENDING_CALL = "0b5d7c1e-2f3a-4b6c-8d9e-000000000002"


def _call(call_id: str, status: str) -> SampleCall:
    return SampleCall(
        call_id=call_id,
        description="a call of many segments",
        recordings=[
            SegmentSpec(label="main" if i == 0 else f"leg_{i}", status=status, duration_seconds=60)
            for i in range(CACHED_FROM)
        ],
        started_at="2026-03-01T10:00:00Z",
        duration=60,
        agent_id="a1f0c3d2-5b4e-4f6a-8c7d-9e0f1a2b3c4d",
        agent_name="Bench",
        from_number="+14155550100",
        to_number="+14155550101",
    )


@pytest.fixture
def fake() -> Iterator[FakeMagpipe]:
    with FakeMagpipe(calls=[_call(SYNCED_CALL, "synced"), _call(PENDING_CALL, "pending_sync")]) as server:
        yield server


def _lookup(fake: FakeMagpipe, call_id: str) -> httpx.Response:
    response = httpx.post(
        f"{fake.api_url}/get-signed-recording-url",
        json={"call_id": call_id},
        headers={"Authorization": f"Bearer {DEMO_KEY}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text[:200]
    assert response.headers["content-type"] == "application/json"
    return response


def test_a_huge_synced_call_is_answered_with_the_same_bytes_and_every_lookup_counts(fake: FakeMagpipe) -> None:
    first, second = _lookup(fake, SYNCED_CALL), _lookup(fake, SYNCED_CALL)
    assert first.content == second.content
    recordings = first.json()["recordings"]
    assert len(recordings) == CACHED_FROM
    assert recordings[-1]["url"].endswith(f"/recordings/{SYNCED_CALL}/{CACHED_FROM}.wav")
    assert httpx.get(recordings[-1]["url"]).status_code == 200
    assert fake.lookup_count(SYNCED_CALL) == 2


def test_a_huge_pending_call_is_signed_afresh_until_it_syncs_then_cached(fake: FakeMagpipe) -> None:
    fake.faults.sync_after_lookups = 2
    first, second = (_lookup(fake, PENDING_CALL).json()["recordings"][0] for _ in range(2))
    assert first["status"] == second["status"] == "pending_sync"
    assert parse_qs(urlsplit(first["url"]).query)["token"] != parse_qs(urlsplit(second["url"]).query)["token"]
    assert httpx.get(second["url"]).status_code == 200  # a fresh signature the provider accepts
    synced, again = _lookup(fake, PENDING_CALL), _lookup(fake, PENDING_CALL)
    assert synced.json()["recordings"][0]["status"] == "synced"
    assert synced.content == again.content
    assert fake.lookup_count(PENDING_CALL) == 4


def test_a_fault_that_shapes_the_answer_still_applies_to_a_huge_call(fake: FakeMagpipe) -> None:
    _lookup(fake, SYNCED_CALL)  # cached now
    fake.faults.api_nesting = 3
    shaped = _lookup(fake, SYNCED_CALL).json()["recordings"][0]
    assert "extra" in shaped  # the nesting fault, not the cached bytes
    assert fake.lookup_count(SYNCED_CALL) == 2
