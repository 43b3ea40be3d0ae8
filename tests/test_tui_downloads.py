"""Downloads in the Textual browser (d, D, x, o), driven with Pilot against the fake over loopback."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from recbrowser.downloads import ACTIVE, CANCELLED, DONE, DownloadItem
from recbrowser.fakeapi import FakeMagpipe, big_sha256, segment_wav
from recbrowser.fetch import fetch
from recbrowser.fetchoptions import FetchOptions
from recbrowser.models import Segment
from recbrowser.tui.screens.browser import BrowserScreen
from recbrowser.tui.widgets.downloads import Downloads
from recbrowser.tui.widgets.downloads_panel import DownloadsPanel
from recbrowser.tui.widgets.segment_table import COLUMNS
from tests.files import sha256_of, wait_for_text
from tests.tui_helpers import (
    SIMPLE,
    TRANSFER,
    look_up,
    make_app,
    notifications,
    recording_player,
    settle,
    table_rows,
    wait_until,
)

SIZE = (120, 36)
FILE_COLUMN = COLUMNS.index("File")


def queue_items(app) -> dict[str, DownloadItem]:
    """The app's download queue (what the downloads panel shows), by ``call_id:index``."""
    return app.downloads.items


async def queued(pilot, key: str) -> DownloadItem:
    """The queue's item for ``key``, once the request for it has been planned (in a worker)."""
    await wait_until(pilot, lambda: key in queue_items(pilot.app), f"{key} to be queued")
    return queue_items(pilot.app)[key]


def big_segment(fake: FakeMagpipe, index: int, size: int) -> Segment:
    return Segment(index, f"{fake.storage_url}/big/{size}", "main", None, "signalwire", "synced", None)


def storage_gets(fake: FakeMagpipe) -> list:
    return [r for r in list(fake.requests["storage"]) if r.method == "GET"]


async def test_d_downloads_the_selected_segment_and_the_table_marks_it(fake: FakeMagpipe, isolated_paths: Path) -> None:
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        await pilot.press("tab")
        assert table_rows(app)[0][FILE_COLUMN] == "—"
        await pilot.press("d")
        await settle(pilot)
        expected = isolated_paths / "downloads" / "recbrowser" / SIMPLE / "01-main.wav"
        assert app.download_dir == expected.parent.parent
        assert expected.read_bytes() == segment_wav(SIMPLE, 1)
        assert table_rows(app)[0][FILE_COLUMN] == "✓ 01-main.wav"
        (item,) = queue_items(app).values()
        assert item.state == DONE
        assert any("Downloading 1 file to" in m for m in notifications(app))
    assert all(header is None for header in fake.auth_headers("storage"))


async def test_shift_d_downloads_every_segment_of_the_call(fake: FakeMagpipe) -> None:
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, TRANSFER)
        await pilot.press("tab")
        await pilot.press("D")
        await settle(pilot)
        names = [row[FILE_COLUMN] for row in table_rows(app)]
        assert names == [
            "✓ 01-main.wav",
            "✓ 02-transferee_consult.wav",
            "✓ 03-transfer_conference.wav",
            "✓ 04-back_to_agent.wav",
        ]
        for index in range(1, 5):
            path = next((app.download_dir / TRANSFER).glob(f"0{index}-*.wav"))
            assert path.read_bytes() == segment_wav(TRANSFER, index)
        assert sorted(i.state for i in queue_items(app).values()) == [DONE] * 4
    assert all(header is None for header in fake.auth_headers("storage"))


