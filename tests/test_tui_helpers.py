"""The TUI tests' own waiting helper: it must fail loudly, never give up in silence."""

from __future__ import annotations

import asyncio

import pytest
from textual import work
from textual.app import App

from tests.tui_helpers import settle


class Waiting(App[None]):
    """An app whose one worker waits for ``done``."""

    def __init__(self) -> None:
        super().__init__()
        self.done = asyncio.Event()

    def on_mount(self) -> None:
        self.wait_for_done()

    @work(name="waits-for-done")
    async def wait_for_done(self) -> None:
        await self.done.wait()


async def test_settle_returns_once_the_workers_are_done() -> None:
    app = Waiting()
    async with app.run_test() as pilot:
        app.done.set()
        await settle(pilot, timeout=10)
        assert not any(w.is_running for w in app.workers)


async def test_settle_fails_naming_the_worker_that_never_finished() -> None:
    app = Waiting()
    async with app.run_test() as pilot:
        with pytest.raises(AssertionError, match="waits-for-done"):
            await settle(pilot, timeout=0.2)
        app.done.set()
