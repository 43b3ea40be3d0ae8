"""Shared fixtures: every test gets its own config/data/downloads dirs and no stray env vars."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from recbrowser.client import MagpipeClient
from recbrowser.fakeapi import DEMO_KEY, FakeMagpipe
from recbrowser.secret import Secret
from tests.cli_helpers import XDG_DIRS, Run, run_main
from tests.loopback import free_port
from tests.playback_helpers import mpv_children


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto``: twice as many workers as cores, at most 8. The suite mostly waits (locks held
    on purpose, deadlines, subprocesses, loopback servers), so one worker per core leaves the
    cores idle: on 2 cores, 4 workers take 87 s where 2 take 141 s and 1 takes 261 s."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own rule reads it
    return min(8, 2 * (os.cpu_count() or 1))


@pytest.fixture(scope="session", autouse=True)
def no_mpv_left_behind() -> Iterator[None]:
    """In-app playback never leaves an mpv (or its stand-in) running after the tests."""
    yield
    assert mpv_children() == []


@pytest.fixture(autouse=True)
def isolated_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point platformdirs at a temporary tree and drop the user's Magpipe variables."""
    for name, sub in XDG_DIRS:
        monkeypatch.setenv(name, str(tmp_path / sub))
    for name in ("MAGPIPE_API_KEY", "MAGPIPE_API_URL", "RECBROWSER_PLAYER"):
        monkeypatch.delenv(name, raising=False)
    # Every test talks to loopback; a proxy from the machine's environment must not intercept it.
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return tmp_path


# --- Shared fake Magpipe and client factory (client, CLI and model tests) -------------------

ClientFactory = Callable[..., MagpipeClient]


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeMagpipe]:
    """One running fake Magpipe (API + recordings host) for the whole session."""
    with FakeMagpipe() as server:
        yield server


@pytest.fixture
def fake(fake_server: FakeMagpipe) -> Iterator[FakeMagpipe]:
    """The shared fake with faults, lookups and request logs reset around each test."""
    fake_server.reset()
    yield fake_server
    fake_server.reset()


@pytest.fixture
async def make_client(fake: FakeMagpipe) -> AsyncIterator[ClientFactory]:
    """``make_client(key=DEMO_KEY, api_url=None, **options)``: a MagpipeClient on the fake, fast retries.

    ``key=None`` builds a client without a key. Every client is closed after the test.
    """
    clients: list[MagpipeClient] = []

    def factory(key: str | None = DEMO_KEY, *, api_url: str | None = None, **options: object) -> MagpipeClient:
        options.setdefault("backoff_base", 0.001)
        options.setdefault("backoff_cap", 0.01)
        client = MagpipeClient(api_url or fake.api_url, None if key is None else Secret(key), **options)  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.aclose()


@pytest.fixture
def api_env(fake: FakeMagpipe, monkeypatch: pytest.MonkeyPatch) -> FakeMagpipe:
    """MAGPIPE_API_URL and MAGPIPE_API_KEY point at the fake with the demo key."""
    monkeypatch.setenv("MAGPIPE_API_URL", fake.api_url)
    monkeypatch.setenv("MAGPIPE_API_KEY", DEMO_KEY)
    return fake


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    return free_port()


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """``run(*argv)``: recbrowser.cli.main in-process (argparse exits become exit codes), never with a traceback."""

    def runner(*argv: str) -> Run:
        result = run_main(capsys, *argv)
        assert "Traceback" not in result.err
        return result

    return runner
