"""The calls view's listing (core): pages loaded on demand against the fake, each call once,
the pinned listing, a failed page tried again, and the quick filter; a call's details in the book."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from recbrowser.callbook import CallBook
from recbrowser.calls import transcript_turns, turns_matching
from recbrowser.errors import NotFound, ServerError
from recbrowser.fakeapi import SAMPLE_CALLS, FakeMagpipe
from recbrowser.fakeapi.samples import MAIN_CALL, TRANSFER_CALL
from recbrowser.lister import ListerWhenNeeded
from recbrowser.listing import BadFilter, CallListing, FilterForm
from recbrowser.lookups import BoundedLookups, DetailsResult

DEMO_IDS = [
    c.call_id
    for c in sorted((c for c in SAMPLE_CALLS if c.account == "demo"), key=lambda c: c.created_at, reverse=True)
]


def offsets(fake: FakeMagpipe) -> list[int]:
    return [json.loads(r.body)["offset"] for r in fake.requests["api"] if r.path.endswith("/list-calls")]


async def test_a_page_at_a_time_when_asked_with_the_total(make_client, fake):
    listing = CallListing(make_client(), page_size=5)
    assert [c.id for c in await listing.more()] == DEMO_IDS[:5]
    assert (listing.total, listing.done, listing.summary()) == (12, False, "5 of 12 calls loaded")
    assert offsets(fake) == [0]  # nothing more is asked until the view wants it
    while not listing.done:
        await listing.more()
    assert [c.id for c in listing.calls] == DEMO_IDS
    assert listing.summary() == "12 calls"
    assert await listing.more() == []


async def test_a_lying_has_more_and_an_empty_page_end_the_listing(make_client, fake):
    fake.faults.list_calls_lying_has_more = True
    fake.faults.list_calls_empty_from = 10
    listing = CallListing(make_client(), page_size=5)
    while not listing.done:
        await listing.more()
    assert [c.id for c in listing.calls] == DEMO_IDS[:10]
    assert offsets(fake) == [0, 5, 10]


async def test_a_call_arriving_meanwhile_shifts_nothing_and_is_not_listed(make_client, fake):
    fake.faults.list_calls_arrival_after = 1
    listing = CallListing(make_client(), page_size=5)
    while not listing.done:
        await listing.more()
    assert [c.id for c in listing.calls] == DEMO_IDS
    pins = {json.loads(r.body)["to_date"] for r in fake.requests["api"] if r.path.endswith("/list-calls")}
    assert len(pins) == 1


async def test_a_failed_page_is_kept_as_the_error_and_the_next_try_goes_on_without_duplicates(make_client, fake):
    listing = CallListing(make_client(max_tries=1), page_size=5)
    await listing.more()
    fake.faults.list_calls_query_error = 1
    assert await listing.more() == []
    assert isinstance(listing.error, ServerError)
    assert len(listing.calls) == 5
    added = await listing.more()  # starts again from the top, under the same pin: page 1 adds nothing
    assert [c.id for c in added] == DEMO_IDS[5:10]
    assert listing.error is None
    assert offsets(fake) == [0, 5, 0, 5]


async def test_the_quick_filter_matches_every_word_in_any_field(make_client, fake):
    listing = CallListing(make_client())
    await listing.more()
    assert {c.id for c in listing.matching("billing accountant")} == {TRANSFER_CALL}
    assert {c.id for c in listing.matching("+14155550123 FRONT")} >= {MAIN_CALL}
    assert listing.matching("   ") == listing.calls
    assert listing.matching("no such words") == []
    assert listing.matching("", start=10) == listing.calls[10:]


async def test_the_filters_go_to_the_server(make_client, fake):
    listing = CallListing(make_client(), FilterForm(direction="outbound"))
    await listing.more()
    assert listing.calls and {c.direction for c in listing.calls} == {"outbound"}


def test_details_are_got_once_and_a_failure_keeps_the_details_had_before():
    book = CallBook()
    book.add([MAIN_CALL, TRANSFER_CALL])
    assert book.details_due([MAIN_CALL, MAIN_CALL]) == [MAIN_CALL]
    assert book.details_due([MAIN_CALL, TRANSFER_CALL]) == [TRANSFER_CALL]  # MAIN's is being got
    assert book.details_due(["not-listed"]) == []
    from recbrowser.calls import CallDetails

    details = CallDetails.from_api({"id": MAIN_CALL, "transcript": "Agent: Hello\nUser: Hi"})
    state = book.details_finished(DetailsResult(MAIN_CALL, details=details))
    assert state is not None and state.details is details and not state.details_loading
    assert [turn.label for turn in state.turns] == ["Agent", "Caller"]
    assert book.details_due([MAIN_CALL]) == []
    assert book.details_due([MAIN_CALL], again=True) == [MAIN_CALL]
    state = book.details_finished(DetailsResult(MAIN_CALL, error=ServerError("boom")))
    assert state is not None and state.details is details and isinstance(state.details_error, ServerError)


async def test_details_of_an_unknown_call_are_a_not_found_result(make_client, fake):
    lookups = BoundedLookups(lambda: make_client())
    result = await lookups.details("00000000-0000-4000-8000-000000000000")
    assert isinstance(result.error, NotFound) and result.details is None
    result = await lookups.details(MAIN_CALL)
    assert result.details is not None and result.details.transcript


def test_transcript_search_finds_turns_by_words_or_speaker_in_any_case():
    turns = transcript_turns("Agent: Thanks for calling\nCaller: I'd like a TABLE\nMaria: A table for four")
    assert turns_matching(turns, "table") == [1, 2]
    assert turns_matching(turns, "caller") == [1]
    assert turns_matching(turns, "maria") == [2]  # "Agent (Maria)"
    assert turns_matching(turns, "  ") == []


NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


def test_the_filter_form_becomes_list_calls_filters():
    form = FilterForm(
        since="7d", until="2026-03-01", direction="inbound", status=" completed ", agent_id="a1", number="+15551234567"
    )
    filters = form.filters(now=NOW)
    assert filters.from_date == datetime(2026, 2, 23, 12, 0, tzinfo=timezone.utc)
    assert filters.to_date is not None and filters.to_date.date().isoformat() == "2026-03-01"
    assert (filters.direction, filters.status, filters.agent_id, filters.phone_number) == (
        "inbound",
        "completed",
        "a1",
        "+15551234567",
    )
    assert FilterForm().filters(now=NOW) == FilterForm(status="  ").filters(now=NOW)
    assert FilterForm().is_empty() and not form.is_empty()
    assert FilterForm(since="7d", direction="outbound", agent_id="a1", agent_name="Front Desk").summary() == (
        "since 7d · outbound · agent Front Desk"
    )


@pytest.mark.parametrize(
    ("form", "words"),
    [
        (FilterForm(since="last week"), "7d"),
        (FilterForm(since="today", until="yesterday"), "Since is after until"),
        (FilterForm(number="555-1234"), "E.164"),
        (FilterForm(direction="sideways"), "inbound or outbound"),
    ],
)
def test_a_filter_list_calls_cannot_take_is_a_one_line_bad_filter(form, words):
    with pytest.raises(BadFilter, match=words) as caught:
        form.filters(now=NOW)
    assert "\n" not in str(caught.value)


async def test_a_lister_when_needed_makes_its_client_on_the_first_page_only(make_client, fake):
    made = []

    def make():
        made.append(make_client())
        return made[-1]

    listing = CallListing(ListerWhenNeeded(make), page_size=5)
    assert made == []  # nothing made (no httpx, no TLS context) until a page is asked for
    assert [c.id for c in await listing.more()] == DEMO_IDS[:5]
    assert [c.id for c in await listing.more()] == DEMO_IDS[5:10]
    assert len(made) == 1 and offsets(fake) == [0, 5]
