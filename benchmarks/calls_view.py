"""The calls view with thousands of calls loaded (headless, Pilot): the time to append one more
page of 100 to a table of 5,000 calls, from asking for the page until the app is idle with the
rows added, with and without a quick filter, and the core's share (the listing taking the page).
The pages come from an in-process stand-in for list-calls, so the figure is the app's, not the
network's. Target: ≤ 50 ms for a page appended to 5,000 calls.

    python benchmarks/calls_view.py [--quick] [--calls N] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path

from common import median, report

from recbrowser.calls import CallFilters, CallSummary, Page


class Pages:
    """list-calls over ``count`` synthetic calls, newest first, answered at once."""

    def __init__(self, count: int) -> None:
        self.calls = [
            CallSummary(
                id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"recbrowser-calls-bench-{n}")),
                direction="inbound" if n % 3 else "outbound",
                status="completed" if n % 7 else "no-answer",
                from_number=f"+1415555{n % 10000:04d}",
                to_number="+14155550100",
                agent_id="a1f0c3d2",
                agent_name=("Front Desk", "Billing Assistant", "Support Line")[n % 3],
                duration=60 + n % 300,
                sentiment="neutral",
                call_summary=f"Benchmark call number {n} about an order.",
                started_at="2026-03-01T10:00:00Z",
                ended_at="2026-03-01T10:01:00Z",
                created_at="2026-03-01T10:00:00Z",
            )
            for n in range(count)
        ]

    async def list_calls(self, filters: CallFilters, limit: int, offset: int) -> Page[CallSummary]:
        items = tuple(self.calls[offset : offset + limit])
        return Page(items=items, total=len(self.calls), has_more=offset + limit < len(self.calls))


async def measure(loaded: int, filter_text: str) -> dict[str, float]:
    from textual.widgets import DataTable, Input

    from recbrowser.listing import CallListing
    from recbrowser.paths import Paths
    from recbrowser.settings import resolve
    from recbrowser.tui.app import RecBrowserApp
    from recbrowser.tui.screens.calls import CallsScreen

    pages = Pages(loaded + 200)
    paths = Paths.default()
    app = RecBrowserApp(paths=paths, resolved=resolve(paths, api_url_flag="http://127.0.0.1:9/functions/v1"))
    listing = CallListing(pages)
    while len(listing.calls) < loaded:  # loaded before the screen opens: the table is built once
        await listing.more()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause(0.5)
        screen = CallsScreen(listing, lambda form: CallListing(pages, form))
        await app.push_screen(screen)
        await pilot.pause()
        table = screen.query_one(DataTable)
        if filter_text:
            screen.query_one("#calls-filter", Input).value = filter_text
            await pilot.pause()
        before = table.row_count
        idle_started = time.perf_counter()
        await pilot.pause()  # what waiting for the app to be idle costs when nothing happens
        idle = time.perf_counter() - idle_started
        started = time.perf_counter()
        screen.action_more()
        while screen.listing_now:
            await asyncio.sleep(0)
        in_table = time.perf_counter() - started
        assert table.row_count > before, (before, table.row_count)
        await pilot.pause()
        appended = time.perf_counter() - started
        core_started = time.perf_counter()
        await listing.more()
        listing.matching(filter_text, len(listing.calls) - 100)
        core = time.perf_counter() - core_started
    return {"append": appended, "in_table": in_table, "core": core, "idle": idle}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check the script runs")
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    calls, runs = (300, 1) if args.quick else (args.calls, args.runs)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.pop("MAGPIPE_API_KEY", None)
        cases = [
            (calls, "no filter", ""),
            (calls, "quick filter 'billing'", "billing"),
            (100, "no filter (baseline)", ""),
        ]
        for loaded, what, filter_text in cases:
            figures = []
            for n in range(runs):
                for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
                    os.environ[name] = str(Path(tmp) / f"{name}-{what}-{n}")
                figures.append(asyncio.run(measure(loaded, filter_text)))
            rows.append(
                {
                    "what": f"append a page of 100 to {loaded:,} calls, {what}",
                    "median ms": median([f["append"] for f in figures]) * 1000,
                    "worst ms": max(f["append"] for f in figures) * 1000,
                    "rows in ms": median([f["in_table"] for f in figures]) * 1000,
                    "core ms": median([f["core"] for f in figures]) * 1000,
                    "idle wait alone ms": median([f["idle"] for f in figures]) * 1000,
                }
            )
    report(
        "calls_view",
        rows,
        [
            f"{runs} runs each; pages from an in-process list-calls stand-in (no network)",
            "append: from asking for the page until the app is idle with the rows in the table (rows in: until they are in it); "
            "core: the listing taking a page and the quick filter over it; "
            "idle wait alone: Pilot's wait for an idle app when nothing changed (part of every append figure)",
            "target: ≤ 50 ms for a page appended to 5,000 calls; the baseline appends the same page to 100 calls",
        ],
        save=not args.quick,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
