"""`recbrowser --demo`: the app or a command against the embedded fake API, in a throwaway home.

The fake serves a made-up week of calls ending when the demo starts (``fakeapi.week``),
besides its fixed sample calls.

Nothing of the user's is read or written: the key, settings, history and download records
all live in a temporary directory that is deleted when the demo ends, also when the
terminal is closed (SIGHUP) or the process is asked to stop (SIGTERM).
"""

from __future__ import annotations

import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

from recbrowser.fakeapi import DEMO_KEY, FakeMagpipe
from recbrowser.paths import Paths
from recbrowser.secret import Secret
from recbrowser.settings import Resolved

DEMO_PREFIX = "recbrowser-demo-"
SYNC_AFTER_LOOKUPS = 2
"""Pending recordings turn synced on a call's third lookup (``r``, or the app's refresh every
30 s), as Magpipe copies them a little after a call; ``download --wait-synced`` sees it too."""


@dataclass
class Demo:
    """A running fake API and the isolated paths and credentials that point at it."""

    fake: FakeMagpipe
    paths: Paths
    resolved: Resolved
    _tmp: tempfile.TemporaryDirectory[str]

    @property
    def root(self) -> Path:
        """The temporary directory everything of this demo lives in."""
        return Path(self._tmp.name)

    def close(self) -> None:
        self.fake.stop()
        self._tmp.cleanup()


def start_demo(now: datetime | None = None) -> Demo:
    """Start the fake API on free loopback ports, serving the week before ``now`` (default:
    now, in the local time zone), with settings and data in a temp dir."""
    tmp = tempfile.TemporaryDirectory(prefix=DEMO_PREFIX)
    try:
        root = Path(tmp.name)
        paths = Paths(
            config_dir=root / "config",
            data_dir=root / "data",
            downloads_dir=root / "downloads",
            records_dir=root / "state" / "downloads",
        )
        fake = FakeMagpipe(week_ending=now or datetime.now().astimezone())
        fake.faults.sync_after_lookups = SYNC_AFTER_LOOKUPS
        fake.start()
    except BaseException:
        tmp.cleanup()
        raise
    resolved = Resolved(api_url=fake.api_url, api_url_source="demo", key=Secret(DEMO_KEY), key_source="demo")
    return Demo(fake=fake, paths=paths, resolved=resolved, _tmp=tmp)


class Hangup(SystemExit):
    """The terminal was closed (SIGHUP) or the process was asked to stop (SIGTERM)."""


def _raise_hangup(signum: int, _frame: FrameType | None) -> None:
    raise Hangup(128 + signum)


@contextmanager
def running_demo() -> Iterator[Demo]:
    """A started demo, closed (temporary directory deleted) however the block ends.

    SIGHUP and SIGTERM would otherwise end the process on the spot, leaving the directory
    behind; while the demo runs they raise ``Hangup`` (a SystemExit) so cleanup runs.
    """
    previous: dict[signal.Signals, Any] = {}  # whatever signal.signal returned
    if threading.current_thread() is threading.main_thread():
        signums = (signal.SIGHUP, signal.SIGTERM) if hasattr(signal, "SIGHUP") else (signal.SIGTERM,)
        for signum in signums:
            previous[signum] = signal.signal(signum, _raise_hangup)
    try:
        demo = start_demo()
        try:
            yield demo
        finally:
            for signum in previous:  # a second signal must not cut the cleanup short
                signal.signal(signum, signal.SIG_IGN)
            demo.close()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
