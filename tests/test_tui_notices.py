"""Toasts only for what needs the user: retries show in the call's row and header, repeats
collapse, and a toast about calls that have since succeeded is withdrawn (issue 10, item 9)."""

from __future__ import annotations

from recbrowser.fakeapi import FakeMagpipe
from recbrowser.tui.widgets.call_header import CallHeader
from recbrowser.tui.widgets.call_list import CallList
from tests.test_tui_downloads import wait_until
from tests.tui_helpers import PENDING_ONLY, SIMPLE, TRANSFER, make_app, settle

SIZE = (120, 36)


def toasts(app) -> list[tuple[str, str]]:
    return [(n.title, n.message) for n in app._notifications]


def row_of(app, call_id: str) -> str:
    return app.screen.query_one(CallList).get_option(call_id).prompt.plain


async def enter(pilot, text: str) -> None:
    await pilot.press("slash")
    pilot.app.screen.query_one("#ids").value = text
    await pilot.press("enter")


async def refresh(pilot, call_id: str) -> None:
    """Select the call in the list and press r, as a user would, then wait for its answer."""
    pilot.app.screen.query_one(CallList).select_call(call_id)
    await pilot.press("r")
    await settle(pilot)


async def test_a_retry_shows_in_the_calls_row_and_header_and_no_toast_is_left(fake: FakeMagpipe) -> None:
    fake.faults.rate_limit = 1
    fake.faults.retry_after = 2
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter(pilot, SIMPLE)
        state = app.screen.book.calls[SIMPLE]
        await wait_until(pilot, lambda: getattr(state, "retry", None) is not None, "the retry")
        await pilot.pause()
        assert "retry 2/3" in row_of(app, SIMPLE)
        header = str(app.screen.query_one(CallHeader).render())
        assert "retrying (2/3) in " in header and " in 0 s" not in header
        assert toasts(app) == []
        await settle(pilot)
        assert state.retry is None and state.recordings is not None
        assert "retry" not in row_of(app, SIMPLE) and "retrying" not in str(app.screen.query_one(CallHeader).render())
        assert toasts(app) == []


async def test_one_failure_of_many_calls_is_one_toast_withdrawn_once_they_all_succeed(fake: FakeMagpipe) -> None:
    calls = [SIMPLE, TRANSFER, PENDING_ONLY]
    fake.faults.fail_500 = 3 * len(calls)  # every try of every call
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter(pilot, " ".join(calls))
        await settle(pilot)
        assert all(app.screen.book.calls[c].error is not None for c in calls)
        assert len(toasts(app)) == 1, toasts(app)
        (toast,) = toasts(app)
        assert toast[0] == "3 calls" and "500" in toast[1]
        fake.faults.fail_500 = 0
        await refresh(pilot, SIMPLE)
        assert len(toasts(app)) == 1  # two calls still fail
        for call_id in calls[1:]:
            await refresh(pilot, call_id)
        assert toasts(app) == []  # obsolete: every call it was about has an answer now


async def test_calls_without_a_recording_are_said_in_their_rows_not_in_toasts(fake: FakeMagpipe) -> None:
    from tests.tui_helpers import NO_RECORDING, OTHER_ACCOUNT

    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await enter(pilot, f"{NO_RECORDING} {OTHER_ACCOUNT} {SIMPLE}")
        await settle(pilot)
        assert "no rec." in row_of(app, NO_RECORDING) and "not found" in row_of(app, OTHER_ACCOUNT)
        assert toasts(app) == []


async def test_a_repeat_in_the_same_tick_replaces_the_toast_instead_of_stacking(fake: FakeMagpipe) -> None:
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        for call_id in (SIMPLE, TRANSFER, PENDING_ONLY):
            app.toasts.show(
                "lookup:boom", "boom", title="Call", severity="error", call_id=call_id, many="{count} calls"
            )
        await pilot.pause()
        assert toasts(app) == [("3 calls", "boom")]
        app.toasts.resolved(SIMPLE)
        app.toasts.resolved(TRANSFER)
        assert toasts(app) == [("3 calls", "boom")]
        app.toasts.resolved(PENDING_ONLY)
        await pilot.pause()
        assert toasts(app) == []
