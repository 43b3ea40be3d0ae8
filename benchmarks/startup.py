"""Startup to first frame: `recbrowser` (key present, empty history) vs a minimal Textual app
with the same widgets, both headless, whole process. Target: <= 1.3x the minimal app.

    python benchmarks/startup.py [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import PYTHON, bench_env, median, report, run_measured

FIRST_FRAME = "async def first_frame(pilot):\n    await pilot.pause()\n    pilot.app.exit()\n"

MINIMAL = (
    FIRST_FRAME
    + """
from textual.app import App
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Input, OptionList, Static

class Minimal(App):
    def compose(self):
        yield Header()
        yield Input()
        yield Static()
        with Horizontal():
            yield OptionList()
            with Vertical():
                yield Static()
                yield DataTable()
                yield Static()
                yield Static()
        yield DataTable()
        yield Footer()

Minimal().run(headless=True, size=(120, 36), auto_pilot=first_frame)
"""
)

RECBROWSER = (
    FIRST_FRAME
    + """
import recbrowser.cli
from recbrowser.paths import Paths
from recbrowser.settings import resolve
from recbrowser.tui.app import RecBrowserApp

paths = Paths.default()
RecBrowserApp(paths=paths, resolved=resolve(paths)).run(headless=True, size=(120, 36), auto_pilot=first_frame)
"""
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 runs each (CI smoke run)")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    with tempfile.TemporaryDirectory() as tmp:
        env = bench_env(Path(tmp))
        times: dict[str, list[float]] = {"minimal": [], "recbrowser": []}
        rss: dict[str, list[float]] = {"minimal": [], "recbrowser": []}
        for _ in range(runs):  # interleaved, so drift hits both alike
            for name, code in (("minimal", MINIMAL), ("recbrowser", RECBROWSER)):
                seconds, peak, exit_code = run_measured([PYTHON, "-c", code], env)
                if exit_code != 0:
                    raise SystemExit(f"{name} exited with {exit_code}")
                times[name].append(seconds)
                rss[name].append(peak)
    base, ours = median(times["minimal"]), median(times["recbrowser"])
    report(
        "startup",
        [
            {"what": "minimal Textual app", "median_s": base, "peak_rss_mb": median(rss["minimal"])},
            {"what": "recbrowser", "median_s": ours, "peak_rss_mb": median(rss["recbrowser"])},
        ],
        [f"ratio recbrowser/minimal = {ours / base:.2f} (target <= 1.3), {runs} interleaved runs each"],
        save=not args.quick,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
