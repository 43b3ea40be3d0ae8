"""Layout at 120x36, 80x24 and 60x20: columns fitted to the width, one-line header, the
downloads panel's state and detail line (issue 10, items 8 and 16)."""

from __future__ import annotations

from recbrowser.downloads import ACTIVE, CANCELLED, DONE
from recbrowser.fakeapi import FakeMagpipe, segment_wav
from recbrowser.formatting import local_zone
from recbrowser.tui.widgets.call_header import CallHeader
from recbrowser.tui.widgets.downloads import Downloads
from recbrowser.tui.widgets.downloads_panel import DownloadDetail, DownloadsPanel
from recbrowser.tui.widgets.segment_table import SegmentDetail, SegmentTable
from tests.test_tui_downloads import big_segment, queue_items, queued
from tests.tui_helpers import SIMPLE, TRANSFER, look_up, make_app, notifications, screen_text, settle, wait_until


def columns_of(table) -> dict[str, int]:
    """Each shown column's title and its width on screen (padding included)."""
    return {column.label.plain: column.get_render_width(table) for column in table.columns.values()}


def fits(table) -> bool:
    return sum(columns_of(table).values()) <= table.scrollable_content_region.width and table.max_scroll_x == 0


async def download_call(pilot, call_id: str) -> None:
    app = pilot.app
    app.screen.query_one(SegmentTable).focus()
    await pilot.press("D")
    await settle(pilot)
    await wait_until(pilot, lambda: all(i.state == DONE for i in queue_items(app).values()), "the downloads")
    await pilot.pause()


async def test_at_120_columns_every_column_stays_whole_after_downloads_and_shrinks_back(fake: FakeMagpipe) -> None:
    app = make_app(fake)
    async with app.run_test(size=(120, 36)) as pilot:
        await look_up(pilot, f"{SIMPLE} {TRANSFER}")
        await pilot.press("down")  # TRANSFER
        await download_call(pilot, TRANSFER)
        table = app.screen.query_one(SegmentTable)
        created = f"Created ({local_zone()})" if local_zone() else "Created"
        assert list(columns_of(table)) == ["#", "Status", "Label", "Length", "File", "Source", created]
        assert fits(table), columns_of(table)
        assert columns_of(table)[created] >= len("2026-03-02 10:34") + 2  # never "Crea" / "2026"
        shown = "\n".join(screen_text(app))
        assert created in shown and "signalwire" in shown
        # A call with short cells: the columns shrink back to them.
        app.screen.query_one("#calls").focus()
        await pilot.press("up")
        await pilot.pause()
        assert app.screen.selected_call.call_id == SIMPLE
        assert columns_of(table)["File"] == len("File") + 2
        assert fits(table)


async def test_at_80x24_the_url_wraps_whole_the_pending_note_shows_and_downloads_keep_their_state(
    fake: FakeMagpipe,
) -> None:
    app = make_app(fake)
    async with app.run_test(size=(80, 24)) as pilot:
        await look_up(pilot, TRANSFER)
        await download_call(pilot, TRANSFER)
        await pilot.press("down", "down")  # segment 3: pending
        await pilot.pause()
        segment = app.screen.selected_segment
        assert segment.is_pending
        detail = app.screen.query_one(SegmentDetail)
        lines = str(detail.render()).splitlines()
        assert detail.size.height == len(lines)  # nothing cut off below
        assert "".join(lines[:-1]) == f"URL {segment.url}"
        assert lines[-1].startswith("Pending:")
        table = app.screen.query_one(SegmentTable)
        assert fits(table)
        panel = app.screen.query_one(DownloadsPanel)
        assert "State" in columns_of(panel) and sum(columns_of(panel).values()) <= panel.size.width
        shown = screen_text(app)
        assert any("Pending:" in line for line in shown)
        assert (
            sum(" done" in line for line in shown) >= 2
        )  # the panel's State column, on screen (a toast may cover a row)


async def test_at_60x20_segment_rows_stay_in_view_with_the_downloads_panel_open(fake: FakeMagpipe) -> None:
    app = make_app(fake)
    async with app.run_test(size=(60, 20)) as pilot:
        await look_up(pilot, f"{SIMPLE} {TRANSFER}")
        await pilot.press("down")
        await download_call(pilot, TRANSFER)
        assert app.screen.query_one(DownloadsPanel).display
        assert app.screen.query_one(CallHeader).size.height == 1
        table = app.screen.query_one(SegmentTable)
        assert table.scrollable_content_region.height - table.header_height >= 2
        assert fits(table)
        shown = "\n".join(screen_text(app))
        assert "Main Call" in shown or "Main …" in shown or "Main C…" in shown
        # A pending segment's longer detail makes the table shorter: its row stays in view.
        await pilot.press("down", "down")
        await pilot.pause()
        assert app.screen.selected_segment.is_pending
        visible = table.scrollable_content_region.height - table.header_height
        assert table.scroll_y <= table.cursor_row < table.scroll_y + visible


