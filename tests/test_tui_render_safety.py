"""Timestamps near year 1 or 9999 (with an offset) from the API or the history never stop the
app: a value that cannot be shown is "?", the rest of the row and the app carry on."""

from __future__ import annotations

from recbrowser.fakeapi.samples import SegmentSpec
from recbrowser.history import HistoryStore
from recbrowser.models import CallRecordings
from recbrowser.paths import Paths
from recbrowser.tui.widgets.segment_table import COLUMNS
from tests.tui_helpers import look_up, make_app, table_rows, wait_until
from tests.tui_hostile import call_with, fake_serving

EDGE_OF_TIME = "e1a5e000-0000-4000-8000-0000000e1a5e"
EDGES = ("0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00")
SIZE = (120, 36)
LABEL, CREATED = COLUMNS.index("Label"), COLUMNS.index("Created")


def edge_segments() -> list[dict[str, object]]:
    return [
        {"url": f"https://s.example/{n}.wav", "label": f"edge_{n}", "status": "synced", "created_at": created}
        for n, created in enumerate(EDGES, start=1)
    ]


def assert_edge_rows(app) -> None:  # type: ignore[no-untyped-def]
    rows = table_rows(app)
    assert [row[LABEL] for row in rows] == ["Edge 1", "Edge 2"]
    assert all(row[CREATED] for row in rows)  # the time, or "?" where it cannot be shown
    assert app.is_running


async def test_a_cached_call_from_the_edge_of_time_is_restored_on_start(fake) -> None:  # type: ignore[no-untyped-def]
    path = Paths.default().history_db
    earlier = HistoryStore(path, session="earlier")
    earlier.record_lookup(EDGE_OF_TIME, CallRecordings.from_api(EDGE_OF_TIME, {"recordings": edge_segments()}), None)
    earlier.add_to_session([EDGE_OF_TIME])
    earlier.close()

    app = make_app(fake, history=HistoryStore(path, session="now"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.screen.book.calls.get(EDGE_OF_TIME) is not None, "the restore")
        await pilot.pause()
        assert_edge_rows(app)
        await pilot.press("h")  # the history screen shows it too
        await pilot.pause()
        await pilot.press("escape")
        assert app.is_running


async def test_a_live_answer_from_the_edge_of_time_is_shown() -> None:
    segments = [
        SegmentSpec(f"edge_{n}", created_at=created, duration_seconds=5) for n, created in enumerate(EDGES, start=1)
    ]
    with fake_serving(call_with(EDGE_OF_TIME, segments)) as fake:
        app = make_app(fake)
        async with app.run_test(size=SIZE) as pilot:
            await look_up(pilot, EDGE_OF_TIME)
            assert_edge_rows(app)
            await pilot.press("tab", "down", "up")
            assert app.is_running


async def test_a_cell_that_cannot_be_formatted_is_a_question_mark_logged_once(fake) -> None:  # type: ignore[no-untyped-def]
    from rich.text import Text

    from recbrowser.tui.failure import DisplayFailed
    from recbrowser.tui.safe import guarded
    from recbrowser.tui.widgets.segment_table import SegmentTable

    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        failures: list[BaseException] = []
        cells = [guarded(lambda: Text(f"{1 / 0}"), failures) for _ in range(3)]
        assert [cell.plain for cell in cells] == ["?", "?", "?"]
        table = app.screen.query_one(SegmentTable)
        table.post_message(DisplayFailed(failures, where="segments table"))  # as the table does, twice
        table.post_message(DisplayFailed(failures, where="segments table"))
        await pilot.pause()
        assert app.is_running
    log = Paths.default().log_file.read_text()
    assert log.count("ZeroDivisionError: division by zero") == 1
    assert "showing the segments table" in log


async def test_a_download_row_with_absurd_sizes_is_shown_not_fatal(fake, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from recbrowser.downloads import ACTIVE, DownloadItem
    from recbrowser.models import Segment
    from recbrowser.naming import DEFAULT_TEMPLATE, plan
    from recbrowser.tui.widgets.downloads_panel import DownloadsPanel

    segment = Segment(1, "http://127.0.0.1:9/x.wav", "main", None, "signalwire", "synced", None)
    item = DownloadItem(EDGE_OF_TIME, segment, plan(tmp_path, DEFAULT_TEMPLATE, EDGE_OF_TIME, segment), state=ACTIVE)
    item.transfer.total = 10**400  # a 400-digit Content-Length
    item.transfer.done = 5
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.screen.query_one(DownloadsPanel)
        app.downloads.add([item])  # the panel shows what its queue holds
        await pilot.pause()
        assert next(cell.plain for cell in panel.get_row_at(0)).startswith(EDGE_OF_TIME[:8])
        assert app.is_running
