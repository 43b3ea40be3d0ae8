"""A recording host that drips bytes can neither keep a cancelled download "active" nor keep
the app alive after `q`."""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import textwrap
import time
from pathlib import Path

from recbrowser.downloads import ACTIVE, CANCELLED
from recbrowser.fakeapi.samples import SegmentSpec
from recbrowser.tui.widgets.downloads_panel import DownloadsPanel
from tests.cli_helpers import child_env
from tests.test_tui_downloads import queued
from tests.tui_helpers import look_up, make_app, wait_until
from tests.tui_hostile import DripServer, call_with, fake_serving

DRIPPING = "d4a1b2c3-0000-4000-8000-00000000d41b"
SIZE = (120, 36)


async def test_x_marks_a_download_stuck_on_a_dripping_host_cancelled_at_once() -> None:
    with DripServer() as drip, fake_serving(call_with(DRIPPING, [SegmentSpec("main", url=drip.url)])) as fake:
        app = make_app(fake)
        async with app.run_test(size=SIZE) as pilot:
            await look_up(pilot, DRIPPING)
            await pilot.press("tab", "d")
            panel = app.screen.query_one(DownloadsPanel)
            item = await queued(pilot, f"{DRIPPING}:1")
            await wait_until(pilot, lambda: drip.connected.is_set() and item.state == ACTIVE, "the transfer to start")
            await pilot.press("x")
            await pilot.pause()
            assert item.state == CANCELLED
            assert item.cancel_event.is_set()
            assert panel.get_row_at(0)[-1].plain.startswith("cancelled")
            started = time.monotonic()
        assert time.monotonic() - started < 4  # quitting waited at most ~2 s for the stuck transfer


CHILD = textwrap.dedent(
    """
    import sys
    from recbrowser.commands.app import _exit_code
    from recbrowser.fakeapi import DEMO_KEY
    from recbrowser.fakeapi.samples import SegmentSpec
    from recbrowser.paths import Paths
    from recbrowser.secret import Secret
    from recbrowser.settings import Resolved
    from recbrowser.tui.app import RecBrowserApp
    from tests.tui_hostile import call_with, fake_serving

    call_id, url = sys.argv[1], sys.argv[2]
    with fake_serving(call_with(call_id, [SegmentSpec("main", url=url)])) as fake:
        resolved = Resolved(api_url=fake.api_url, api_url_source="test", key=Secret(DEMO_KEY), key_source="test")
        app = RecBrowserApp(paths=Paths.default(), resolved=resolved, prefill=call_id)
        app.run()
    sys.exit(_exit_code(app))
    """
)


class Terminal:
    """A child process on a pseudo-terminal whose output is drained while we wait."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int] = SIZE) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.output = b""
        self.closed = False

    def drain_until(self, condition, what: str, timeout: float) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; the screen ended with {self.output[-400:]!r}")
            if self.closed:
                raise AssertionError(f"the program ended before {what}: {self.output[-400:]!r}")
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    chunk = b""
                self.output += chunk
                self.closed = not chunk

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self.master)


def test_q_ends_the_app_within_seconds_while_a_download_drips(tmp_path: Path) -> None:
    script = tmp_path / "dripping_app.py"
    script.write_text(CHILD)
    with DripServer() as drip:
        terminal = Terminal(
            [sys.executable, str(script), DRIPPING, drip.url], child_env(tmp_path, TERM="xterm-256color")
        )
        try:
            terminal.drain_until(lambda: b"Calls" in terminal.output, "the first frame", 30)
            terminal.type("\r")
            terminal.drain_until(lambda: b"1 segment" in terminal.output, "the lookup", 30)
            terminal.type("d")
            terminal.drain_until(drip.connected.is_set, "the download to start", 30)
            terminal.type("q")
            terminal.drain_until(lambda: b"Quit and keep the partial files" in terminal.output, "the question", 10)
            terminal.type("y")
            quit_at = time.monotonic()
            terminal.drain_until(lambda: terminal.closed or terminal.process.poll() is not None, "the app to end", 8)
            terminal.process.wait(timeout=max(0.1, quit_at + 8 - time.monotonic()))
            elapsed = time.monotonic() - quit_at
        finally:
            terminal.close()
    assert terminal.process.returncode == 0
    assert elapsed < 5
