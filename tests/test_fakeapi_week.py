"""The demo's week (fakeapi.week): deterministic, realistic, and served by the fake over real HTTP."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from recbrowser.calls import friendly_status, transcript_turns
from recbrowser.fakeapi import DEMO_KEY, OTHER_ACCOUNT_KEY, SAMPLE_CALLS, FakeMagpipe
from recbrowser.fakeapi.foreground import describe
from recbrowser.fakeapi.samples import MAIN_CALL
from recbrowser.fakeapi.week import CALL_COUNT, call_id, week_calls

NOW = datetime(2026, 3, 13, 16, 30, tzinfo=timezone.utc)
WEEK = week_calls(NOW)


def moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_the_same_seed_and_now_give_the_same_calls_and_another_seed_others() -> None:
    assert week_calls(NOW) == WEEK
    other = week_calls(NOW, seed=7)
    assert {c.call_id for c in other}.isdisjoint(c.call_id for c in WEEK)
    assert [c.call_summary for c in other] != [c.call_summary for c in WEEK]


def test_ids_are_unique_uuid5_and_stable_whatever_now_is() -> None:
    ids = [call.call_id for call in WEEK]
    assert len(set(ids)) == len(ids) == CALL_COUNT
    assert all(uuid.UUID(i).version == 5 and i == i.lower() for i in ids)
    assert ids == [call_id(index) for index in range(CALL_COUNT)]
    assert ids == [c.call_id for c in week_calls(NOW + timedelta(days=40, hours=5))]
    assert not set(ids) & {c.call_id for c in SAMPLE_CALLS}


@pytest.mark.parametrize(
    "now",
    [
        NOW,
        datetime(2026, 3, 16, 0, 5, tzinfo=timezone.utc),  # just after midnight: today has no calls yet
        datetime(2026, 3, 16, 23, 59, tzinfo=timezone.utc),  # late: today's evening calls are over
        datetime(2026, 3, 13, 9, 0, tzinfo=timezone(timedelta(hours=-8))),  # business hours in that zone
    ],
)
def test_about_forty_calls_all_over_within_the_seven_days_before_now(now: datetime) -> None:
    calls = week_calls(now)
    assert len(calls) == 40
    starts = [moment(c.started_at) for c in calls]
    assert starts == sorted(starts)
    assert all(now - timedelta(days=7) < start for start in starts)
    assert all(moment(c.ended_at) < now for c in calls)
    days = {start.astimezone(now.tzinfo).date() for start in starts}
    assert len(days) >= 7
    local_hours = Counter(start.astimezone(now.tzinfo).hour for start in starts)
    assert sum(n for hour, n in local_hours.items() if 8 <= hour < 18) >= 30  # business hours
    assert any(hour >= 18 for hour in local_hours)  # and some evenings


def test_the_mix_of_directions_agents_statuses_and_recordings() -> None:
    assert Counter(c.direction for c in WEEK).keys() == {"inbound", "outbound"}
    assert min(Counter(c.direction for c in WEEK).values()) >= 10
    agents = {c.agent_name for c in WEEK}
    assert {"Front Desk", "Billing Assistant", "Support Line"} < agents and 4 <= len(agents) <= 5
    statuses = Counter(c.status for c in WEEK)
    assert statuses["completed"] >= 15
    assert {"no-answer", "busy", "failed", "answered_by_pat", "voicemail"} <= statuses.keys()
    unnamed = [s for s in statuses if friendly_status(s) == s]
    assert len(unnamed) == 1  # the one the dashboard has no name for: shown as it is
    assert {c.sentiment for c in WEEK} >= {"positive", "neutral", "negative", None}

    def statuses_of(call) -> list[str]:
        return [segment.status for segment in call.recordings]

    synced = [c for c in WEEK if statuses_of(c) and set(statuses_of(c)) == {"synced"}]
    pending = [c for c in WEEK if "pending_sync" in statuses_of(c)]
    assert len(synced) > len(WEEK) / 2 and 2 <= len(pending) <= 6
    transfer = ["main", "transferee_consult", "transfer_conference", "back_to_agent"]
    assert any([s.label for s in c.recordings] == transfer for c in pending)
    assert sum(s.status == "redacted" for c in WEEK for s in c.recordings) == 1
    unrecorded = [c for c in WEEK if not c.recordings]
    assert any(c.status == "completed" for c in unrecorded)
    assert {"no-answer", "busy", "failed"} <= {c.status for c in unrecorded}


def test_durations_summaries_and_transcripts_are_realistic_and_every_transcript_parses() -> None:
    connected = [c for c in WEEK if c.status not in ("no-answer", "busy", "failed")]
    assert all(20 <= c.duration <= 15 * 60 for c in connected)
    assert all(c.duration == 0 and c.transcript is None for c in WEEK if c not in connected)
    for call in connected:
        assert call.call_summary and "{" not in call.call_summary
        assert call.transcript is not None and "{" not in call.transcript
        paragraphs = call.transcript.split("\n\n")
        turns = transcript_turns(call.transcript)
        assert len(turns) == len(paragraphs) >= 2
        assert all(turn.speaker in ("Agent", "Caller", "User", call.agent_name) for turn in turns)
        assert turns[0].role == "agent"
        for segment in call.recordings:
            assert segment.duration_seconds and moment(segment.created_at or "") > moment(call.started_at)
    assert sum(len(transcript_turns(c.transcript or "")) >= 5 for c in connected) >= 10


def test_the_agents_and_numbers_are_the_accounts_own() -> None:
    for call in WEEK:
        ours = call.to_number if call.direction == "inbound" else call.from_number
        theirs = call.from_number if call.direction == "inbound" else call.to_number
        assert ours == "+14155550100" and theirs.startswith("+") and theirs != ours
        assert call.account == "demo"


# --- served by the fake -------------------------------------------------------------------


@pytest.fixture(scope="module")
def week_fake() -> Iterator[FakeMagpipe]:
    with FakeMagpipe(week_ending=NOW) as server:
        yield server


def list_calls(fake: FakeMagpipe, key: str = DEMO_KEY, **body: object) -> dict:
    response = httpx.post(
        f"{fake.api_url}/list-calls", json={"limit": 100, **body}, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_the_default_fake_serves_no_week(fake: FakeMagpipe) -> None:
    assert fake.week_ending is None
    assert list_calls(fake)["total"] == sum(c.account == "demo" for c in SAMPLE_CALLS)


def test_the_week_comes_besides_the_samples_newest_first(week_fake: FakeMagpipe) -> None:
    answer = list_calls(week_fake)
    samples = [c for c in SAMPLE_CALLS if c.account == "demo"]
    assert answer["total"] == CALL_COUNT + len(samples)
    ids = [call["id"] for call in answer["calls"]]
    assert ids[:CALL_COUNT] == [c.call_id for c in reversed(WEEK)]
    assert set(ids[CALL_COUNT:]) == {c.call_id for c in samples}
    assert list_calls(week_fake, OTHER_ACCOUNT_KEY)["total"] == 1  # the week is the demo account's
    detail = httpx.post(
        f"{week_fake.api_url}/get-call", json={"call_id": MAIN_CALL}, headers={"Authorization": f"Bearer {DEMO_KEY}"}
    )
    assert detail.json()["call_summary"].startswith("Caller booked a table")


def test_list_calls_filters_the_week_by_day_with_inclusive_bounds(week_fake: FakeMagpipe) -> None:
    """Day by day, the bounds placed exactly on a day's first and last call keep both; a
    second inside them leaves them out."""
    by_day: dict[str, list[str]] = {}
    for call in WEEK:
        by_day.setdefault(call.created_at[:10], []).append(call.call_id)
    assert len(by_day) >= 7
    for day_calls in by_day.values():
        first, last = (next(c for c in WEEK if c.call_id == i) for i in (day_calls[0], day_calls[-1]))
        answer = list_calls(week_fake, from_date=first.created_at, to_date=last.created_at)
        assert [call["id"] for call in answer["calls"]] == day_calls[::-1]
        if len(day_calls) > 1:
            inside_from = (moment(first.created_at) + timedelta(seconds=1)).isoformat()
            inside_to = (moment(last.created_at) - timedelta(seconds=1)).isoformat()
            narrower = list_calls(week_fake, from_date=inside_from, to_date=inside_to)
            assert [call["id"] for call in narrower["calls"]] == day_calls[-2:0:-1]
    since_week = list_calls(week_fake, from_date=(NOW - timedelta(days=7)).isoformat())
    assert since_week["total"] == CALL_COUNT


def test_the_weeks_recordings_are_served_pending_ones_on_the_provider(week_fake: FakeMagpipe) -> None:
    pending = next(c for c in WEEK if len(c.recordings) == 4 and c.recordings[-1].status == "pending_sync")
    headers = {"Authorization": f"Bearer {DEMO_KEY}"}
    answer = httpx.post(
        f"{week_fake.api_url}/get-signed-recording-url", json={"call_id": pending.call_id}, headers=headers
    )
    recordings = answer.json()["recordings"]
    assert [r["status"] for r in recordings] == ["synced", "synced", "pending_sync", "pending_sync"]
    assert "/provider/" in recordings[2]["url"]
    assert httpx.get(recordings[2]["url"]).status_code == 200
    unrecorded = next(c for c in WEEK if c.status == "completed" and not c.recordings)
    missing = httpx.post(
        f"{week_fake.api_url}/get-signed-recording-url", json={"call_id": unrecorded.call_id}, headers=headers
    )
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "no_recording"


def test_list_agents_names_the_weeks_agents(week_fake: FakeMagpipe) -> None:
    response = httpx.post(f"{week_fake.api_url}/list-agents", json={}, headers={"Authorization": f"Bearer {DEMO_KEY}"})
    assert {a["name"] for a in response.json()["agents"]} >= {c.agent_name for c in WEEK}


def test_the_demo_server_says_how_many_week_calls_it_serves(week_fake: FakeMagpipe) -> None:
    text = describe(week_fake)
    assert f"And {CALL_COUNT} calls of the demo account over the week ending 2026-03-13 16:30 UTC" in text
    assert MAIN_CALL in text and WEEK[0].call_id not in text
