"""Many segments at once (recbrowser.downloads): the jobs bound, expired-URL recovery, failures that stay local."""

from __future__ import annotations

from pathlib import Path

import httpx

from recbrowser.downloads import ACTIVE, CANCELLED, DONE, FAILED, SKIPPED, DownloadItem, plan_items, run_downloads
from recbrowser.fakeapi import FakeMagpipe, segment_wav
from recbrowser.fakeapi.samples import MAIN_CALL as MAIN
from recbrowser.fakeapi.samples import PENDING_CALL as PENDING
from recbrowser.fakeapi.samples import TRANSFER_CALL as TRANSFER
from recbrowser.fetchoptions import FetchOptions
from recbrowser.models import CallRecordings, Segment
from recbrowser.naming import DEFAULT_TEMPLATE, plan

FAST = FetchOptions(backoff_base=0.001, timeout=10)


async def run_all(items, **kwargs) -> list[DownloadItem]:
    kwargs.setdefault("fetch_options", FAST)
    return [item async for item in run_downloads(items, **kwargs)]


def storage_gets(fake: FakeMagpipe) -> list:
    return [r for r in list(fake.requests["storage"]) if r.method == "GET"]


def use_up(url: str) -> None:
    """Fetch a pending URL once, as an earlier download would have."""
    assert httpx.get(url, timeout=10).status_code == 200


async def test_never_more_than_jobs_downloads_are_active_at_once(
    fake: FakeMagpipe, make_client, tmp_path: Path
) -> None:
    client = make_client()
    calls = [await client.get_recordings(TRANSFER), await client.get_recordings(MAIN)]
    items = plan_items(calls, tmp_path)
    assert len(items) == 5
    most_active = 0
    transitions: list[tuple[int, str]] = []

    def on_change(item: DownloadItem) -> None:
        nonlocal most_active
        transitions.append((item.segment.index, item.state))
        most_active = max(most_active, sum(1 for i in items if i.state == ACTIVE))

    finished = await run_all(items, client=client, jobs=2, on_change=on_change)
    assert most_active == 2
    assert sorted(id(i) for i in finished) == sorted(id(i) for i in items)
    assert [t[1] for t in transitions].count(ACTIVE) == 5 and [t[1] for t in transitions].count(DONE) == 5
    for item in items:
        assert item.state == DONE
        assert item.path.read_bytes() == segment_wav(item.call_id, item.segment.index)
        assert item.bytes == len(segment_wav(item.call_id, item.segment.index))


async def test_json_of_each_item_names_call_index_label_url_path_bytes_and_status(
    fake: FakeMagpipe, make_client, tmp_path: Path
) -> None:
    client = make_client()
    (item,) = plan_items([await client.get_recordings(MAIN)], tmp_path)
    await run_all([item], client=client)
    assert item.to_json() == {
        "call_id": MAIN,
        "index": 1,
        "label": "main",
        "url": item.segment.url,
        "path": str(tmp_path / MAIN / "01-main.wav"),
        "bytes": len(segment_wav(MAIN, 1)),
        "status": "downloaded",
    }
    (again,) = plan_items([await client.get_recordings(MAIN)], tmp_path)
    await run_all([again], client=client)
    assert again.state == SKIPPED and again.to_json()["status"] == "skipped"
    (forced,) = plan_items([await client.get_recordings(MAIN)], tmp_path)
    await run_all([forced], client=client, force=True)
    assert forced.state == DONE


async def test_an_expired_pending_url_triggers_one_fresh_lookup_and_a_retry(
    fake: FakeMagpipe, make_client, tmp_path: Path
) -> None:
    fake.faults.expire_pending_after_use = True
    client = make_client()
    call = await client.get_recordings(PENDING)
    stale_url = call.segments[0].url
    use_up(stale_url)
    before = fake.lookup_count(PENDING)
    (item,) = plan_items([call], tmp_path)
    await run_all([item], client=client)
    assert item.state == DONE, item.error
    assert fake.lookup_count(PENDING) == before + 1
    assert item.path.read_bytes() == segment_wav(PENDING, 1)
    assert item.segment.url != stale_url and item.segment.is_pending
    assert all(r.authorization is None for r in fake.requests["storage"])


async def test_a_refresh_that_finds_the_segment_synced_downloads_from_storage(
    fake: FakeMagpipe, make_client, tmp_path: Path
) -> None:
    fake.faults.expire_pending_after_use = True
    fake.faults.sync_after_lookups = 1
    client = make_client()
    call = await client.get_recordings(PENDING)
    use_up(call.segments[0].url)
    (item,) = plan_items([call], tmp_path)
    await run_all([item], client=client)
    assert item.state == DONE and item.segment.is_synced
    assert storage_gets(fake)[-1].path == f"/storage/v1/object/public/recordings/{PENDING}/1.wav"
    assert item.path == tmp_path / PENDING / "01-reconnect_to_agent.wav"
    assert item.path.read_bytes() == segment_wav(PENDING, 1)


