"""A really full disk: a 1 MiB tmpfs mounted for the test (needs root, as CI has; skipped
otherwise). The download fails with a clear message, keeps what it wrote, and resumes to
identical bytes once there is room again."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from recbrowser.errors import DiskError
from recbrowser.fakeapi import FakeMagpipe, big_sha256
from recbrowser.fakeapi.samples import MAIN_CALL as MAIN
from recbrowser.fetch import fetch
from recbrowser.fetchoptions import FetchOptions
from recbrowser.models import Segment
from recbrowser.naming import DEFAULT_TEMPLATE, plan
from tests.files import sha256_of

FAST = FetchOptions(backoff_base=0.001, timeout=10)


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB file system of its own, unmounted afterwards."""
    where = tmp_path / "disk"
    where.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    mounted = _mount("-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(where))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_a_full_disk_fails_clearly_keeps_the_partial_and_resumes_identically(
    fake: FakeMagpipe, small_disk: Path
) -> None:
    size = 3 * 1024 * 1024 + 321
    url = f"{fake.storage_url}/big/{size}"
    planned = plan(small_disk, DEFAULT_TEMPLATE, MAIN, Segment(1, url, "main", None, "signalwire", "synced", None))

    with pytest.raises(DiskError) as failed:
        fetch(url, planned, options=FAST)
    assert "the disk is full" in failed.value.message
    assert "partial file is kept" in failed.value.message
    assert not planned.path.exists()
    kept = planned.part.stat().st_size
    assert 0 < kept <= 1024 * 1024

    assert _mount("-o", "remount,size=8m", str(small_disk)).returncode == 0
    result = fetch(url, planned, options=FAST)
    assert result.bytes == size == result.path.stat().st_size
    assert sha256_of(result.path) == big_sha256(size)
    assert not planned.part.exists()
