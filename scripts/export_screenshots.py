"""Regenerate screenshots/*.svg from the real app on the fake API's sample data and demo week.

Run from the repo root:  python scripts/export_screenshots.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recbrowser.fakeapi import FakeMagpipe  # noqa: E402
from scripts import scenes  # noqa: E402
from scripts.scenes import make_app  # noqa: E402

SHOTS = [
    ("key-screen.svg", scenes.key_screen, {"key": None}, (100, 30)),
    ("mixed-statuses.svg", scenes.mixed_statuses, {}, (120, 36)),
    ("mixed-statuses-80x24.svg", scenes.mixed_statuses, {}, (80, 24)),
    ("help.svg", scenes.help_screen, {}, (120, 36)),
    ("history.svg", scenes.history_screen, {}, (120, 36)),
    ("downloads.svg", scenes.downloads, {}, (120, 36)),
    ("errors.svg", scenes.errors, {}, (120, 36)),  # a scene for the fake: called with it
    ("calls-view.svg", scenes.calls_view, {}, (120, 36)),
    ("calls-view-filtered.svg", scenes.calls_view_filtered, {}, (120, 36)),
    ("transcript.svg", scenes.transcript, {}, (120, 36)),
    ("demo-welcome.svg", scenes.demo_welcome, scenes.demo_app_kwargs(), (120, 36)),
]


async def shoot(fake: FakeMagpipe, name: str, scene, app_kwargs: dict, size: tuple[int, int]) -> None:
    fake.reset()
    if scene is scenes.errors:
        scene = scenes.errors(fake)
    app = make_app(fake, **app_kwargs)
    async with app.run_test(size=size) as pilot:
        await scenes.still(scene)(pilot)
        app.save_screenshot(filename=name, path=str(ROOT / "screenshots"))


def main() -> int:
    os.environ.pop("MAGPIPE_API_KEY", None)
    os.environ["TZ"] = "UTC"
    time.tzset()
    with FakeMagpipe(week_ending=scenes.WEEK_ENDING) as fake:
        for name, scene, kwargs, size in SHOTS:
            with tempfile.TemporaryDirectory() as home:  # each shot starts with no key file or history
                os.environ.update(
                    HOME=home,
                    XDG_CONFIG_HOME=f"{home}/.config",
                    XDG_DATA_HOME=f"{home}/.local/share",
                    XDG_DOWNLOAD_DIR=f"{home}/Downloads",
                    XDG_STATE_HOME=f"{home}/.local/state",
                )
                asyncio.run(shoot(fake, name, scene, kwargs, size))
            print(f"screenshots/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