async def test_an_expired_url_is_refreshed_only_once(fake: FakeMagpipe, make_client, tmp_path: Path) -> None:
    fake.faults.expire_pending_after_use = True
    client = make_client()
    call = await client.get_recordings(PENDING)
    use_up(call.segments[0].url)
    fake.faults.drop_mid_body = 1  # the fresh URL is cut half-way, so its resume is refused too
    (item,) = plan_items([call], tmp_path)
    await run_all([item], client=client)
    assert item.state == FAILED
    assert item.to_json()["error"]["code"] == "url_expired"
    assert fake.lookup_count(PENDING) == 2
    assert item.planned.part.exists() and not item.planned.path.exists()


async def test_without_a_client_an_expired_url_just_fails(fake: FakeMagpipe, make_client, tmp_path: Path) -> None:
    fake.faults.expire_pending_after_use = True
    call = await make_client().get_recordings(PENDING)
    use_up(call.segments[0].url)
    (item,) = plan_items([call], tmp_path)
    await run_all([item])
    assert item.state == FAILED and item.error.status == 403
    assert fake.lookup_count(PENDING) == 1


async def test_a_synced_url_that_is_gone_is_not_looked_up_again(fake: FakeMagpipe, make_client, tmp_path: Path) -> None:
    client = make_client()
    gone = Segment(
        2, f"{fake.storage_url}/storage/v1/object/public/recordings/{MAIN}/2.wav", "main", 1, "x", "synced", None
    )
    item = DownloadItem(MAIN, gone, plan(tmp_path, DEFAULT_TEMPLATE, MAIN, gone))
    await run_all([item], client=client)
    assert item.state == FAILED and item.error.code == "url_expired"
    assert fake.lookup_count(MAIN) == 0


async def test_a_disk_error_fails_its_own_files_and_the_others_still_download(
    fake: FakeMagpipe, make_client, tmp_path: Path
) -> None:
    client = make_client()
    calls = [await client.get_recordings(TRANSFER), await client.get_recordings(MAIN)]
    (tmp_path / MAIN).write_text("a file where the call's folder should be")
    items = plan_items(calls, tmp_path)
    await run_all(items, client=client, jobs=2)
    failed = [i for i in items if i.state == FAILED]
    assert [i.call_id for i in failed] == [MAIN]
    assert failed[0].to_json()["error"]["code"] == "disk_error"
    assert failed[0].to_json()["error"]["message"].startswith(f"Cannot write {tmp_path / MAIN}")
    for item in items:
        if item.call_id == TRANSFER:
            assert item.state == DONE and item.path.read_bytes() == segment_wav(TRANSFER, item.segment.index)


async def test_an_unwritable_partial_fails_that_file_only(fake: FakeMagpipe, make_client, tmp_path: Path) -> None:
    client = make_client()
    items = plan_items([await client.get_recordings(TRANSFER)], tmp_path)
    blocked = items[1].planned.part
    blocked.parent.mkdir(parents=True)
    blocked.symlink_to("/dev/full")
    await run_all(items, client=client)
    assert [i.state for i in items] == [DONE, FAILED, DONE, DONE]
    assert items[1].error.code == "disk_error" and "Cannot write" in items[1].error.message
    assert blocked.is_symlink()


async def test_a_segment_without_url_fails_with_a_clear_message(fake: FakeMagpipe, tmp_path: Path) -> None:
    segment = Segment(1, None, "main", None, None, None, None)
    item = DownloadItem(MAIN, segment, plan(tmp_path, DEFAULT_TEMPLATE, MAIN, segment))
    await run_all([item])
    assert item.state == FAILED and "no URL" in item.error.message


async def test_an_item_cancelled_while_queued_never_starts(fake: FakeMagpipe, make_client, tmp_path: Path) -> None:
    client = make_client()
    items = plan_items([await client.get_recordings(TRANSFER)], tmp_path)
    items[3].cancel()
    await run_all(items, client=client, jobs=1)
    assert [i.state for i in items] == [DONE, DONE, DONE, CANCELLED]
    assert items[3].to_json()["status"] == "failed" and items[3].to_json()["error"]["code"] == "cancelled"
    assert not any(r.path.startswith(f"/provider/recordings/{TRANSFER}/4.wav") for r in fake.requests["storage"])


async def test_labels_filter_which_segments_are_planned(fake: FakeMagpipe, make_client, tmp_path: Path) -> None:
    client = make_client()
    call: CallRecordings = await client.get_recordings(TRANSFER)
    items = plan_items([call], tmp_path, labels=["transfer_conference", "MAIN"])
    assert [(i.segment.index, i.segment.label) for i in items] == [(1, "main"), (3, "transfer_conference")]
