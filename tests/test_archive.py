"""The archive core in process: what an interrupted run leaves in the manifest, a failing listing,
lookups pipelined with downloads, and kept-alive connections."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from recbrowser.archive import Archive, ArchiveOptions
from recbrowser.calls import CallFilters, Listed, list_all
from recbrowser.download_queue import DownloadQueue
from recbrowser.downloads import DONE
from recbrowser.errors import ServerError
from recbrowser.fakeapi import FakeMagpipe, SampleCall, SegmentSpec
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


def _calls(count: int) -> list[SampleCall]:
    """``count`` calls of two synced segments, an hour apart (the last is the oldest, listed last)."""
    return [
        SampleCall(
            call_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"archive-test-{number}")),
            description=f"call {number}",
            recordings=[SegmentSpec(label="main"), SegmentSpec(label="conversation")],
            started_at=f"2026-03-01T{23 - number:02d}:00:00Z",
            duration=60,
            agent_id="a1f0c3d2-5b4e-4f6a-8c7d-9e0f1a2b3c4d",
            agent_name="Front desk",
            from_number="+14155550100",
            to_number="+14155550101",
        )
        for number in range(count)
    ]


@pytest.fixture
def own_fake() -> Iterator[FakeMagpipe]:
    """A fake of its own: no connection to its recordings host is pooled yet."""
    with FakeMagpipe(calls=_calls(6)) as fake:
        yield fake


async def test_the_first_files_download_while_the_last_lookup_is_still_unanswered(make_client, own_fake, tmp_path):
    last = _calls(6)[-1].call_id
    own_fake.faults.lookup_hold = last
    client = make_client(api_url=own_fake.api_url)
    archive, manifest = _archive(client, tmp_path, save_every=0.05)
    run = asyncio.ensure_future(archive.run(list_all(client, CallFilters(), limit=100)))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15

    def held_and_downloading() -> bool:
        held = any(last.encode() in request.body for request in list(own_fake.requests["api"]))
        return held and len(manifest.rows) >= 2

    while not held_and_downloading():
        assert not run.done() and loop.time() < deadline, "a call's files done while the last lookup is held"
        await asyncio.sleep(0.01)
    assert not any(item.call_id == last for item in archive.report.items)  # its lookup has not answered
    own_fake.faults.lookup_release.set()
    report = await run
    assert sorted(item.state for item in report.items) == [DONE] * 12
    assert len(manifest.rows) == 12


async def test_an_archive_keeps_its_connections_to_the_recordings_host_alive(make_client, own_fake, tmp_path):
    client = make_client(api_url=own_fake.api_url)
    manifest = Manifest.load(tmp_path / "out", "jsonl")
    queue = DownloadQueue(jobs=2, records=tmp_path / "records")
    report = await Archive(client, queue, manifest, ArchiveOptions(tmp_path / "out")).run(
        list_all(client, CallFilters(), limit=100)
    )
    assert sorted(item.state for item in report.items) == [DONE] * 12
    gets = [request for request in own_fake.requests["storage"] if request.method == "GET"]
    assert len(gets) == 12
    assert len({request.client_port for request in gets}) <= 2  # at most one connection per transfer at once
