"""A rename made durable (recbrowser.durable), on a real file system."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from recbrowser.durable import fsync_dir


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts descriptors in /proc")
def test_fsyncing_a_directory_leaves_no_descriptor_open(tmp_path: Path) -> None:
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(200):
        fsync_dir(tmp_path)
    assert len(os.listdir("/proc/self/fd")) < before + 100  # other threads may open a few meanwhile


def test_a_directory_that_is_gone_is_no_error(tmp_path: Path) -> None:
    assert fsync_dir(tmp_path / "gone") is None
