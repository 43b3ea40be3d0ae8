"""The call book, driven directly (no Textual): generations, answers, retries, key failures, the
restore of the last session from a real history file, and bounded lookups over the fake API."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

from recbrowser.callbook import CallBook, cached_state, last_session
from recbrowser.errors import NoApiKey, RecBrowserError, Unauthorized
from recbrowser.fakeapi import FakeMagpipe
from recbrowser.history import HistoryStore
from recbrowser.lookups import BoundedLookups, LookupResult, lookup_one
from tests.tui_helpers import NO_RECORDING, PENDING_ONLY, SIMPLE, TRANSFER


def rejected(error: Unauthorized) -> str:
    return f"this face's words for HTTP {error.status}"


async def test_a_newer_lookup_supersedes_an_older_one(fake: FakeMagpipe, make_client) -> None:  # type: ignore[no-untyped-def]
    book = CallBook()
    first = book.start(SIMPLE)
    second = book.start(SIMPLE)
    answer = await lookup_one(make_client(), SIMPLE)
    stale = book.finished(SIMPLE, first, answer)
    assert not stale.current and book.calls[SIMPLE].loading and book.calls[SIMPLE].recordings is None
    assert not book.stopped(SIMPLE, first)  # a superseded lookup that crashed changes nothing either
    fresh = book.finished(SIMPLE, second, answer)
    assert fresh.current and fresh.resolved and fresh.failure is None
    state = book.calls[SIMPLE]
    assert not state.loading and state.recordings is not None and state.counts is not None
    assert state.counts.segments == 1


async def test_a_pending_call_that_turns_synced_says_so_once(fake: FakeMagpipe, make_client) -> None:  # type: ignore[no-untyped-def]
    fake.faults.sync_after_lookups = 1
    client, book = make_client(), CallBook()
    first = book.finished(PENDING_ONLY, book.start(PENDING_ONLY), await lookup_one(client, PENDING_ONLY))
    assert not first.now_synced and book.calls[PENDING_ONLY].has_pending
    assert book.pending() == [PENDING_ONLY]
    second = book.finished(PENDING_ONLY, book.start(PENDING_ONLY), await lookup_one(client, PENDING_ONLY))
    assert second.now_synced and not book.calls[PENDING_ONLY].has_pending
    assert book.pending() == []
    third = book.finished(PENDING_ONLY, book.start(PENDING_ONLY), await lookup_one(client, PENDING_ONLY))
    assert not third.now_synced  # already synced before this answer


async def test_an_answer_is_not_a_failure_but_a_server_error_is(fake: FakeMagpipe, make_client) -> None:  # type: ignore[no-untyped-def]
    client, book = make_client(), CallBook()
    none = book.finished(NO_RECORDING, book.start(NO_RECORDING), await lookup_one(client, NO_RECORDING))
    assert none.failure is None and not none.resolved
    assert book.calls[NO_RECORDING].error is not None and book.calls[NO_RECORDING].error.code == "no_recording"
    fake.faults.fail_500 = 3
    failed = book.finished(SIMPLE, book.start(SIMPLE), await lookup_one(client, SIMPLE))
    assert failed.failure is not None and failed.failure.code == "server_error"
    assert not book.calls[SIMPLE].loading


async def test_a_rejected_key_is_worded_by_the_face_and_its_calls_are_retried_with_a_new_key(
    fake: FakeMagpipe,
    make_client,  # type: ignore[no-untyped-def]
) -> None:
    book = CallBook(rejected_key=rejected)
    book.add([SIMPLE, TRANSFER])
    bad = make_client("mgp_" + "0" * 40)
    book.finished(SIMPLE, book.start(SIMPLE), await lookup_one(bad, SIMPLE))
    error = book.calls[SIMPLE].error
    assert isinstance(error, Unauthorized) and error.message == f"this face's words for HTTP {error.status}"
    book.finished(TRANSFER, book.start(TRANSFER), LookupResult(TRANSFER, error=NoApiKey("No key.")))
    assert book.key_failures() == [SIMPLE, TRANSFER]
    book.start(SIMPLE)  # looked up again already: not retried twice
    assert book.key_failures() == [TRANSFER]


def test_listing_counts_new_and_known_calls_and_skips_those_being_looked_up() -> None:
    book = CallBook()
    first = book.add([SIMPLE, TRANSFER])
    assert (first.new, first.old, first.to_look_up) == (2, 0, [SIMPLE, TRANSFER])
    book.start(SIMPLE)
    again = book.add([TRANSFER, SIMPLE, NO_RECORDING])
    assert (again.new, again.old, again.to_look_up) == (1, 2, [TRANSFER, NO_RECORDING])
    assert list(book.calls) == [SIMPLE, TRANSFER, NO_RECORDING]


def test_a_retry_is_noted_only_on_a_running_lookup_of_a_listed_call() -> None:
    book = CallBook()
    assert book.retrying(SIMPLE, 2, 3, at=10.0) is None  # not listed
    assert book.retrying(None, 2, 3, at=10.0) is None  # a retry about no call
    book.add([SIMPLE])
    assert book.retrying(SIMPLE, 2, 3, at=10.0) is None  # listed, not running
    generation = book.start(SIMPLE)
    state = book.retrying(SIMPLE, 2, 3, at=10.0)
    assert state is not None and state.retry is not None and (state.retry.attempt, state.retry.max_tries) == (2, 3)
    assert book.stopped(SIMPLE, generation)
    assert not state.loading and state.retry is None


async def test_the_last_session_is_restored_from_the_history_with_its_files_and_outcomes(
    fake: FakeMagpipe,
    make_client,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    db = tmp_path / "history.db"
    before = HistoryStore(db, session="before")
    client = make_client()
    for call_id in (TRANSFER, NO_RECORDING):
        await lookup_one(client, call_id, before)
    kept, gone = tmp_path / "kept.wav", tmp_path / "gone.wav"
    kept.write_bytes(b"RIFF")
    before.record_download(TRANSFER, 1, "main", kept, 4)
    before.record_download(TRANSFER, 2, "main", gone, 4)
    before.add_to_session([TRANSFER, NO_RECORDING, SIMPLE], at=time.time())
    before.close()

    now = HistoryStore(db, session=uuid.uuid4().hex)
    try:
        states = last_session(now)
        assert [s.call_id for s in states] == [TRANSFER, NO_RECORDING, SIMPLE]
        transfer, no_recording, never = states
        assert transfer.recordings is not None and transfer.cached_at is not None and transfer.error is None
        assert transfer.local_files == {1: str(kept)}  # a recorded file since deleted is not offered
        assert isinstance(no_recording.error, RecBrowserError) and no_recording.error.code == "no_recording"
        assert never.recordings is None and never.error is None
        assert now.last_session_call_ids() == [TRANSFER, NO_RECORDING, SIMPLE]  # kept for the next start
        assert cached_state(now, TRANSFER).local_files == {1: str(kept)}
    finally:
        now.close()


async def test_a_restored_answer_fills_a_listed_call_without_one_and_never_replaces_a_live_answer(
    fake: FakeMagpipe,
    make_client,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    history = HistoryStore(tmp_path / "history.db", session="s")
    try:
        client = make_client()
        for call_id in (SIMPLE, TRANSFER):
            await lookup_one(client, call_id, history)
        book = CallBook()
        book.add([SIMPLE, TRANSFER])
        live = book.finished(TRANSFER, book.start(TRANSFER), await lookup_one(client, TRANSFER)).state.recordings
        restored = [cached_state(history, c) for c in (SIMPLE, TRANSFER, NO_RECORDING)]
        assert book.restore(restored) == [SIMPLE, TRANSFER, NO_RECORDING]
        assert book.calls[SIMPLE].recordings is not None and book.calls[SIMPLE].cached_at is not None
        assert book.calls[TRANSFER].recordings is live and book.calls[TRANSFER].cached_at is None
        assert list(book.calls) == [SIMPLE, TRANSFER, NO_RECORDING]
    finally:
        history.close()


def test_a_finished_download_is_remembered_on_its_listed_call_only(tmp_path: Path) -> None:
    book = CallBook()
    book.add([SIMPLE])
    state = book.downloaded(SIMPLE, 1, tmp_path / "a.wav")
    assert state is not None and state.local_files == {1: str(tmp_path / "a.wav")}
    assert book.downloaded(TRANSFER, 1, tmp_path / "b.wav") is None


async def test_bounded_lookups_run_at_most_the_limit_at_once(fake: FakeMagpipe, make_client) -> None:  # type: ignore[no-untyped-def]
    fake.faults.latency = 0.3
    client = make_client()
    lookups = BoundedLookups(lambda: client, concurrency=2)
    started = time.monotonic()
    results = await asyncio.gather(*(lookups.lookup(c) for c in (SIMPLE, TRANSFER, PENDING_ONLY, NO_RECORDING)))
    assert time.monotonic() - started >= 2 * 0.3  # four lookups, two at a time: two rounds at least
    assert [r.call_id for r in results] == [SIMPLE, TRANSFER, PENDING_ONLY, NO_RECORDING]


async def test_a_waiting_lookup_takes_the_client_of_the_moment_its_turn_comes(fake: FakeMagpipe, make_client) -> None:  # type: ignore[no-untyped-def]
    fake.faults.latency = 0.3
    clients = [make_client()]
    taken = asyncio.Event()

    def client():  # type: ignore[no-untyped-def]
        taken.set()
        return clients[-1]

    lookups = BoundedLookups(client, concurrency=1)
    first = asyncio.ensure_future(lookups.lookup(SIMPLE))
    waiting = asyncio.ensure_future(lookups.lookup(TRANSFER))
    await taken.wait()  # the first holds the only place (for its 0.3 s answer); the second waits
    clients.append(make_client("mgp_" + "0" * 40))  # e.g. a new key was set meanwhile
    assert (await first).error is None
    result = await waiting
    assert isinstance(result.error, Unauthorized)


async def test_what_to_download_is_the_selected_segment_the_selected_call_or_every_listed_call(  # type: ignore[no-untyped-def]
    fake: FakeMagpipe, make_client
) -> None:
    client, book = make_client(), CallBook()
    for call_id in (SIMPLE, TRANSFER):
        book.finished(call_id, book.start(call_id), await lookup_one(client, call_id))
    book.finished(NO_RECORDING, book.start(NO_RECORDING), await lookup_one(client, NO_RECORDING))
    simple, transfer, empty = book.calls[SIMPLE], book.calls[TRANSFER], book.calls[NO_RECORDING]
    assert simple.recordings is not None and transfer.recordings is not None and empty.recordings is None
    second = transfer.recordings.segments[1]
    assert book.to_download("segment", transfer, second) == [(TRANSFER, second)]
    assert book.to_download("call", transfer, second) == [(TRANSFER, s) for s in transfer.recordings.segments]
    everything = [(SIMPLE, s) for s in simple.recordings.segments] + [
        (TRANSFER, s) for s in transfer.recordings.segments
    ]
    assert book.to_download("all", None, None) == everything
    assert book.to_download("segment", transfer, None) == "No segment selected."
    assert book.to_download("call", empty, None) == "The selected call has no segments to download."
    assert book.to_download("call", None, None) == "The selected call has no segments to download."
    assert CallBook().to_download("all", None, None) == "No looked-up call has segments to download."
