"""Kept-alive connections to the recordings host (recbrowser.connections), over loopback."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from recbrowser import connections
from recbrowser.connections import ConnectionPool
from recbrowser.fakeapi import FakeMagpipe, segment_wav
from recbrowser.fakeapi.samples import TRANSFER_CALL as CALL  # segments 1 and 2 are in the bucket
from recbrowser.fetch import fetch
from recbrowser.fetchoptions import FetchOptions
from recbrowser.models import Segment
from recbrowser.naming import DEFAULT_TEMPLATE, plan

FAST = FetchOptions(backoff_base=0.001, timeout=10)


@pytest.fixture(autouse=True)
def no_idle_connections() -> None:
    """Each test starts with an empty shared pool (earlier tests may have left connections)."""
    connections.POOL.clear()


def segment_url(fake: FakeMagpipe, index: int, prefix: str = "") -> str:
    return f"{fake.storage_url}{prefix}/storage/v1/object/public/recordings/{CALL}/{index}.wav"


def download(fake: FakeMagpipe, tmp_path: Path, index: int, prefix: str = "", max_attempts: int = 4) -> bytes:
    url = segment_url(fake, index, prefix)
    planned = plan(tmp_path, DEFAULT_TEMPLATE, CALL, Segment(index, url, f"seg{index}", None, None, "synced", None))
    return fetch(url, planned, force=True, options=replace(FAST, max_attempts=max_attempts)).path.read_bytes()


def gets(fake: FakeMagpipe) -> list:
    return [r for r in list(fake.requests["storage"]) if r.method == "GET"]


def test_downloads_from_one_host_share_one_connection(fake: FakeMagpipe, tmp_path: Path) -> None:
    for index in (1, 2, 1):
        assert download(fake, tmp_path, index) == segment_wav(CALL, index)
    ports = {r.client_port for r in gets(fake)}
    assert len(gets(fake)) == 3 and len(ports) == 1


def test_redirect_hops_reuse_connections_too(fake: FakeMagpipe, tmp_path: Path) -> None:
    for index in (1, 2):
        assert download(fake, tmp_path, index, prefix="/redirect/1") == segment_wav(CALL, index)
    requests = gets(fake)
    assert len(requests) == 4 and len({r.client_port for r in requests}) == 1
    assert all(r.authorization is None for r in requests)


def test_a_connection_the_server_closed_while_idle_is_replaced_without_a_failed_attempt(
    fake: FakeMagpipe, tmp_path: Path
) -> None:
    fake.faults.close_idle = True
    for index in (1, 2, 1):  # one attempt each: a failed attempt would fail the download
        assert download(fake, tmp_path, index, max_attempts=1) == segment_wav(CALL, index)
    requests = gets(fake)
    assert len(requests) == 3 and len({r.client_port for r in requests}) == 3


def test_a_connection_whose_response_was_not_read_to_the_end_is_not_reused(fake: FakeMagpipe) -> None:
    pool = ConnectionPool()
    parts = urlsplit(segment_url(fake, 1))
    lease, response = connections.request(parts, {}, 10, pool)
    response.read(10)
    connections.finished_with(lease, response, pool)
    lease, response = connections.request(parts, {}, 10, pool)
    assert not lease.reused
    assert response.read() == segment_wav(CALL, 1)
    connections.finished_with(lease, response, pool)
    assert connections.request(parts, {}, 10, pool)[0].reused


def test_idle_connections_expire(fake: FakeMagpipe) -> None:
    pool = ConnectionPool(idle_seconds=0)
    parts = urlsplit(segment_url(fake, 1))
    for _ in range(2):
        lease, response = connections.request(parts, {}, 10, pool)
        assert not lease.reused
        response.read()
        connections.finished_with(lease, response, pool)
    assert len({r.client_port for r in gets(fake)}) == 2


def test_the_pool_keeps_a_bounded_number_of_idle_connections(fake: FakeMagpipe) -> None:
    pool = ConnectionPool(max_per_host=2)
    parts = urlsplit(segment_url(fake, 1))
    leases = [connections.request(parts, {}, 10, pool) for _ in range(4)]  # four at once
    for lease, response in leases:
        response.read()
        connections.finished_with(lease, response, pool)
    reused = [connections.request(parts, {}, 10, pool)[0].reused for _ in range(3)]
    assert reused == [True, True, False]


def test_a_url_without_a_host_is_a_value_error_not_a_crash() -> None:
    with pytest.raises(ValueError, match="without a host"):
        connections.request(urlsplit("http:///storage/1.wav"), {}, 1.0, pool=ConnectionPool())
