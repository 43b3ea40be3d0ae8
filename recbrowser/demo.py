"""`recbrowser --demo`: the app against the embedded fake API, in a throwaway home."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from recbrowser.fakeapi import DEMO_KEY, SAMPLE_CALLS, FakeMagpipe
from recbrowser.settings import Paths, Resolved, Secret


@dataclass
class Demo:
    """A running fake API and the isolated paths and credentials that point at it."""

    fake: FakeMagpipe
    paths: Paths
    resolved: Resolved
    samples: list[tuple[str, str]]
    _tmp: tempfile.TemporaryDirectory[str]

    def close(self) -> None:
        self.fake.stop()
        self._tmp.cleanup()


def start_demo() -> Demo:
    """Start the fake API on free loopback ports, with settings and data in a temp dir."""
    tmp = tempfile.TemporaryDirectory(prefix="recbrowser-demo-")
    root = Path(tmp.name)
    paths = Paths(config_dir=root / "config", data_dir=root / "data", downloads_dir=root / "downloads")
    fake = FakeMagpipe().start()
    resolved = Resolved(api_url=fake.api_url, api_url_source="demo", key=Secret(DEMO_KEY), key_source="demo")
    samples = [(call.call_id, call.description) for call in SAMPLE_CALLS if getattr(call, "account", "demo") == "demo"]
    return Demo(fake=fake, paths=paths, resolved=resolved, samples=samples, _tmp=tmp)
