"""The download queue (recbrowser.download_queue) driven directly, with no Textual, against the
fake over loopback: what a request queues, the jobs bound across batches, cancel, stop,
finished times and what the listeners hear."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from recbrowser.download_queue import DownloadQueue, downloading_note, key_of
from recbrowser.downloads import ACTIVE, CANCELLED, DONE, FAILED, DownloadItem, UnexpectedFailure
from recbrowser.fakeapi import FakeMagpipe, segment_wav
from recbrowser.models import Segment

MAIN = "7f3d8e00-a1b2-4c3d-9e4f-567890abcdef"
TRANSFER = "2a6c1f4e-8b3d-4e5f-a071-1c2d3e4f5a60"


class Heard:
    """A listener that keeps every (change, key, state) it is told."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, str]] = []

    def __call__(self, change: str, item: DownloadItem) -> None:
        self.events.append((change, key_of(item.call_id, item.segment.index), item.state))


async def until(condition, what: str, timeout: float = 10.0) -> None:
    """Let the loop run until ``condition()`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


async def wanted_of(client, call_id: str) -> list[tuple[str, Segment]]:
    return [(call_id, segment) for segment in (await client.get_recordings(call_id)).segments]


async def test_a_request_queues_only_what_is_not_complete_and_says_how_much_was(
    fake: FakeMagpipe, make_client, tmp_path: Path
) -> None:
    client = make_client()
    queue = DownloadQueue(records=tmp_path / "records")
    wanted = await wanted_of(client, TRANSFER)
    first = await queue.request(wanted[:1], tmp_path / "dl")
    assert (len(first.items), first.complete, first.problems) == (1, 0, [])
    assert first.note("~/dl") == "Downloading 1 file to ~/dl."
    await queue.run_all(first.items, client=client)
    assert (tmp_path / "dl" / TRANSFER / "01-main.wav").read_bytes() == segment_wav(TRANSFER, 1)

    again = await queue.request(wanted, tmp_path / "dl")
    assert [item.segment.index for item in again.items] == [2, 3, 4] and again.complete == 1
    assert again.note("~/dl") == "Downloading 3 files to ~/dl (1 already complete)."
    await queue.run_all(again.items, client=client)
    assert all(item.state == DONE for item in queue.items.values()) and len(queue.items) == 4

    (tmp_path / "dl" / TRANSFER / "01-main.wav").write_bytes(b"truncated")
    last = await queue.request(wanted, tmp_path / "dl")
    assert [item.segment.index for item in last.items] == [1] and last.complete == 3


def test_the_note_says_nothing_when_there_is_nothing() -> None:
    assert downloading_note(0, 0, "x") == ""
    assert downloading_note(0, 1, "x") == "Nothing to download: the file is already complete."
    assert downloading_note(0, 4, "x") == "Nothing to download: all 4 files are already complete."


async def test_the_listener_hears_each_item_added_started_and_finished(
    fake: FakeMagpipe, make_client, tmp_path: Path
) -> None:
    client = make_client()
    queue = DownloadQueue(records=tmp_path / "records")
    heard = Heard()
    queue.subscribe(heard)
    request = await queue.request((await wanted_of(client, MAIN))[:1], tmp_path)
    key = key_of(MAIN, 1)
    assert heard.events == [("added", key, "queued")]
    finished = [item async for item in queue.run(request.items, client=client)]
    assert [item.state for item in finished] == [DONE]
    assert heard.events == [
        ("added", key, "queued"),
        ("changed", key, ACTIVE),
        ("changed", key, DONE),
        ("finished", key, DONE),
    ]


async def test_never_more_than_jobs_transfers_at_once_across_batches(
    fake: FakeMagpipe, make_client, tmp_path: Path
) -> None:
    client = make_client()
    queue = DownloadQueue(jobs=2, records=tmp_path / "records")
    most_active = 0

    def count(change: str, item: DownloadItem) -> None:
        nonlocal most_active
        most_active = max(most_active, sum(1 for i in queue.items.values() if i.state == ACTIVE))

    queue.subscribe(count)
    one = await queue.request(await wanted_of(client, TRANSFER), tmp_path)
    two = await queue.request(await wanted_of(client, MAIN), tmp_path)
    await asyncio.gather(queue.run_all(one.items, client=client), queue.run_all(two.items, client=client))
    assert most_active == 2
    assert len(queue.items) == 5 and all(item.state == DONE for item in queue.items.values())


async def test_a_segment_queued_or_running_is_not_queued_again_but_a_finished_one_is(
    fake: FakeMagpipe, make_client, tmp_path: Path
) -> None:
    client = make_client()
    queue = DownloadQueue(records=tmp_path / "records")
    wanted = (await wanted_of(client, MAIN))[:1]
    first = await queue.request(wanted, tmp_path)
    assert len(first.items) == 1
    assert (await queue.request(wanted, tmp_path)).items == []  # still queued: one download per segment
    await queue.run_all(first.items, client=client)
    assert queue.busy() is False
    (tmp_path / MAIN / "01-main.wav").unlink()
    again = await queue.request(wanted, tmp_path)
    assert len(again.items) == 1 and queue.get(MAIN, 1) is again.items[0] is not first.items[0]
    assert queue.finished_at(again.items[0]) is None and queue.busy()
    await queue.run_all(again.items, client=client)


async def test_finished_times_are_recorded_and_give_the_average_speed(
    fake: FakeMagpipe, make_client, tmp_path: Path
) -> None:
    client = make_client()
    queue = DownloadQueue(records=tmp_path / "records")
    request = await queue.request((await wanted_of(client, MAIN))[:1], tmp_path)
    (item,) = request.items
    assert queue.finished_at(item) is None and queue.average_speed(item) is None
    before = time.monotonic()
    await queue.run_all(request.items, client=client)
    finished_at = queue.finished_at(item)
    assert finished_at is not None and before <= finished_at <= time.monotonic()
    assert queue.average_speed(item) == pytest.approx(item.transfer.done / (finished_at - item.transfer.started))


async def test_cancel_marks_a_running_download_cancelled_at_once(
    fake: FakeMagpipe, make_client, tmp_path: Path
) -> None:
    wanted = (await wanted_of(make_client(), MAIN))[:1]
    fake.faults.pause_mid_body = 1
    fake.faults.pause_after_bytes = 4096
    queue = DownloadQueue(records=tmp_path / "records")
    heard = Heard()
    queue.subscribe(heard)
    (item,) = (await queue.request(wanted, tmp_path)).items
    runner = asyncio.ensure_future(queue.run_all([item], client=None))
    try:
        await until(lambda: fake.faults.body_paused.is_set() and item.state == ACTIVE, "the body to pause")
        assert queue.cancel(item)
        assert item.state == CANCELLED and item.cancel_event.is_set()  # at once, whatever the server does
        assert item.error is not None and item.error.message.startswith("Cancelled; the partial file is kept")
        assert heard.events[-1] == ("changed", key_of(MAIN, 1), CANCELLED)
        await asyncio.wait_for(runner, 10)
    finally:
        fake.faults.resume_body.set()
    assert item.state == CANCELLED and not item.planned.path.exists() and not item.planned.path.exists()
    assert not queue.cancel(item)  # over already
    assert heard.events[-1] == ("finished", key_of(MAIN, 1), CANCELLED)


async def test_an_item_cancelled_while_queued_never_starts(fake: FakeMagpipe, make_client, tmp_path: Path) -> None:
    client = make_client()
    queue = DownloadQueue(jobs=1, records=tmp_path / "records")
    request = await queue.request(await wanted_of(client, TRANSFER), tmp_path)
    assert queue.cancel(request.items[3])
    await queue.run_all(request.items, client=client)
    assert [item.state for item in request.items] == [DONE, DONE, DONE, CANCELLED]
    assert not any(r.path.startswith(f"/provider/recordings/{TRANSFER}/4.wav") for r in fake.requests["storage"])


async def test_stop_ends_every_transfer_within_the_grace(fake: FakeMagpipe, make_client, tmp_path: Path) -> None:
    wanted = (await wanted_of(make_client(), MAIN))[:1]
    fake.faults.pause_mid_body = 1
    fake.faults.pause_after_bytes = 4096
    queue = DownloadQueue(records=tmp_path / "records")
    (item,) = (await queue.request(wanted, tmp_path)).items
    runner = asyncio.ensure_future(queue.run_all([item], client=None))
    try:
        await until(lambda: fake.faults.body_paused.is_set() and item.state == ACTIVE, "the body to pause")
        started = time.monotonic()
        await queue.stop(grace=5)
        assert time.monotonic() - started < 4  # the socket is shut: no waiting for the server
        await asyncio.wait_for(runner, 10)
    finally:
        fake.faults.resume_body.set()
    assert item.state == CANCELLED and item.cancel_event.is_set() and not item.planned.path.exists()


async def test_a_broken_batch_leaves_none_of_its_items_queued_or_active(
    fake: FakeMagpipe, make_client, tmp_path: Path
) -> None:
    client = make_client()
    queue = DownloadQueue(jobs=1, records=tmp_path / "records")
    broke = []

    def gremlin(change: str, item: DownloadItem) -> None:
        if change == "changed" and not broke:
            broke.append(item)
            raise RuntimeError("listener gremlin")

    queue.subscribe(gremlin)
    request = await queue.request(await wanted_of(client, TRANSFER), tmp_path)
    with pytest.raises(RuntimeError, match="listener gremlin"):
        await queue.run_all(request.items, client=client)
    (first,) = broke
    assert first.state == FAILED and isinstance(first.error, UnexpectedFailure)
    assert all(item.finished for item in request.items)  # the others too: failed, or done if they got that far
    assert not queue.busy()
    again = await queue.request(await wanted_of(client, TRANSFER), tmp_path)
    assert len(again.items) + again.complete == 4  # none stays in flight


async def test_download_says_what_the_request_came_to_before_the_transfers_start(
    fake: FakeMagpipe, make_client, tmp_path: Path
) -> None:
    client = make_client()
    queue, heard = DownloadQueue(records=tmp_path / "records"), Heard()
    queue.subscribe(heard)
    told: list[tuple[int, int, list[str]]] = []

    def on_request(request) -> None:  # type: ignore[no-untyped-def]
        told.append((len(request.items), request.complete, request.problems))
        assert [change for change, _key, _state in heard.events] == ["added"] * 4  # nothing started yet

    await queue.download(await wanted_of(client, TRANSFER), tmp_path / "dl", client=client, told=on_request)
    assert told == [(4, 0, [])]
    assert all(item.state == DONE for item in queue.items.values()) and len(queue.items) == 4
    assert (tmp_path / "dl" / TRANSFER / "02-main.wav").exists() or len(
        list((tmp_path / "dl" / TRANSFER).iterdir())
    ) == 4
