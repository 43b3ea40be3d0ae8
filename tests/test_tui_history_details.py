"""Each call's metadata in the app's history: recorded as get-call answers, searched in the
history screen, and shown offline (marked cached) for calls from the history. Pilot against
the fake over loopback; "offline" is the API URL on a loopback port nothing listens on."""

from __future__ import annotations

from textual.widgets import OptionList

from recbrowser.calls import CallDetails
from recbrowser.fakeapi import DEMO_KEY
from recbrowser.history import HistoryStore
from recbrowser.models import CallRecordings
from recbrowser.paths import Paths
from recbrowser.secret import Secret
from recbrowser.settings import Resolved
from recbrowser.tui.app import RecBrowserApp
from recbrowser.tui.widgets.call_info import CallInfo
from scripts.scenes import FAST_RETRIES
from tests.test_tui_history import history_ids, history_rows, open_history, type_filter
from tests.tui_helpers import NO_RECORDING, SIMPLE, TRANSFER, look_up, make_app, settle, wait_until

SIZE = (120, 36)
T0 = 1_767_225_600.0


def info(app) -> str:
    return str(app.screen.query_one(CallInfo).render())


def transcript(app) -> list[str]:
    listing = app.screen.query_one("#transcript", OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


def offline_app(port: int) -> RecBrowserApp:
    resolved = Resolved(
        api_url=f"http://127.0.0.1:{port}", api_url_source="test", key=Secret(DEMO_KEY), key_source="test"
    )
    return RecBrowserApp(resolved=resolved, client_options=dict(FAST_RETRIES), paths=Paths.default())


def seed(fake, *call_ids: str, session: str | None = None) -> None:
    """Calls looked up and shown earlier: their answers and details as the fake gives them."""
    store = HistoryStore(Paths.default().history_db, session=session)
    try:
        for n, call_id in enumerate(call_ids):
            sample = fake.calls[call_id]
            body = {"recordings": [{"url": f"https://s.example/{call_id}.wav", "label": "main", "status": "synced"}]}
            store.record_lookup(call_id, CallRecordings.from_api(call_id, body), None, at=T0 + n)
            got = {
                "id": call_id,
                "direction": sample.direction,
                "from_number": sample.from_number,
                "to_number": sample.to_number,
                "agent_name": sample.agent_name,
                "call_summary": sample.call_summary,
                "started_at": sample.started_at,
                "transcript": sample.transcript,
            }
            store.record_details(call_id, CallDetails.from_api(got), at=T0 + n)
        store.add_to_session(list(call_ids))
    finally:
        store.close()


async def test_the_app_records_each_calls_metadata_when_get_call_answers(fake):
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        await wait_until(pilot, lambda: app.history.get(SIMPLE).meta is not None, "the details recorded")
        meta = app.history.get(SIMPLE).meta
        sample = fake.calls[SIMPLE]
        assert (meta.agent_name, meta.from_number, meta.summary) == (
            sample.agent_name,
            sample.from_number,
            sample.call_summary,
        )
        assert app.history.cached_details(SIMPLE).details.transcript == sample.transcript
        screen = await open_history(pilot)
        assert history_rows(screen)[0][2:4] == [sample.from_number, sample.agent_name]


async def test_the_history_screen_finds_calls_by_number_agent_and_summary_words(fake):
    seed(fake, SIMPLE, TRANSFER, NO_RECORDING)
    simple, transfer = fake.calls[SIMPLE], fake.calls[TRANSFER]
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        assert history_ids(screen) == [NO_RECORDING, TRANSFER, SIMPLE]
        digits = simple.from_number.lstrip("+")
        await type_filter(pilot, f"{digits[:4]} {digits[4:7]}-{digits[7:]}")
        assert SIMPLE in history_ids(screen) and TRANSFER not in history_ids(screen)
        await type_filter(pilot, simple.agent_name.upper())
        assert SIMPLE in history_ids(screen) and all(
            fake.calls[c].agent_name == simple.agent_name for c in history_ids(screen)
        )
        word = max(transfer.call_summary.split(), key=len).strip(".,")
        await type_filter(pilot, word)
        assert TRANSFER in history_ids(screen) and SIMPLE not in history_ids(screen)


async def test_a_history_entry_opened_offline_shows_its_cached_details_and_transcript(fake, closed_port):
    seed(fake, SIMPLE)
    sample = fake.calls[SIMPLE]
    app = offline_app(closed_port)
    async with app.run_test(size=SIZE) as pilot:
        await open_history(pilot)
        await pilot.press("enter")
        await settle(pilot)  # the look-up again fails: the API cannot be reached
        assert app.screen.book.calls[SIMPLE].error is not None
        assert sample.agent_name in info(app) and "cached" in info(app)
        assert transcript(app)[0].startswith(sample.transcript.split(":")[0])


async def test_the_last_session_restored_offline_shows_cached_details(fake, closed_port):
    seed(fake, SIMPLE, session="earlier")
    app = offline_app(closed_port)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: SIMPLE in app.screen.book.calls, "the last session restored")
        await settle(pilot)
        assert fake.calls[SIMPLE].agent_name in info(app) and "cached" in info(app)


async def test_a_call_typed_offline_gets_its_cached_details_without_a_request(fake, closed_port):
    seed(fake, SIMPLE)
    app = offline_app(closed_port)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        assert fake.calls[SIMPLE].agent_name in info(app) and "cached" in info(app)


async def test_get_call_failing_shows_the_cached_details_and_why_they_are_not_fresh(fake):
    seed(fake, SIMPLE)
    fake.faults.get_call_error = 100  # every try of get-call; the lookup is unaffected
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        text = info(app)
        assert fake.calls[SIMPLE].agent_name in text and "cached" in text and "✗ Not refreshed" in text
        fake.faults.get_call_error = 0
        await pilot.press("r")
        await settle(pilot)
        assert "cached" not in info(app) and "Not refreshed" not in info(app)


async def test_a_call_not_found_is_never_shown_with_cached_details(fake):
    from recbrowser.fakeapi.samples import UNKNOWN_CALL

    store = HistoryStore(Paths.default().history_db)
    try:
        store.record_details(UNKNOWN_CALL, CallDetails.from_api({"id": UNKNOWN_CALL, "agent_name": "Ghost"}))
    finally:
        store.close()
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await open_history(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "Ghost" not in info(app)
        assert app.screen.book.calls[UNKNOWN_CALL].details is None
