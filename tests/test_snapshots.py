"""SVG snapshots of the main screens at fixed sizes (update with `pytest --snapshot-update`)."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pytest

from recbrowser.fakeapi import FakeMagpipe
from scripts import scenes
from scripts.scenes import make_app, still

# Segment URLs (with host and port) are part of what the snapshots show, so the fake gets a
# fixed address: its own loopback IP, and ports below the ephemeral range (32768+) so no
# other test's server can be handed them.
HOST, API_PORT, STORAGE_PORT = "127.77.0.1", 29811, 29812

# That address and the fixed home below are one per machine: under pytest-xdist every
# snapshot test runs in the same worker (`--dist loadgroup`, as .ci/run and README say).
pytestmark = pytest.mark.xdist_group("snapshots")


@pytest.fixture(scope="module")
def snap_fake():
    """The fake with the demo week, ending at the scenes' pinned moment."""
    with FakeMagpipe(host=HOST, api_port=API_PORT, storage_port=STORAGE_PORT, week_ending=scenes.WEEK_ENDING) as server:
        yield server


@pytest.fixture(autouse=True)
def stable_environment(monkeypatch, tmp_path_factory):
    """UTC clock and a home whose path does not change between runs (paths show on screen)."""
    home = Path(tempfile.gettempdir()) / "recbrowser-snapshots"
    shutil.rmtree(home, ignore_errors=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(home / "Downloads"))
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
    shutil.rmtree(home, ignore_errors=True)  # nothing left in the temp dir


def test_key_screen(snap_fake, snap_compare):
    assert snap_compare(make_app(snap_fake, key=None), run_before=still(scenes.key_screen), terminal_size=(100, 30))


def test_call_with_mixed_statuses(snap_fake, snap_compare):
    snap_fake.reset()
    assert snap_compare(make_app(snap_fake), run_before=still(scenes.mixed_statuses), terminal_size=(120, 36))


def test_call_with_mixed_statuses_at_80_columns(snap_fake, snap_compare):
    snap_fake.reset()
    assert snap_compare(make_app(snap_fake), run_before=still(scenes.mixed_statuses), terminal_size=(80, 24))


def test_help_screen(snap_fake, snap_compare):
    snap_fake.reset()
    assert snap_compare(make_app(snap_fake), run_before=still(scenes.help_screen), terminal_size=(120, 36))


def test_history_screen(snap_fake, snap_compare):
    snap_fake.reset()
    assert snap_compare(make_app(snap_fake), run_before=still(scenes.history_screen), terminal_size=(120, 36))


def test_downloads_panel(snap_fake, snap_compare):
    snap_fake.reset()
    assert snap_compare(make_app(snap_fake), run_before=still(scenes.downloads), terminal_size=(120, 36))


def test_calls_with_errors_and_no_recording(snap_fake, snap_compare):
    snap_fake.reset()
    scene = scenes.errors(snap_fake)
    try:
        assert snap_compare(make_app(snap_fake), run_before=still(scene), terminal_size=(120, 36))
    finally:
        snap_fake.reset()


def test_calls_view(snap_fake, snap_compare):
    snap_fake.reset()
    assert snap_compare(make_app(snap_fake), run_before=still(scenes.calls_view), terminal_size=(120, 36))


def test_calls_view_with_filters(snap_fake, snap_compare):
    snap_fake.reset()
    assert snap_compare(make_app(snap_fake), run_before=still(scenes.calls_view_filtered), terminal_size=(120, 36))


def test_call_with_its_details_and_transcript_searched(snap_fake, snap_compare):
    snap_fake.reset()
    assert snap_compare(make_app(snap_fake), run_before=still(scenes.transcript), terminal_size=(120, 36))


def test_demo_opens_on_the_calls_view_of_its_week(snap_fake, snap_compare):
    snap_fake.reset()
    app = make_app(snap_fake, **scenes.demo_app_kwargs())
    assert snap_compare(app, run_before=still(scenes.demo_opening), terminal_size=(120, 36))


def test_demo_welcome(snap_fake, snap_compare):
    snap_fake.reset()
    app = make_app(snap_fake, **scenes.demo_app_kwargs())
    assert snap_compare(app, run_before=still(scenes.demo_welcome), terminal_size=(120, 36))


def test_demo_welcome_at_80_columns(snap_fake, snap_compare):
    snap_fake.reset()
    app = make_app(snap_fake, **scenes.demo_app_kwargs())
    assert snap_compare(app, run_before=still(scenes.demo_welcome), terminal_size=(80, 24))
