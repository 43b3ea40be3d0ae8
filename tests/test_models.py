"""Parsing recordings leniently: every sample call from the real fake API, and odd bodies built by hand."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recbrowser.errors import BadResponse, NoRecording, NotFound
from recbrowser.fakeapi import OTHER_ACCOUNT_KEY, SAMPLE_CALLS, FakeMagpipe, SampleCall
from recbrowser.fakeapi.samples import (
    MAIN_CALL,
    MARKUP_CALL,
    NULLS_CALL,
    PATHLIKE_CALL,
    TRANSFER_CALL,
    UNKNOWN_VALUES_CALL,
)
from recbrowser.formatting import format_duration
from recbrowser.models import (
    CallRecordings,
    Segment,
    Segments,
    duration_or_none,
    friendly_label,
    parse_timestamp,
    text_or_none,
)

DASHBOARD_LABELS = {
    "main": "Main Call",
    "conversation": "Conversation",
    "transferee_consult": "Transfer Consultation",
    "transfer_conference": "Transferred Call",
    "back_to_agent": "Back to Agent",
    "reconnect_to_agent": "Reconnect",
    "reconnect_after_decline": "Reconnect After Decline",
    "reconnect_conversation": "Reconnect Conversation",
}

DEMO_CALLS_WITH_RECORDINGS = [c for c in SAMPLE_CALLS if c.account == "demo" and c.recordings]
DEMO_CALLS_WITHOUT_RECORDINGS = [c for c in SAMPLE_CALLS if c.account == "demo" and not c.recordings]
OTHER_ACCOUNT_CALLS = [c for c in SAMPLE_CALLS if c.account != "demo"]


def _ids(calls: list[SampleCall]) -> list[str]:
    return [c.description for c in calls]


def _aware(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


# --- every sample call, through the client and the real fake API -----------------------------


@pytest.mark.parametrize("sample", DEMO_CALLS_WITH_RECORDINGS, ids=_ids(DEMO_CALLS_WITH_RECORDINGS))
async def test_sample_call_parses_into_segments_in_api_order(
    fake: FakeMagpipe, make_client, sample: SampleCall
) -> None:
    call = await make_client().get_recordings(sample.call_id)

    assert call.call_id == sample.call_id
    assert [s.index for s in call.segments] == list(range(1, len(sample.recordings) + 1))
    assert len(call.segments) == len(sample.recordings)
    for segment, spec in zip(call.segments, sample.recordings, strict=False):
        assert segment.label == spec.label  # raw value, verbatim (markup, ESC, ../ included)
        assert segment.source == spec.source  # unknown values (twilio, unknown) kept as-is
        assert segment.status == spec.status  # unknown status (archived) kept as-is
        assert segment.duration_seconds == spec.duration_seconds
        assert segment.duration_seconds is None or type(segment.duration_seconds) is int
        if spec.created_at is None:
            assert segment.created_at is None and segment.created_at_raw is None
        else:
            assert segment.created_at == _aware(spec.created_at)
            assert segment.created_at.tzinfo is not None
            assert segment.created_at_raw == spec.created_at
        assert segment.url is not None and segment.url.startswith(fake.storage_url + "/")
    assert call.recording_url == call.segments[0].url


@pytest.mark.parametrize("sample", DEMO_CALLS_WITH_RECORDINGS, ids=_ids(DEMO_CALLS_WITH_RECORDINGS))
async def test_sample_labels_known_to_the_dashboard_get_its_names(make_client, sample: SampleCall) -> None:
    call = await make_client().get_recordings(sample.call_id)
    for segment in call.segments:
        if segment.label in DASHBOARD_LABELS:
            assert segment.friendly_label == DASHBOARD_LABELS[segment.label]


async def test_unknown_sample_label_is_title_cased_with_spaces(make_client) -> None:
    call = await make_client().get_recordings(UNKNOWN_VALUES_CALL)
    assert [s.friendly_label for s in call.segments] == ["Voicemail Drop", "Main Call"]
    assert [s.source for s in call.segments] == ["twilio", "signalwire"]
    assert [s.status for s in call.segments] == ["synced", "archived"]
    archived = call.segments[1]
    assert not archived.is_synced and not archived.is_pending


async def test_hostile_labels_are_kept_verbatim_in_the_model(make_client) -> None:
    markup = await make_client().get_recordings(MARKUP_CALL)
    paths = await make_client().get_recordings(PATHLIKE_CALL)
    assert [s.label for s in markup.segments] == ["[bold]x[/]", "\x1b[31mred\x07"]
    assert [s.label for s in paths.segments] == ["../../etc", "a/b\\c"]
    assert markup.to_api_dict()["recordings"][1]["label"] == "\x1b[31mred\x07"


async def test_transfer_call_counts_synced_and_pending_segments(make_client) -> None:
    call = await make_client().get_recordings(TRANSFER_CALL)
    assert [s.status for s in call.segments] == ["synced", "synced", "pending_sync", "pending_sync"]
    assert (call.synced_count, call.pending_count) == (2, 2)
    assert call.total_duration == 64 + 31 + 142 + 18
    assert [s.is_pending for s in call.segments] == [False, False, True, True]


async def test_null_duration_and_created_at_parse_to_none(make_client) -> None:
    call = await make_client().get_recordings(NULLS_CALL)
    (segment,) = call.segments
    assert segment.duration_seconds is None and segment.created_at is None
    assert segment.source == "unknown"
    assert call.total_duration is None
    assert call.to_api_dict()["recordings"][0]["duration_seconds"] is None
    assert call.to_api_dict()["recordings"][0]["created_at"] is None


@pytest.mark.parametrize("sample", DEMO_CALLS_WITHOUT_RECORDINGS, ids=_ids(DEMO_CALLS_WITHOUT_RECORDINGS))
async def test_sample_call_without_recording_is_no_recording(make_client, sample: SampleCall) -> None:
    with pytest.raises(NoRecording):
        await make_client().get_recordings(sample.call_id)


@pytest.mark.parametrize("sample", OTHER_ACCOUNT_CALLS, ids=_ids(OTHER_ACCOUNT_CALLS))
async def test_other_accounts_call_is_not_found_for_demo_but_parses_for_its_owner(
    make_client, sample: SampleCall
) -> None:
    with pytest.raises(NotFound):
        await make_client().get_recordings(sample.call_id)
    call = await make_client(OTHER_ACCOUNT_KEY).get_recordings(sample.call_id)
    assert [s.label for s in call.segments] == [spec.label for spec in sample.recordings]


async def test_api_json_of_a_call_keeps_the_raw_api_values(fake: FakeMagpipe, make_client) -> None:
    call = await make_client().get_recordings(MAIN_CALL)
    url = f"{fake.storage_url}/storage/v1/object/public/recordings/{MAIN_CALL}/1.wav"
    assert call.to_api_dict() == {
        "call_id": MAIN_CALL,
        "recording_url": url,
        "recordings": [
            {
                "url": url,
                "label": "main",
                "duration_seconds": 125,
                "source": "signalwire",
                "status": "synced",
                "created_at": "2026-03-02T10:34:25Z",
            }
        ],
    }


# --- odd bodies built by hand ---------------------------------------------------------------


def test_missing_recordings_fall_back_to_recording_url_as_one_segment() -> None:
    call = CallRecordings.from_api(MAIN_CALL, {"call_id": MAIN_CALL, "recording_url": "https://s/x.mp3"})
    assert call.recording_url == "https://s/x.mp3"
    (segment,) = call.segments
    assert (segment.index, segment.url, segment.label) == (1, "https://s/x.mp3", None)
    assert segment.friendly_label == "Main Call"
    assert segment.duration_seconds is None and segment.status is None


def test_an_empty_recordings_list_parses_to_no_segments() -> None:
    call = CallRecordings.from_api(MAIN_CALL, {"recordings": []})
    assert call.segments == () and call.recording_url is None and call.total_duration is None


@pytest.mark.parametrize(
    "body", [{}, {"ok": True}, {"recordings": None}, {"recording_url": None}, {"recording_url": ""}]
)
def test_a_body_without_a_recordings_list_or_url_is_a_bad_response(body: dict[str, Any]) -> None:
    with pytest.raises(BadResponse, match="no 'recordings' list"):
        CallRecordings.from_api(MAIN_CALL, body)


def test_recording_url_defaults_to_the_first_segments_url() -> None:
    call = CallRecordings.from_api(MAIN_CALL, {"recordings": [{"url": "https://a"}, {"url": "https://b"}]})
    assert call.recording_url == "https://a"
    assert [(s.index, s.url) for s in call.segments] == [(1, "https://a"), (2, "https://b")]


def test_explicit_recording_url_is_kept_even_when_it_differs() -> None:
    call = CallRecordings.from_api(MAIN_CALL, {"recording_url": "https://top", "recordings": [{"url": "https://a"}]})
    assert call.recording_url == "https://top"


@pytest.mark.parametrize("recordings", [{"url": "x"}, "https://x", 3, True])
def test_recordings_that_is_not_a_list_is_a_bad_response(recordings: Any) -> None:
    with pytest.raises(BadResponse, match="not a list"):
        CallRecordings.from_api(MAIN_CALL, {"recordings": recordings})


@pytest.mark.parametrize("body", [None, [], [{"url": "x"}], "text", 42, True])
def test_body_that_is_not_an_object_is_a_bad_response(body: Any) -> None:
    with pytest.raises(BadResponse, match="JSON object"):
        CallRecordings.from_api(MAIN_CALL, body)


@pytest.mark.parametrize("item", [None, "https://x", 7, ["url"]])
def test_recording_item_that_is_not_an_object_is_a_bad_response_naming_its_position(item: Any) -> None:
    with pytest.raises(BadResponse, match="Recording 2"):
        CallRecordings.from_api(MAIN_CALL, {"recordings": [{"url": "ok"}, item]})


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        (125, 125),
        (0, 0),
        (12.5, 12.5),
        (12.0, 12),
        ("125", 125),
        ("12.5", 12.5),
        (" 7 ", 7),
        ("abc", None),
        ("", None),
        (-5, None),
        (-0.5, None),
        ("-3", None),
        (True, None),
        (False, None),
        (float("nan"), None),
        (float("inf"), None),
        ("inf", None),
        ([], None),
        ({}, None),
        (None, None),
    ],
)
def test_duration_is_a_non_negative_number_or_none(raw: Any, parsed: Any) -> None:
    segment = Segment.from_api(1, {"duration_seconds": raw})
    assert segment.duration_seconds == parsed
    assert type(segment.duration_seconds) is type(parsed)


def test_missing_duration_is_none() -> None:
    assert Segment.from_api(1, {}).duration_seconds is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-01-15T10:32:20Z", datetime(2024, 1, 15, 10, 32, 20, tzinfo=timezone.utc)),
        ("2024-01-15T10:32:20z", datetime(2024, 1, 15, 10, 32, 20, tzinfo=timezone.utc)),
        ("2024-01-15T10:32:20+02:00", datetime(2024, 1, 15, 10, 32, 20, tzinfo=timezone(timedelta(hours=2)))),
        ("2024-01-15T10:32:20.5+00:00", datetime(2024, 1, 15, 10, 32, 20, 500000, tzinfo=timezone.utc)),
        ("2024-01-15T10:32:20", datetime(2024, 1, 15, 10, 32, 20, tzinfo=timezone.utc)),  # naive → UTC
    ],
)
def test_created_at_parses_to_an_aware_datetime(raw: str, expected: datetime) -> None:
    segment = Segment.from_api(1, {"created_at": raw})
    assert segment.created_at == expected
    assert segment.created_at.utcoffset() == expected.utcoffset()
    assert segment.created_at_raw == raw


@pytest.mark.parametrize("raw", ["junk", "", "   ", "2024-13-01T00:00:00Z", "yesterday", None, [], {}, True])
def test_created_at_junk_is_none(raw: Any) -> None:
    assert Segment.from_api(1, {"created_at": raw}).created_at is None


def test_non_string_fields_do_not_crash_parsing() -> None:
    segment = Segment.from_api(1, {"url": 5, "label": ["x"], "source": {"a": 1}, "status": None})
    assert (segment.url, segment.label, segment.source, segment.status) == ("5", None, None, None)
    assert segment.friendly_label == "Main Call"


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        *DASHBOARD_LABELS.items(),
        ("voicemail_drop", "Voicemail Drop"),
        ("warm_transfer_leg", "Warm Transfer Leg"),
        ("hold", "Hold"),
        ("", "Main Call"),
        (None, "Main Call"),
        ("hold_2", "Hold 2"),
        # Not plain snake_case: shown as it is, never title-cased.
        ("a/b\\c", "a/b\\c"),
        ("Main", "Main"),
        ("warm transfer", "warm transfer"),
        ("[bold]x[/]", "[bold]x[/]"),
        ("ünïcode_leg", "ünïcode_leg"),
    ],
)
def test_friendly_label_follows_the_dashboard(label: str | None, shown: str) -> None:
    assert friendly_label(label) == shown


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "0:00"),
        (5, "0:05"),
        (59, "0:59"),
        (60, "1:00"),
        (125, "2:05"),
        (3599, "59:59"),
        (3600, "1:00:00"),
        (3723, "1:02:03"),
        (12.4, "0:12"),
        (None, "—"),
    ],
)
def test_format_duration(seconds: float | None, shown: str) -> None:
    assert format_duration(seconds) == shown


@given(st.integers(min_value=0, max_value=10**6))
def test_format_duration_reads_back_as_the_same_number_of_seconds(seconds: int) -> None:
    parts = [int(p) for p in format_duration(seconds).split(":")]
    assert all(p < 60 for p in parts[1:])
    total = 0
    for part in parts:
        total = total * 60 + part
    assert total == seconds


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
_segment_fields = st.fixed_dictionaries(
    {}, optional=dict.fromkeys(("url", "label", "duration_seconds", "source", "status", "created_at"), _json)
)


@given(st.lists(_segment_fields, max_size=4), _json)
def test_any_segment_values_parse_leniently(items: list[dict[str, Any]], recording_url: Any) -> None:
    call = CallRecordings.from_api(MAIN_CALL, {"recordings": items, "recording_url": recording_url})
    assert [s.index for s in call.segments] == list(range(1, len(items) + 1))
    for segment in call.segments:
        d = segment.duration_seconds
        assert d is None or (not isinstance(d, bool) and d >= 0 and math.isfinite(d))
        assert segment.created_at is None or segment.created_at.tzinfo is not None
        assert isinstance(segment.friendly_label, str) and segment.friendly_label
        format_duration(d)


def test_parse_timestamp_returns_none_for_non_strings() -> None:
    assert parse_timestamp(1700000000) is None


@given(
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1)),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
    st.sampled_from(["T", " "]),
)
def test_created_at_round_trips_any_iso_8601_time_with_an_offset(moment, offset_minutes, separator):
    zone = timezone(timedelta(minutes=offset_minutes))
    aware = moment.replace(tzinfo=zone)
    assert parse_timestamp(aware.isoformat(sep=separator)) == aware


@pytest.mark.parametrize("count", [0, 1, 2000, 2001, 4500])
def test_api_json_made_in_pieces_is_exactly_the_json_of_the_api_dict(count: int) -> None:
    odd = [{"url": "https://h/é.wav", "label": "a\ud800b", "duration_seconds": 1.5, "status": 7, "created_at": None}]
    items = [*odd, *({"url": f"https://h/{n}.wav", "label": "main", "duration_seconds": n} for n in range(count))]
    call = CallRecordings.from_api("7f3d8e00-a1b2-4c3d-9e4f-567890abcdef", {"recordings": items[:count]})
    assert call.to_api_json() == json.dumps(call.to_api_dict())
    assert CallRecordings.from_api(call.call_id, json.loads(call.to_api_json())) == call


@given(st.one_of(st.integers(), st.floats(allow_nan=True), st.booleans(), st.none(), st.text(max_size=8)))
def test_the_quick_duration_path_gives_what_duration_or_none_gives(raw: Any) -> None:
    parsed = Segment.from_api(1, {"duration_seconds": raw}).duration_seconds
    expected = duration_or_none(raw)
    assert parsed == expected or (parsed is None and expected is None)
    assert type(parsed) is type(expected)


@given(st.lists(_segment_fields, max_size=6))
def test_the_quick_text_path_gives_what_text_or_none_gives(items: list[dict[str, Any]]) -> None:
    for index, item in enumerate(items, start=1):
        segment = Segment.from_api(index, item)
        assert isinstance(segment, Segment)
        for name in ("url", "label", "source", "status"):
            assert getattr(segment, name) == text_or_none(item.get(name))
        assert segment.created_at_raw == text_or_none(item.get("created_at"))


@given(st.lists(_segment_fields, max_size=6))
def test_the_tally_counted_while_parsing_is_the_tally_of_the_segments(items: list[dict[str, Any]]) -> None:
    parsed = CallRecordings.from_api(MAIN_CALL, {"recordings": items, "recording_url": "https://h/1.wav"})
    made = CallRecordings(parsed.call_id, parsed.recording_url, parsed.segments)  # counted when first asked
    assert parsed.tally == made.tally
    assert parsed == made
    assert made.synced_count == sum(1 for s in made.segments if s.is_synced)
    assert made.pending_count == sum(1 for s in made.segments if s.is_pending)
    known = [s.duration_seconds for s in made.segments if s.duration_seconds is not None]
    assert made.total_duration == (sum(known) if known else None)


def test_a_huge_answers_counts_come_from_the_parse() -> None:
    statuses = ["synced", "pending_sync", "failed", "synced"]
    items = [{"url": f"https://h/{n}.wav", "status": statuses[n % 4], "duration_seconds": 2} for n in range(10_001)]
    call = CallRecordings.from_api(MAIN_CALL, {"recordings": items})
    assert call.tally == (5001, 2500, 20_002)


def _items(count: int) -> list[dict[str, Any]]:
    return [
        {"url": f"https://h/{n}.wav", "label": "main", "duration_seconds": n, "status": "synced"} for n in range(count)
    ]


def test_segments_are_made_when_first_asked_for_and_equal_the_segments_made_at_once() -> None:
    items = _items(5)
    eager = tuple(Segment.from_api(n, item) for n, item in enumerate(items, start=1))
    lazy = Segments(items)
    assert len(lazy) == 5 and bool(lazy)
    assert lazy[1] == eager[1] and lazy[-1] == eager[-1] and lazy[-5] == eager[0]
    assert lazy[1] is lazy[1]  # made once
    assert lazy[1:3] == eager[1:3] and lazy[::-2] == eager[::-2] and lazy[9:] == ()
    for bad in (5, -6):
        with pytest.raises(IndexError):
            lazy[bad]
    assert lazy == eager and eager == lazy and lazy != eager[:4] and lazy == Segments(_items(5))
    assert list(lazy) == list(eager) and lazy[2] == eager[2] and lazy[0:2] == eager[0:2]  # also once all are made
    assert hash(lazy) == hash(eager) and Segments([]) == ()
    assert lazy.index(eager[3]) == 3 and eager[4] in lazy


def test_a_parsed_answer_keeps_every_segment_and_its_index() -> None:
    call = CallRecordings.from_api(MAIN_CALL, {"recordings": _items(2500)})
    assert isinstance(call.segments, Segments)
    assert call.segments[2499].index == 2500 and call.recording_url == "https://h/0.wav"
    assert [s.index for s in call.segments] == list(range(1, 2501))
    assert call.tally == (2500, 0, sum(range(2500)))


def test_segments_read_from_several_threads_at_once_are_the_same() -> None:
    from concurrent.futures import ThreadPoolExecutor

    items = _items(20_000)
    expected = tuple(Segment.from_api(n, item) for n, item in enumerate(items, start=1))

    def position(n: int) -> int:
        return n * 997 % 20_000

    for _ in range(3):
        lazy = Segments(items)

        def pick(n: int, lazy: Segments = lazy) -> Segment:
            return lazy[position(n)] if n % 3 else lazy.all()[position(n)]

        with ThreadPoolExecutor(4) as pool:
            assert list(pool.map(pick, range(400))) == [expected[position(n)] for n in range(400)]
        assert lazy == expected
