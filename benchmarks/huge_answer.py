"""A huge answer: two calls of 100,000 segments each, looked up in the app (headless, Pilot).
The calls are entered one after the other; for each, the time from Enter until its table is
shown (noted by a 10 ms timer inside the app, which also measures the worst event-loop stall,
storing the answer in the history included). Then the time of each switch between the two
calls (key press until the app is idle with the new table painted). The baseline is the same
run with two calls of 4 segments, side by side. Targets: the table shown within 1 s; a switch
under 100 ms more than the baseline's.

    python benchmarks/huge_answer.py [--quick] [--segments N] [--switches N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from common import bench_env, fake_api, median, report, synthetic_calls

TICK = 0.01


def note_arrivals() -> list[float]:
    """When each answer's last byte has arrived, as the client sees it (after it has read the whole
    body, before parsing it): the benchmark wraps the client's body reader to note it."""
    import recbrowser.client as client

    arrivals: list[float] = []
    read = client.read_limited

    async def noted(*args, **kwargs):  # type: ignore[no-untyped-def]
        body = await read(*args, **kwargs)
        arrivals.append(time.perf_counter())
        return body

    client.read_limited = noted  # type: ignore[assignment]
    return arrivals


def warm_up(api_url: str, call_ids: list[str]) -> None:
    """One lookup of each call before anything is timed: a server that caches its answers
    (the fake does for huge calls) is measured warm, as in steady use."""
    import httpx

    from recbrowser.fakeapi import DEMO_KEY

    with httpx.Client(timeout=60) as http:
        for call_id in call_ids:
            http.post(
                f"{api_url}/get-signed-recording-url",
                json={"call_id": call_id},
                headers={"Authorization": f"Bearer {DEMO_KEY}"},
            ).raise_for_status()


