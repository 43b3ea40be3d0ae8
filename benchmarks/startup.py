"""Startup to first frame: `recbrowser` (key present, empty history) vs a minimal Textual app
with the same widgets, both headless. Target: <= 1.3x the minimal app.

Two figures each: the whole process (start, first frame, quit), and from launch until the first
frame (Textual's Ready event, noted by the process itself). Twice: on the call-ID input (as
tests and --demo open the app), and on the calls view (as `recbrowser` opens with a key and no
IDs), against the fake API with 150 calls, beside a minimal app that also pushes a screen with
the calls view's widgets. The first list-calls request should go out after the first frame: the
calls runs note which came first.

    python benchmarks/startup.py [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import PYTHON, bench_env, fake_api, median, report, run_measured

PROBE = """
import os, time

def probe(what):
    with open(os.environ["BENCH_PROBE_FILE"], "a") as out:
        out.write(f"{what} {time.time()!r}\\n")

async def first_frame(pilot):
    await pilot.pause()
    pilot.app.exit()
"""

MINIMAL = (
    PROBE
    + """
from textual.app import App
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, OptionList, Static

class Calls(Screen):
    def compose(self):
        yield Header()
        yield Input()
        yield Static()
        yield DataTable()
        yield Footer()

    def on_mount(self):
        self.query_one(DataTable).add_columns("Time", "Direction", "Number", "Agent", "Duration", "Status")

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

    def on_mount(self):
        if os.environ.get("BENCH_CALLS_VIEW"):
            self.push_screen(Calls())

    def on_ready(self):
        probe("frame")

Minimal().run(headless=True, size=(120, 36), auto_pilot=first_frame)
"""
)

RECBROWSER = (
    PROBE
    + """
from pathlib import Path
import recbrowser.cli
import recbrowser.tui.app
from recbrowser.paths import Paths
from recbrowser.settings import resolve
from recbrowser.tui.app import RecBrowserApp

from recbrowser.lister import ListerWhenNeeded

made_by = ListerWhenNeeded.__init__

def noting_maker(self, make):  # the benchmark's own probe: when the client first sends list-calls
    def make_noted():
        client = make()
        list_calls = client.list_calls

        async def noted(*args, **kwargs):
            probe("page")
            return await list_calls(*args, **kwargs)

        client.list_calls = noted
        return client

    made_by(self, make_noted)

ListerWhenNeeded.__init__ = noting_maker

class Noted(RecBrowserApp):
    CSS_PATH = str(Path(recbrowser.tui.app.__file__).with_name(RecBrowserApp.CSS_PATH))  # not relative to "-c"

    def on_ready(self):
        probe("frame")

paths = Paths.default()
on_calls = bool(os.environ.get("BENCH_CALLS_VIEW"))
Noted(paths=paths, resolved=resolve(paths), start_on_calls=on_calls).run(
    headless=True, size=(120, 36), auto_pilot=first_frame
)
"""
)


def run_once(code: str, env: dict[str, str], probe_file: Path) -> tuple[float, float, float, bool]:
    """Whole-process seconds, seconds from launch to the first frame, peak RSS (MB), and
    whether the first list-calls request went out before the first frame."""
    probe_file.unlink(missing_ok=True)
    launched = time.time()
    seconds, peak, exit_code = run_measured([PYTHON, "-c", code], env)
    if exit_code != 0:
        raise SystemExit(f"a run exited with {exit_code}")
    noted: dict[str, float] = {}
    for line in probe_file.read_text().splitlines():
        what, when = line.split()
        noted.setdefault(what, float(when))
    return seconds, noted["frame"] - launched, peak, noted.get("page", float("inf")) < noted["frame"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 runs each (CI smoke run)")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    cases = (
        ("minimal", MINIMAL, False),
        ("recbrowser", RECBROWSER, False),
        ("minimal, calls view", MINIMAL, True),
        ("recbrowser, calls view", RECBROWSER, True),
    )
    whole: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    frame: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    rss: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    page_first = 0
    with tempfile.TemporaryDirectory() as tmp, fake_api(calls=150) as (api_url, _):
        probe_file = Path(tmp) / "probe"
        for _ in range(runs):  # interleaved, so drift hits all alike
            for name, code, on_calls in cases:
                env = bench_env(Path(tmp), api_url if on_calls else None)
                env["BENCH_PROBE_FILE"] = str(probe_file)
                if on_calls:
                    env["BENCH_CALLS_VIEW"] = "1"
                seconds, to_frame, peak, early = run_once(code, env, probe_file)
                whole[name].append(seconds)
                frame[name].append(to_frame)
                rss[name].append(peak)
                page_first += early

    def ratio(figures: dict[str, list[float]], ours: str, base: str) -> str:
        return f"{median(figures[ours]) / median(figures[base]):.2f}"

    report(
        "startup",
        [
            {
                "what": name,
                "median_s": median(whole[name]),
                "first_frame_s": median(frame[name]),
                "peak_rss_mb": median(rss[name]),
            }
            for name, _, _ in cases
        ],
        [
            f"whole process: recbrowser/minimal = {ratio(whole, 'recbrowser', 'minimal')}, on the calls view "
            f"{ratio(whole, 'recbrowser, calls view', 'minimal, calls view')} (target <= 1.3); "
            f"{runs} interleaved runs each",
            f"launch to first frame: recbrowser/minimal = {ratio(frame, 'recbrowser', 'minimal')}, on the calls view "
            f"{ratio(frame, 'recbrowser, calls view', 'minimal, calls view')} (target <= 1.3)",
            f"the first list-calls request went out before the first frame in {page_first} of {runs} calls-view runs",
        ],
        save=not args.quick,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
