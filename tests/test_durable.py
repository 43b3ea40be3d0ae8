"""A rename made durable (recbrowser.durable), on a real file system."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from recbrowser.durable import fsync_dir, write_atomically


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts descriptors in /proc")
def test_fsyncing_a_directory_leaves_no_descriptor_open(tmp_path: Path) -> None:
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(200):
        fsync_dir(tmp_path)
    assert len(os.listdir("/proc/self/fd")) < before + 100  # other threads may open a few meanwhile


def test_a_directory_that_is_gone_is_no_error(tmp_path: Path) -> None:
    assert fsync_dir(tmp_path / "gone") is None


def test_write_atomically_replaces_a_link_at_the_name_instead_of_writing_through_it(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    (tmp_path / "manifest.jsonl").symlink_to(outside)
    write_atomically(tmp_path / "manifest.jsonl", b"new\n")
    assert outside.read_text() == "keep me"
    assert not (tmp_path / "manifest.jsonl").is_symlink()
    assert (tmp_path / "manifest.jsonl").read_bytes() == b"new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.jsonl", "outside.txt"]  # no temporary left


def test_write_atomically_gives_new_files_the_umasks_mode_and_private_ones_0600(tmp_path: Path) -> None:
    from recbrowser.privatefiles import write_private

    old = os.umask(0o022)
    try:
        write_atomically(tmp_path / "shared.txt", b"x")
        write_private(tmp_path / "private" / "key", b"y")
    finally:
        os.umask(old)
    assert (tmp_path / "shared.txt").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "private" / "key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "private").stat().st_mode & 0o777 == 0o700


def test_write_atomically_into_a_missing_directory_raises_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        write_atomically(tmp_path / "gone" / "file", b"x")
    assert list(tmp_path.iterdir()) == []
