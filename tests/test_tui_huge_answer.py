"""A call with tens of thousands of segments: the table lists the first SHOWN_ROWS and says how
many more there are, the header counts them all, and switching calls stays quick."""

from __future__ import annotations

import time

from recbrowser.fakeapi.samples import SegmentSpec
from recbrowser.tui.widgets.call_header import CallHeader
from recbrowser.tui.widgets.call_list import CallList
from recbrowser.tui.widgets.segment_table import SHOWN_ROWS, SegmentDetail, SegmentTable
from tests.tui_helpers import look_up, make_app, notifications, table_rows, wait_until
from tests.tui_hostile import call_with, fake_serving

BIG = "b16ca110-0000-4000-8000-00000000b16a"
BIGGER = "b16ca110-0000-4000-8000-00000000b16b"
SEGMENTS = 20_000
SIZE = (120, 36)
SWITCH_GUARD = 5.0  # seconds; a guard against a table of every row (10 s and more), not a benchmark;
# generous because the suite runs two workers per core


def many(count: int) -> list[SegmentSpec]:
    return [SegmentSpec("leg", "synced" if n % 3 else "pending_sync", duration_seconds=60) for n in range(count)]


async def test_a_huge_call_lists_the_first_rows_then_says_how_many_more() -> None:
    with fake_serving(call_with(BIG, many(SEGMENTS)), call_with(BIGGER, many(SEGMENTS + 1))) as fake:
        app = make_app(fake)
        async with app.run_test(size=SIZE) as pilot:
            await look_up(pilot, f"{BIG} {BIGGER}")
            table = app.screen.query_one(SegmentTable)
            await wait_until(pilot, lambda: table.row_count == SHOWN_ROWS + 1, "the rest of the rows", timeout=30)
            rows = table_rows(app)
            assert rows[-1][2] == f"{SEGMENTS - SHOWN_ROWS:,} more segments"
            assert [row[0] for row in rows[:3]] == ["1", "2", "3"]
            header = str(app.screen.query_one(CallHeader).render())
            assert f"{SEGMENTS} segments · 333:20:00 · 13333 synced · 6667 pending" in header

            table.focus()
            table.move_cursor(row=SHOWN_ROWS)
            await pilot.pause()
            detail = str(app.screen.query_one(SegmentDetail).render())
            assert f"{SEGMENTS - SHOWN_ROWS:,} more segments are not listed here: D downloads every segment" in detail
            await pilot.press("d")
            assert notifications(app)[-1] == "No segment selected."

            app.screen.query_one(CallList).focus()
            for expected in (BIGGER, BIG, BIGGER):
                started = time.monotonic()
                await pilot.press("down" if expected == BIGGER else "up")
                await pilot.pause()
                assert time.monotonic() - started < SWITCH_GUARD
                assert app.screen.query_one(CallList).current_call_id == expected
                count = SEGMENTS + (expected == BIGGER)
                assert f"{count} segments" in str(app.screen.query_one(CallHeader).render())
            await wait_until(pilot, lambda: table.row_count == SHOWN_ROWS + 1, "the rest of the rows", timeout=30)
            assert table_rows(app)[-1][2] == f"{SEGMENTS + 1 - SHOWN_ROWS:,} more segments"


HUGE = 100_000
SMALL = "b16ca110-0000-4000-8000-00000000b16c"


async def test_a_call_of_100000_segments_shows_its_count_its_first_rows_and_its_last_row() -> None:
    with fake_serving(call_with(BIG, many(HUGE)), call_with(SMALL, many(3))) as fake:
        app = make_app(fake)
        async with app.run_test(size=SIZE) as pilot:
            await look_up(pilot, f"{BIG} {SMALL}")
            table = app.screen.query_one(SegmentTable)
            header = str(app.screen.query_one(CallHeader).render())
            assert f"{HUGE} segments · 1666:40:00 · 66666 synced · 33334 pending" in header
            assert [row[:2] for row in table_rows(app)[:3]] == [
                ["1", "◐ pending"],
                ["2", "● synced"],
                ["3", "● synced"],
            ]

            table.focus()
            await pilot.press("pagedown")
            assert table.cursor_row > 3
            await wait_until(pilot, lambda: table.row_count == SHOWN_ROWS + 1, "the rest of the rows", timeout=30)
            await pilot.press("ctrl+end")  # the table's last row
            await pilot.pause()
            assert table.cursor_row == SHOWN_ROWS
            assert table_rows(app)[-1][2] == f"{HUGE - SHOWN_ROWS:,} more segments"
            detail = str(app.screen.query_one(SegmentDetail).render())
            assert f"{HUGE - SHOWN_ROWS:,} more segments are not listed here" in detail
            await pilot.press("up")
            assert table.cursor_row == SHOWN_ROWS - 1
            assert f"/{SHOWN_ROWS}.wav" in str(app.screen.query_one(SegmentDetail).render())

            # The whole answer is in the history once shown, so it is there offline too.
            cached = app.history.cached(BIG)
            assert cached is not None and len(cached.recordings.segments) == HUGE
            assert cached.recordings.segments[-1].index == HUGE


async def test_switching_between_a_huge_call_and_a_small_one_shows_each_ones_rows() -> None:
    with fake_serving(call_with(BIG, many(HUGE)), call_with(SMALL, many(3))) as fake:
        app = make_app(fake)
        async with app.run_test(size=SIZE) as pilot:
            await look_up(pilot, f"{BIG} {SMALL}")
            table = app.screen.query_one(SegmentTable)
            calls = app.screen.query_one(CallList)
            calls.focus()
            for expected, count in ((SMALL, 3), (BIG, HUGE), (SMALL, 3), (BIG, HUGE)):
                await pilot.press("down" if expected == SMALL else "up")
                await pilot.pause()
                assert calls.current_call_id == expected
                assert f"{count} segments" in str(app.screen.query_one(CallHeader).render())
                rows = table_rows(app)
                assert [row[0] for row in rows[:3]] == ["1", "2", "3"]
                url = app.screen.book.calls[expected].recordings.segments[0].url
                assert url in str(app.screen.query_one(SegmentDetail).render()).replace("\n", "")
                if expected == SMALL:
                    assert len(rows) == 3
            await wait_until(pilot, lambda: table.row_count == SHOWN_ROWS + 1, "the rest of the rows", timeout=30)
            assert table_rows(app)[SHOWN_ROWS - 1][0] == str(SHOWN_ROWS)
