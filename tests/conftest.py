"""Shared fixtures: every test gets its own config/data/downloads dirs and no stray env vars."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point platformdirs at a temporary tree and drop the user's Magpipe variables."""
    for name, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_DOWNLOAD_DIR", "downloads"),
    ):
        monkeypatch.setenv(name, str(tmp_path / sub))
    for name in ("MAGPIPE_API_KEY", "MAGPIPE_API_URL", "RECBROWSER_PLAYER"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path