async def test_the_header_keeps_one_line_and_the_table_its_place_during_a_refresh(fake: FakeMagpipe) -> None:
    app = make_app(fake)
    async with app.run_test(size=(80, 24)) as pilot:
        await look_up(pilot, TRANSFER)
        header = app.screen.query_one(CallHeader)
        table = app.screen.query_one(SegmentTable)
        top = table.region.y
        assert header.size.height == 1
        fake.faults.latency = 1.0
        await pilot.press("r")
        await wait_until(pilot, lambda: app.screen.book.calls[TRANSFER].loading, "the refresh")
        await pilot.pause()
        assert "looking up" in str(header.render())
        assert header.size.height == 1 and table.region.y == top
        fake.faults.latency = 0.0
        await settle(pilot)
        assert header.size.height == 1 and table.region.y == top


async def test_downloading_a_call_again_counts_the_files_already_complete(fake: FakeMagpipe) -> None:
    app = make_app(fake)
    async with app.run_test(size=(120, 36)) as pilot:
        await look_up(pilot, TRANSFER)
        await pilot.press("tab", "d")  # segment 1 alone
        await settle(pilot)
        await wait_until(pilot, lambda: all(i.state == DONE for i in queue_items(app).values()), "the first download")
        await pilot.press("D")
        await settle(pilot)
        assert any(
            m.startswith("Downloading 3 files to ") and m.endswith("(1 already complete).") for m in notifications(app)
        )
        await pilot.press("D")
        await settle(pilot)
        assert "Nothing to download: all 4 files are already complete." in notifications(app)


async def test_a_finished_download_shows_its_average_speed_and_the_detail_line_its_whole_story(
    fake: FakeMagpipe,
) -> None:
    app = make_app(fake)
    async with app.run_test(size=(120, 36)) as pilot:
        await look_up(pilot, SIMPLE)
        await download_call(pilot, SIMPLE)
        panel = app.screen.query_one(DownloadsPanel)
        row = dict(zip(columns_of(panel), (cell.plain for cell in panel.get_row_at(0)), strict=False))
        assert row["State"] == "done"
        assert row["Speed"].endswith("/s")  # the average, not "—"
        detail = app.screen.query_one(DownloadDetail)
        assert not detail.display
        panel.focus()
        await pilot.pause()
        assert detail.display
        text = str(detail.render())
        assert text.startswith("#1 done: 46.9 KiB at ") and text.endswith("01-main.wav")


async def test_a_cancelled_download_says_one_word_in_its_row_and_the_whole_message_below(fake: FakeMagpipe) -> None:
    app = make_app(fake)
    async with app.run_test(size=(80, 24)) as pilot:
        await look_up(pilot, SIMPLE)
        await pilot.press("tab")
        screen = app.screen
        screen.query_one(Downloads).download([(SIMPLE, big_segment(fake, 1, 256 * 1024 * 1024))])
        item = await queued(pilot, f"{SIMPLE}:1")
        await wait_until(pilot, lambda: item.state == ACTIVE and item.transfer.done > 0, "the transfer to start")
        screen.action_cancel_download()
        await settle(pilot)
        assert item.state == CANCELLED
        panel = screen.query_one(DownloadsPanel)
        assert panel.get_row_at(0)[-1].plain == "cancelled"
        panel.focus()
        await pilot.pause()
        assert str(screen.query_one(DownloadDetail).render()).startswith(
            "#1 cancelled: Cancelled; the partial file is kept for a later resume."
        )


def test_natural_widths_from_distinct_values_match_every_rows_cells() -> None:
    from recbrowser.models import CallRecordings
    from recbrowser.tui.cells import natural_widths, segment_cells

    answer = {
        "recordings": [
            {
                "url": f"https://x/{i}.wav",
                "label": ["main", "transfer_conference", "a/b\\c" * 9][i % 3],
                "duration_seconds": [5, 7265, None][i % 3],
                "source": ["signalwire", None, "x" * 30][i % 3],
                "status": ["synced", "pending_sync", "archived"][i % 3],
                "created_at": "2026-03-02T10:34:25Z",
            }
            for i in range(1, 120)
        ]
    }
    segments = CallRecordings.from_api(SIMPLE, answer).segments
    local_files = {2: "/d/02-a-rather-long-file-name.wav", 7: "/d/07-x.wav"}
    rows = [segment_cells(s, local_files.get(s.index)) for s in segments]
    assert natural_widths(segments, local_files) == [max(row[i].cell_len for row in rows) for i in range(7)]


async def test_a_downloaded_file_changed_since_is_downloaded_again_not_counted_complete(fake: FakeMagpipe) -> None:
    app = make_app(fake)
    async with app.run_test(size=(120, 36)) as pilot:
        await look_up(pilot, SIMPLE)
        await pilot.press("tab", "d")
        await settle(pilot)
        await wait_until(pilot, lambda: all(i.state == DONE for i in queue_items(app).values()), "the first download")
        (item,) = queue_items(app).values()
        item.path.write_bytes(item.path.read_bytes()[:100])  # truncated since
        await pilot.press("d")
        await settle(pilot)
        assert any(
            m.startswith("Downloading 1 file to ") and m.endswith(".") and "already complete" not in m
            for m in notifications(app)
        )
        await wait_until(pilot, lambda: item.path.read_bytes() == segment_wav(SIMPLE, 1), "the file downloaded again")
