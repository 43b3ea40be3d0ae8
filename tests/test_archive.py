"""The archive core in process: what an interrupted run leaves in the manifest, and a failing listing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

from recbrowser.archive import Archive, ArchiveOptions
from recbrowser.calls import CallFilters, Listed, list_all
from recbrowser.download_queue import DownloadQueue
from recbrowser.downloads import DONE
from recbrowser.errors import ServerError
from recbrowser.fakeapi.samples import MAIN_CALL, TRANSFER_CALL
from recbrowser.manifest import Manifest


def _archive(client, tmp_path: Path, *, save_every: float) -> tuple[Archive, Manifest]:
    manifest = Manifest.load(tmp_path / "out", "jsonl")
    queue = DownloadQueue(records=tmp_path / "records")
    return Archive(client, queue, manifest, ArchiveOptions(tmp_path / "out"), save_every=save_every), manifest


async def test_a_cancelled_archive_saves_the_rows_of_every_finished_file(make_client, tmp_path):
    """No periodic save in this test (an hour apart): the rows reach the file through the save
    every run makes when it ends, here by cancellation while the listing waits."""
    client = make_client()
    archive, manifest = _archive(client, tmp_path, save_every=3600)
    stalled = asyncio.Event()

    async def listing() -> AsyncIterator[Listed]:
        first = [page async for page in list_all(client, CallFilters(), limit=2)]
        for page in first:
            yield page
        await stalled.wait()  # a later page that never comes

    run = asyncio.ensure_future(archive.run(listing()))
    deadline = asyncio.get_running_loop().time() + 15
    while len(manifest.rows) < 5:  # main: 1 segment, transfer: 4
        assert not run.done() and asyncio.get_running_loop().time() < deadline, "five rows within 15 s"
        await asyncio.sleep(0.01)
    assert not (tmp_path / "out" / "manifest.jsonl").exists()
    run.cancel()
    await asyncio.gather(run, return_exceptions=True)
    lines = [json.loads(line) for line in (tmp_path / "out" / "manifest.jsonl").read_text().splitlines()]
    assert sorted((row["call_id"], row["index"]) for row in lines) == sorted(
        [(MAIN_CALL, 1)] + [(TRANSFER_CALL, index) for index in range(1, 5)]
    )


async def test_a_listing_that_fails_midway_still_archives_the_calls_listed_before(make_client, fake, tmp_path):
    client = make_client()
    archive, manifest = _archive(client, tmp_path, save_every=0.05)

    async def listing() -> AsyncIterator[Listed]:
        async for page in list_all(client, CallFilters(), limit=1):
            yield page
        raise ServerError("The server failed.")

    report = await archive.run(listing())
    assert isinstance(report.listing_error, ServerError)
    assert [(item.call_id, item.state) for item in report.items] == [(MAIN_CALL, DONE)]
    assert list(manifest.rows) == [(MAIN_CALL, 1)]