async def test_opening_a_downloaded_segment_plays_the_local_file(
    fake: FakeMagpipe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = recording_player(tmp_path, monkeypatch)
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        await pilot.press("tab")
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        local = app.download_dir / SIMPLE / "01-main.wav"
    assert wait_for_text(record) == str(local)


def test_x_is_the_cancel_download_key() -> None:
    assert any(b.key == "x" and b.action == "cancel_download" for b in BrowserScreen.BINDINGS)


async def test_a_cancelled_download_keeps_its_partial_which_a_later_fetch_resumes(fake: FakeMagpipe) -> None:
    size = 256 * 1024 * 1024
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        await pilot.press("tab")  # the selected segment is #1, which the big download stands in for
        screen = app.screen
        screen.query_one(Downloads).download([(SIMPLE, big_segment(fake, 1, size))])
        item = await queued(pilot, f"{SIMPLE}:1")
        await wait_until(pilot, lambda: item.state == ACTIVE and item.transfer.done > 0, "the transfer to start")
        screen.action_cancel_download()  # what `x` does, called in the same tick so the transfer cannot finish first
        assert item.cancel_event.is_set()
        await settle(pilot)
        assert item.state == CANCELLED
        assert any("partial file is kept" in m for m in notifications(app))
        assert not any("failed" in m for m in notifications(app))
        assert table_rows(app)[0][FILE_COLUMN] == "—"
    part = item.planned.part
    kept = part.stat().st_size
    assert 0 < kept < size and not item.planned.path.exists()
    try:
        result = await asyncio.to_thread(fetch, item.url, item.planned, options=FetchOptions(backoff_base=0.001))
        resumed = storage_gets(fake)[-1]
        assert resumed.headers["range"] == f"bytes={kept}-"
        assert resumed.headers["if-range"] == f'"big-{size}"'
        assert result.bytes == size and sha256_of(result.path) == big_sha256(size)
    finally:
        for leftover in (item.planned.path, part):
            leftover.unlink(missing_ok=True)


async def test_a_lookup_during_a_download_neither_cancels_it_nor_is_cancelled(fake: FakeMagpipe) -> None:
    size = 128 * 1024 * 1024
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        await pilot.press("tab")
        screen = app.screen
        screen.query_one(Downloads).download([(SIMPLE, big_segment(fake, 2, size))])
        item = await queued(pilot, f"{SIMPLE}:2")
        await wait_until(pilot, lambda: item.state == ACTIVE and item.transfer.done > 0, "the transfer to start")
        fake.faults.latency = 0.2
        screen.action_refresh()  # what `r` does: look the same call up again while its download runs
        screen.lookup([TRANSFER])  # and a new call
        assert screen.book.calls[SIMPLE].loading and screen.book.calls[TRANSFER].loading and item.state == ACTIVE
        await settle(pilot)
        assert item.state == DONE, item.error
        assert fake.lookup_count(SIMPLE) == 2 and fake.lookup_count(TRANSFER) == 1
        for call_id in (SIMPLE, TRANSFER):
            state = screen.book.calls[call_id]
            assert not state.loading and state.error is None and state.recordings is not None
    try:
        assert item.path.stat().st_size == size and sha256_of(item.path) == big_sha256(size)
    finally:
        item.path.unlink(missing_ok=True)


async def test_a_download_started_during_a_slow_lookup_completes_with_it(fake: FakeMagpipe) -> None:
    app = make_app(fake)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        await pilot.press("tab")
        fake.faults.latency = 0.3
        screen = app.screen
        screen.action_refresh()  # `r`
        screen.action_download("segment")  # `d`, on the segment as shown before the refresh
        item = await queued(pilot, f"{SIMPLE}:1")
        assert screen.book.calls[SIMPLE].loading  # queued (and maybe done) while the lookup still runs
        await settle(pilot)
        assert item.state == DONE
        assert not screen.book.calls[SIMPLE].loading and screen.book.calls[SIMPLE].error is None
        assert (app.download_dir / SIMPLE / "01-main.wav").read_bytes() == segment_wav(SIMPLE, 1)
        assert table_rows(app)[0][FILE_COLUMN] == "✓ 01-main.wav"


async def test_at_80x24_every_segment_stays_in_view_with_the_downloads_panel_open(
    fake: FakeMagpipe, isolated_paths: Path
) -> None:
    app = make_app(fake)
    async with app.run_test(size=(80, 24)) as pilot:
        await look_up(pilot, TRANSFER)
        await pilot.press("tab", "D")
        await settle(pilot)
        await wait_until(pilot, lambda: all(i.state == DONE for i in queue_items(app).values()), "the downloads")
        await pilot.pause()
        assert app.screen.query_one(DownloadsPanel).display
        table = app.screen.query_one("#segments")
        assert table.row_count == 4
        assert table.scrollable_content_region.height - table.header_height >= table.row_count
        # ...and the File column, with its ✓ marks, starts inside the visible width.
        columns = list(table.columns.values())
        file_starts_at = sum(c.get_render_width(table) for c in columns[: COLUMNS.index("File")])
        assert file_starts_at + 2 < table.scrollable_content_region.width
        assert all(row[FILE_COLUMN].startswith("✓ ") for row in table_rows(app))


async def test_the_app_records_completed_downloads_where_its_paths_say(fake: FakeMagpipe, tmp_path: Path) -> None:
    """The demo's records stay in its temporary folder, never the user's state dir."""
    from recbrowser.paths import Paths

    records = tmp_path / "demo-records"
    paths = Paths(tmp_path / "c", tmp_path / "d", tmp_path / "dl", state_dir=tmp_path / "s", records_dir=records)
    default_records = Paths.default().download_records
    app = make_app(fake, paths=paths)
    async with app.run_test(size=SIZE) as pilot:
        await look_up(pilot, SIMPLE)
        await pilot.press("tab", "d")
        await settle(pilot)
        assert (tmp_path / "dl" / SIMPLE / "01-main.wav").read_bytes() == segment_wav(SIMPLE, 1)
    assert len(list(records.glob("*.json"))) == 1
    assert not default_records.exists()


async def test_in_the_demo_downloads_say_their_folder_is_temporary(fake: FakeMagpipe) -> None:
    from recbrowser.tui.welcome import demo_welcome

    app = make_app(fake, welcome=demo_welcome())
    async with app.run_test(size=SIZE) as pilot:
        assert "deleted when the demo ends" in str(app.screen.query_one("#welcome").render())
        await look_up(pilot, SIMPLE)
        await pilot.press("tab", "d")
        await settle(pilot)
        assert any("a temporary folder deleted when the demo ends" in m for m in notifications(app))