async def measure(
    api_url: str, call_ids: list[str], segments: int, switches: int, arrivals: list[float]
) -> dict[str, object]:
    from recbrowser.paths import Paths
    from recbrowser.settings import resolve
    from recbrowser.tui.app import RecBrowserApp
    from recbrowser.tui.widgets.call_header import CallHeader
    from recbrowser.tui.widgets.call_list import CallList
    from recbrowser.tui.widgets.segment_table import SegmentTable

    paths = Paths.default()
    app = RecBrowserApp(paths=paths, resolved=resolve(paths, api_url_flag=api_url))
    gaps: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause(1.0)  # start-up work (first frames, session restore, warm-up) done
        screen = app.screen
        last = [time.perf_counter()]
        table = screen.query_one(SegmentTable)
        seen: dict[str, float] = {}  # when the call looked up was entered, and when the app first showed it
        looking_up = [""]

        def shown(call_id: str) -> bool:
            state = screen.book.calls.get(call_id)  # none until Enter is handled
            return (
                state is not None
                and state.recordings is not None
                and not state.loading
                and screen.query_one(CallList).current_call_id == call_id
                and table.row_count > 0
            )

        def tick() -> None:
            now = time.perf_counter()
            gaps.append(now - last[0] - TICK)
            last[0] = now
            if "entered" in seen and "shown" not in seen and shown(looking_up[0]):
                seen["shown"] = now

        timer = app.set_interval(TICK, tick)
        shown_times, server_times, app_times = [], [], []
        for call_id in call_ids:  # one at a time: an answer of 100,000 segments, from Enter until its table shows
            seen.clear()
            looking_up[0] = call_id
            await pilot.press("slash")
            screen.query_one("#ids").value = call_id
            seen["entered"] = time.perf_counter()
            await pilot.press("enter")
            while "shown" not in seen and app.is_running:
                await pilot.pause(0.005)
            shown_times.append(seen["shown"] - seen["entered"])
            arrived = min(t for t in arrivals if t >= seen["entered"])  # this lookup's answer
            server_times.append(arrived - seen["entered"])
            app_times.append(seen["shown"] - arrived)
            header = str(screen.query_one(CallHeader).render())
            assert f"{segments} segment" in header, header  # the exact count, whatever is listed
            await app.workers.wait_for_complete()  # the answer is in the history too
            await pilot.pause(0.5)
        loading_stall = max(gaps, default=0.0)

        screen.query_one(CallList).select_call(call_ids[0])
        screen.query_one(CallList).focus()
        await pilot.pause(1.0)
        gaps.clear()
        switch_times = []
        for n in range(switches):
            await pilot.pause(1.0)  # the table of the last switch is complete (rows are added in batches)
            start = time.perf_counter()
            await pilot.press("down" if n % 2 == 0 else "up")
            await pilot.pause()
            switch_times.append(time.perf_counter() - start)
            assert screen.query_one(CallList).current_call_id == call_ids[(n + 1) % 2]
        timer.stop()
        await pilot.pause(1.0)
    return {
        "shown": shown_times,
        "server": server_times,
        "app": app_times,
        "loading_stall": loading_stall,
        "switches": switch_times,
        "switch_stall": max(gaps, default=0.0),
        "rows": table.row_count,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2 x 2,000 segments, 2 switches (CI smoke run)")
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--switches", type=int, default=6)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    segments, switches = (2000, 2) if args.quick else (args.segments, args.switches)
    if args.quick:
        args.runs = 1
    call_ids = [call.call_id for call in synthetic_calls(2)]
    arrivals = note_arrivals()
    runs: dict[str, list[dict[str, object]]] = {"huge": [], "baseline": []}
    with (
        tempfile.TemporaryDirectory() as tmp,
        fake_api(calls=2, segments=segments) as (huge_url, _),
        fake_api(calls=2, segments=4) as (small_url, _),
    ):
        env = bench_env(Path(tmp))
        warm_up(huge_url, call_ids)
        warm_up(small_url, call_ids)
        os.environ.update(
            {k: env[k] for k in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "MAGPIPE_API_KEY")}
        )
        os.environ["XDG_STATE_HOME"] = str(Path(tmp) / "state")
        for n in range(args.runs):  # interleaved, so both see the same machine load
            for kind, url, count in (("baseline", small_url, 4), ("huge", huge_url, segments)):
                os.environ["XDG_DATA_HOME"] = str(Path(tmp) / f"data-{kind}-{n}")  # an empty history each time
                runs[kind].append(asyncio.run(measure(url, call_ids, count, switches, arrivals)))

    def figure(kind: str, key: str, pick=median) -> float:  # type: ignore[no-untyped-def]
        values = [run[key] for run in runs[kind]]
        flat = [v for value in values for v in (value if isinstance(value, list) else [value])]
        return pick(flat) * 1000

    rows = []
    for what, key, pick in (
        ("Enter until the table is shown (one call)", "shown", median),
        ("Enter until the table is shown, worst", "shown", max),
        ("  server's share: Enter until the answer's last byte has arrived", "server", median),
        ("  app's share: last byte until the table is shown", "app", median),
        ("  app's share, worst", "app", max),
        ("worst event-loop stall while the answers load", "loading_stall", max),
        ("switch between the two calls, median", "switches", median),
        ("switch between the two calls, worst", "switches", max),
        ("worst event-loop stall while switching", "switch_stall", max),
    ):
        rows.append({"what": what, "huge ms": figure("huge", key, pick), "baseline ms": figure("baseline", key, pick)})
    rows.append(
        {
            "what": "rows in the segments table",
            "huge ms": runs["huge"][-1]["rows"],
            "baseline ms": runs["baseline"][-1]["rows"],
        }
    )
    report(
        "huge_answer",
        rows,
        [
            f"huge: 2 calls x {segments:,} segments; baseline: 2 calls x 4 segments; {args.runs} interleaved runs of {switches} switches",
            "targets: the table shown within 1 s of Enter; a switch under 100 ms more than the baseline's; "
            "the header keeps the exact segment count",
            "the server's and the app's shares split each Enter-to-table time where the client has read "
            "the answer's last byte (the benchmark wraps the client's body reader to note it); "
            "the fake API is warmed up with one lookup of each call first",
            "each call is entered on its own, and the app is let finish (history included) before the next",
            "a switch is timed from the key press until the app is idle again (the new table painted); "
            "the stall while switching also covers the rows added in batches afterwards",
        ],
        save=not args.quick,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
