"""Responsiveness: while three downloads run in the app, the largest event-loop stall,
measured with a repeating 10 ms timer inside the app (headless, Pilot). Target: < 50 ms.

    python benchmarks/responsiveness.py [--quick] [--size-mib N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from common import bench_env, fake_api, median, report

TICK = 0.01


async def measure(api_url: str, storage_url: str, size: int) -> tuple[list[float], float, list[str]]:
    from recbrowser.models import Segment
    from recbrowser.paths import Paths
    from recbrowser.settings import resolve
    from recbrowser.tui.app import RecBrowserApp
    from recbrowser.tui.widgets.downloads import Downloads

    paths = Paths.default()
    app = RecBrowserApp(paths=paths, resolved=resolve(paths, api_url_flag=api_url))
    gaps: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append(now - last[0] - TICK)
            if os.environ.get("BENCH_DEBUG") and gaps[-1] > 0.02:
                print(f"stall {gaps[-1] * 1000:.0f} ms at {now - started:.3f} s")
            last[0] = now

        await pilot.pause(1.0)  # let start-up work (first frames, session restore, warm-up) finish
        segments = [
            (
                f"00000000-0000-4000-8000-00000000000{i}",
                Segment(i, f"{storage_url}/big/{size}", "main", None, None, "synced", None),
            )
            for i in (1, 2, 3)
        ]
        started = time.perf_counter()
        screen.query_one(Downloads).download(segments)
        last[0] = time.perf_counter()
        timer = app.set_interval(TICK, tick)
        queue = app.downloads
        while len(queue.items) < len(segments) or queue.busy():  # planned in a worker, then run
            await pilot.pause(0.05)
        elapsed = time.perf_counter() - started
        timer.stop()
        states = [item.state for item in queue.items.values()]
    return gaps, elapsed, states


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 x 4 MiB (CI smoke run)")
    parser.add_argument("--size-mib", type=int, default=300)
    args = parser.parse_args()
    size = (4 if args.quick else args.size_mib) * 1024 * 1024
    with tempfile.TemporaryDirectory() as tmp, fake_api() as (api_url, storage_url):
        env = bench_env(Path(tmp))
        os.environ.update({k: env[k] for k in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "MAGPIPE_API_KEY")})
        os.environ["XDG_DOWNLOAD_DIR"] = str(Path(tmp) / "downloads")
        gaps, elapsed, states = asyncio.run(measure(api_url, storage_url, size))
    if any(state != "done" for state in states):
        raise SystemExit(f"downloads did not all finish: {states}")
    gaps = [max(0.0, gap) for gap in gaps]
    report(
        "responsiveness",
        [
            {
                "downloads": f"3 x {size // (1024 * 1024)} MiB",
                "seconds": elapsed,
                "ticks": len(gaps),
                "median_lateness_ms": median(gaps) * 1000,
                "worst_stall_ms": max(gaps) * 1000,
            }
        ],
        ["target: worst stall < 50 ms; lateness = gap between 10 ms ticks minus 10 ms"],
        save=not args.quick,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
