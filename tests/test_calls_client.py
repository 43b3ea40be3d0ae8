"""list_calls, get_call, list_agents and the paging of list_all against the shipped fake, over loopback HTTP."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from recbrowser.calls import (
    CallDetails,
    CallFilters,
    CallSummary,
    agents_page,
    calls_page,
    friendly_status,
    list_all,
    transcript_turns,
)
from recbrowser.errors import BadResponse, NoApiKey, NotFound, ServerError, Unauthorized
from recbrowser.fakeapi import FakeMagpipe, SampleCall
from recbrowser.fakeapi.samples import (
    MAIN_CALL,
    NO_RECORDING_CALL,
    NULLS_CALL,
    OTHER_CALL,
    SAMPLE_CALLS,
    UNKNOWN_CALL,
)

DEMO_CALLS = sorted((c for c in SAMPLE_CALLS if c.account == "demo"), key=lambda c: c.created_at, reverse=True)
DEMO_IDS = [c.call_id for c in DEMO_CALLS]
FAR_FUTURE = datetime(2099, 1, 1, tzinfo=timezone.utc)


def list_requests(fake: FakeMagpipe) -> list[dict]:
    return [json.loads(r.body) for r in fake.requests["api"] if r.path.endswith("/list-calls")]


async def listed(client, filters: CallFilters | None = None, **options) -> list[CallSummary]:
    return [call async for page in list_all(client, filters or CallFilters(), **options) for call in page.calls]


async def test_one_page_of_calls_newest_first_with_the_total(make_client):
    page = await make_client().list_calls(CallFilters(), limit=3, offset=1)
    assert [c.id for c in page.items] == DEMO_IDS[1:4]
    assert page.total == len(DEMO_IDS)
    assert page.has_more is True


async def test_every_call_of_the_account_is_listed_once(make_client, fake):
    calls = await listed(make_client())
    assert [c.id for c in calls] == DEMO_IDS
    assert OTHER_CALL not in {c.id for c in calls}
    assert len(list_requests(fake)) == 1


async def test_pages_of_at_most_100_whatever_the_page_size_asked(make_client, fake):
    await listed(make_client(), page_size=500)
    assert [r["limit"] for r in list_requests(fake)] == [100]


async def test_a_lying_has_more_stops_on_the_empty_page(make_client, fake):
    fake.faults.list_calls_lying_has_more = True
    calls = await listed(make_client(), page_size=5)
    assert [c.id for c in calls] == DEMO_IDS
    assert [r["offset"] for r in list_requests(fake)] == [0, 5, 10, 12]


async def test_an_empty_page_mid_listing_ends_it_although_has_more_is_true(make_client, fake):
    fake.faults.list_calls_empty_from = 5
    calls = await listed(make_client(), page_size=5)
    assert [c.id for c in calls] == DEMO_IDS[:5]
    assert [r["offset"] for r in list_requests(fake)] == [0, 5]


async def test_a_page_capped_below_the_limit_moves_the_offset_by_what_came(make_client, fake):
    """The server caps pages at 5 and, as its has_more is total > offset + limit, says false at once."""
    fake.faults.list_calls_row_cap = 5
    calls = await listed(make_client())
    assert [c.id for c in calls] == DEMO_IDS
    assert [(r["offset"], r["limit"]) for r in list_requests(fake)] == [(0, 100), (5, 100), (10, 100)]


async def test_a_call_arriving_mid_listing_shifts_the_offsets_and_is_de_duplicated(make_client, fake):
    """With a to_date later than the arrival (the user's), the newcomer shifts every offset by one:
    the second page starts with the first page's last call again, which is listed once."""
    fake.faults.list_calls_arrival_after = 1
    pages = [page async for page in list_all(make_client(), CallFilters(to_date=FAR_FUTURE), page_size=5)]
    assert [c.id for page in pages for c in page.calls] == DEMO_IDS
    assert [len(page.calls) for page in pages] == [5, 4, 3]  # each later page began with a call seen before
    assert [page.total for page in pages] == [12, 13, 13]
    assert [r["offset"] for r in list_requests(fake)] == [0, 5, 10]


async def test_without_an_until_the_listing_is_pinned_so_an_arrival_shifts_nothing(make_client, fake):
    fake.faults.list_calls_arrival_after = 1
    started = datetime.now(timezone.utc)
    calls = await listed(make_client(), page_size=5)
    assert [c.id for c in calls] == DEMO_IDS
    pins = {r["to_date"] for r in list_requests(fake)}
    assert len(pins) == 1
    pin = datetime.fromisoformat(pins.pop().replace("Z", "+00:00"))
    assert started <= pin <= datetime.now(timezone.utc)
    assert [r["offset"] for r in list_requests(fake)] == [0, 5, 10]
    assert len(fake.calls) == len(SAMPLE_CALLS) + 1  # the call did arrive


async def test_the_limit_caps_the_listing_and_each_request(make_client, fake):
    fake.faults.list_calls_row_cap = 5
    calls = await listed(make_client(), limit=7)
    assert [c.id for c in calls] == DEMO_IDS[:7]
    assert [(r["offset"], r["limit"]) for r in list_requests(fake)] == [(0, 7), (5, 2)]


@pytest.mark.parametrize(
    ("filters", "wanted"),
    [
        (CallFilters(direction="outbound"), lambda c: c.direction == "outbound"),
        (CallFilters(status="no-answer"), lambda c: c.status == "no-answer"),
        (CallFilters(agent_id="b2e1d4c3-6a5f-4e7b-9d8c-0f1a2b3c4d5e"), lambda c: c.agent_name == "Billing Assistant"),
        (CallFilters(phone_number="+14155550123"), lambda c: "+14155550123" in (c.from_number, c.to_number)),
        (
            CallFilters(
                from_date=datetime(2026, 3, 1, tzinfo=timezone.utc),
                to_date=datetime(2026, 3, 1, 14, 2, tzinfo=timezone.utc),
            ),
            lambda c: "2026-03-01T00:00:00Z" <= c.created_at <= "2026-03-01T14:02:00Z",
        ),
    ],
)
async def test_each_filter_is_applied_by_the_server(make_client, fake, filters, wanted):
    calls = await listed(make_client(), filters)
    expected = [c.call_id for c in DEMO_CALLS if wanted(c)]
    assert expected and [c.id for c in calls] == expected
    assert len(expected) < len(DEMO_IDS)


async def test_get_call_has_the_details_and_the_transcript(make_client):
    call = await make_client().get_call(MAIN_CALL.upper())
    assert isinstance(call, CallDetails)
    assert (call.id, call.agent_name, call.duration, call.sentiment) == (MAIN_CALL, "Front Desk", 125, "positive")
    assert call.transcript.startswith("Agent: Thanks for calling")
    assert call.metadata == {"campaign": "spring-menu"}
    assert call.started == datetime(2026, 3, 2, 10, 32, 20, tzinfo=timezone.utc)


async def test_get_call_without_a_transcript_or_a_recording(make_client):
    assert (await make_client().get_call(NULLS_CALL)).transcript is None
    assert (await make_client().get_call(NO_RECORDING_CALL)).recording_url is None


@pytest.mark.parametrize("call_id", [UNKNOWN_CALL, OTHER_CALL])
async def test_get_call_of_an_unknown_call_is_not_found(make_client, call_id):
    with pytest.raises(NotFound):
        await make_client().get_call(call_id)


async def test_agents_of_the_account(make_client, fake):
    agents = await make_client().list_agents()
    assert [a.name for a in agents] == ["Front Desk", "Billing Assistant", "Support Line"]
    fake.faults.extra_agents = tuple((f"x{n}", f"Agent {n}") for n in range(150))
    assert len(await make_client().list_agents()) == 153  # two pages


async def test_no_key_a_rejected_key_and_a_server_error_are_typed(make_client, fake):
    with pytest.raises(NoApiKey):
        await make_client(key=None).list_calls()
    with pytest.raises(Unauthorized):
        await make_client(key="mgp_" + "0" * 40).list_agents()
    fake.faults.list_calls_query_error = 3
    with pytest.raises(ServerError, match="invalid input syntax"):
        await listed(make_client())


async def test_an_answer_that_is_not_the_contract_is_a_bad_response(make_client, fake):
    fake.faults.bad_json = 1
    with pytest.raises(BadResponse):
        await make_client().list_calls()


@dataclass(frozen=True)
class OddCall(SampleCall):
    """A call whose fields have the wrong types (the sample's end time would need a number)."""

    @property
    def ended_at(self) -> None:  # type: ignore[override]
        return None


async def test_odd_calls_over_http_become_nones_not_crashes():
    odd = OddCall(
        call_id="E0000000-0000-4000-8000-00000000000E",
        description="odd types",
        recordings=[],
        started_at="2026-03-03T09:00:00Z",
        duration="95",  # type: ignore[arg-type]
        agent_id=None,  # type: ignore[arg-type]
        agent_name=None,  # type: ignore[arg-type]
        from_number=15551234567,  # type: ignore[arg-type]
        to_number=None,  # type: ignore[arg-type]
        status="archived_by_robot",
        sentiment=["?"],  # type: ignore[arg-type]
        call_summary="\x1b[2J[b]wiped[/b]",
    )
    from recbrowser.client import MagpipeClient
    from recbrowser.fakeapi import DEMO_KEY
    from recbrowser.secret import Secret

    with FakeMagpipe(calls=[odd]) as fake:
        async with MagpipeClient(fake.api_url, Secret(DEMO_KEY)) as client:
            (call,) = (await client.list_calls()).items
    assert call.id == odd.call_id.lower()
    assert (call.duration, call.from_number, call.sentiment, call.agent_name) == (95, "15551234567", None, None)
    assert call.friendly_status == "archived_by_robot"
    assert call.call_summary == "\x1b[2J[b]wiped[/b]"  # kept; every face prints it through printable


def test_bad_fields_become_none_and_a_body_off_the_contract_is_a_bad_response():
    page = calls_page({"calls": [{"id": "X", "duration": -5, "started_at": "yesterday", "status": None}], "total": "3"})
    (call,) = page.items
    assert (call.id, call.duration, call.started_at, call.started, call.status) == ("x", None, None, None, None)
    assert (page.total, page.has_more) == (None, False)
    for body in ({}, {"calls": {}}, [], {"calls": [{"no": "id"}]}, {"calls": ["x"]}):
        with pytest.raises(BadResponse):
            calls_page(body)
    with pytest.raises(BadResponse):
        agents_page({"agents": [{"name": "no id"}]})


def test_friendly_statuses():
    assert friendly_status("answered_by_pat") == "Answered by AI"
    assert friendly_status("Caller Hungup") == "Hung Up"
    assert friendly_status("outbound_dialing") == "outbound_dialing"
    assert friendly_status(None) is None


def test_transcript_turns_label_caller_and_user_as_the_caller_and_anyone_else_as_the_agent():
    turns = transcript_turns("Agent: Hi\n\nCaller: Hello\nUser: yes\nFront Desk: ok\n  and more\nCallee: who?")
    assert [(t.role, t.speaker, t.text) for t in turns] == [
        ("agent", "Agent", "Hi"),
        ("caller", "Caller", "Hello"),
        ("caller", "User", "yes"),
        ("agent", "Front Desk", "ok\nand more"),
        ("agent", "Callee", "who?"),
    ]
