"""History at scale: 100,000 entries. Time to open the history screen and per-keystroke
filter latency in the TUI (Pilot, headless), and `recbrowser history --search` from the CLI.
Targets: <= 50 ms per keystroke; <= 100 ms per search.

Every entry has its call's metadata (numbers, agent, a summary of a few sentences) and its
stored details with a transcript of about 3 KB, as a history filled by the app would; the
searches include a number typed loosely, an agent's name and a summary word.

    python benchmarks/history_scale.py [--quick] [--entries N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from common import PYTHON, bench_env, median, report

LABELS = ["main", "transfer_conference", "transferee_consult", "back_to_agent", "conversation", "reconnect_to_agent"]
AGENTS = ["Front Desk", "Billing Assistant", "Support Line", "After Hours", "Sales Desk", "Returns"]
SUMMARY_WORDS = [
    "caller",
    "asked",
    "about",
    "an",
    "order",
    "refund",
    "delivery",
    "invoice",
    "table",
    "booking",
    "appointment",
    "password",
    "reset",
    "the",
    "agent",
    "confirmed",
    "scheduled",
    "escalated",
    "transferred",
    "explained",
    "promised",
    "a",
    "callback",
    "tomorrow",
]


def metadata(rng: random.Random, call_id: str, started: float) -> object:
    """A call as get-call would answer it: numbers, agent, times, a summary and a transcript."""
    from datetime import datetime, timezone

    from recbrowser.calls import CallDetails

    when = datetime.fromtimestamp(started, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    turns = [
        f"{'Agent' if turn % 2 else 'Caller'}: " + " ".join(rng.choices(SUMMARY_WORDS, k=12)) for turn in range(36)
    ]
    return CallDetails.from_api(
        {
            "id": call_id,
            "direction": rng.choice(["inbound", "outbound"]),
            "from_number": f"+1415{rng.randrange(10**7):07d}",
            "to_number": "+14155550100",
            "agent_id": f"agent-{rng.randrange(6)}",
            "agent_name": rng.choice(AGENTS),
            "started_at": when,
            "ended_at": when,
            "duration": rng.randint(20, 900),
            "status": "completed",
            "sentiment": rng.choice(["positive", "neutral", "negative"]),
            "call_summary": " ".join(rng.choices(SUMMARY_WORDS, k=30)).capitalize() + ".",
            "transcript": "\n".join(turns),
        }
    )


def fill(db_path: Path, entries: int) -> None:
    from recbrowser.history import HistoryStore
    from recbrowser.historymeta import stored_columns

    store = HistoryStore(db_path)
    rng = random.Random(7)
    now = time.time()
    rows = []
    details = []
    meta: list[tuple[object, ...]] = []
    for number in range(entries):
        labels = rng.sample(LABELS, rng.randint(1, 3))
        body = {
            "call_id": "",
            "recording_url": None,
            "recordings": [
                {"url": f"https://storage.example/{number}/{i}.mp3", "label": label, "status": "synced"}
                for i, label in enumerate(labels)
            ],
        }
        call_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        body["call_id"] = call_id
        when = now - number * 60
        rows.append(
            (
                call_id,
                when,
                when,
                rng.randint(1, 5),
                "ok",
                len(labels),
                len(labels),
                0,
                json.dumps(body),
                when,
                " ".join(labels),
            )
        )
        columns = stored_columns(metadata(rng, call_id, when))
        details.append((call_id, columns.pop("details"), when))
        meta.append((*columns.values(), when, call_id))
    with store._write() as db:
        db.executemany(
            "INSERT INTO calls (call_id, first_looked_up_at, last_looked_up_at, lookups, outcome, segments, synced, pending, response, response_at, labels)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        names = list(stored_columns(metadata(rng, "x", now)))
        names.remove("details")
        db.executemany(
            f"UPDATE calls SET {', '.join(f'{name} = ?' for name in names)}, details_at = ? WHERE call_id = ?", meta
        )
        db.executemany("INSERT INTO call_details (call_id, details, fetched_at) VALUES (?, ?, ?)", details)
    store.close()


async def tui_timings(env_home: Path, typed: str) -> tuple[float, list[float]]:
    """Open the history screen, then type; each keystroke is timed inside the app, from the
    input's Changed event until the table with that filter's rows has been painted."""
    from recbrowser.paths import Paths
    from recbrowser.settings import resolve
    from recbrowser.tui.app import RecBrowserApp
    from recbrowser.tui.screens import history as history_screen

    changed_at: dict[str, float] = {}
    painted_at: dict[str, float] = {}
    original_query = history_screen.HistoryScreen.query_entries
    original_show = history_screen.HistoryScreen._show_entries

    def timed_query(self, search):  # type: ignore[no-untyped-def]
        changed_at.setdefault(search, time.perf_counter())
        return original_query(self, search)

    def timed_show(self, search, entries, total):  # type: ignore[no-untyped-def]
        original_show(self, search, entries, total)
        self.call_after_refresh(lambda: painted_at.setdefault(search, time.perf_counter()))

    history_screen.HistoryScreen.query_entries = timed_query
    history_screen.HistoryScreen._show_entries = timed_show
    paths = Paths.default()
    app = RecBrowserApp(paths=paths, resolved=resolve(paths))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("escape")
        start = time.perf_counter()
        await pilot.press("h")
        while "" not in painted_at:
            await pilot.pause(0.001)
        opened = painted_at[""] - start
        per_key = []
        for position in range(1, len(typed) + 1):
            expected = typed[:position]
            await pilot.press(typed[position - 1])
            while expected not in painted_at:
                await pilot.pause(0.001)
            per_key.append(painted_at[expected] - changed_at[expected])
        assert app.screen.shown_rows
    return opened, per_key


async def echo_floor(typed: str) -> list[float]:
    """The framework's own floor: a bare Textual app whose Input only echoes the keystroke,
    timed the same way (from the change until the next paint)."""
    from textual.app import App
    from textual.widgets import Input, OptionList

    painted: dict[str, float] = {}
    changed: dict[str, float] = {}

    class Echo(App):
        def compose(self):  # type: ignore[no-untyped-def]
            yield Input()
            yield OptionList()

        def on_input_changed(self, event: Input.Changed) -> None:
            changed[event.value] = time.perf_counter()
            self.call_after_refresh(lambda: painted.setdefault(event.value, time.perf_counter()))

    app = Echo()
    async with app.run_test(size=(120, 36)) as pilot:
        per_key = []
        for position in range(1, len(typed) + 1):
            expected = typed[:position]
            await pilot.press(typed[position - 1])
            while expected not in painted:
                await pilot.pause(0.001)
            per_key.append(painted[expected] - changed[expected])
    return per_key


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1,000 entries (CI smoke run)")
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    entries = 1000 if args.quick else args.entries
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = bench_env(home)
        os.environ.update({k: env[k] for k in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "MAGPIPE_API_KEY")})
        from recbrowser.history import HistoryStore
        from recbrowser.paths import Paths

        db_path = Paths.default().history_db
        start = time.perf_counter()
        fill(db_path, entries)
        filled = time.perf_counter() - start

        store = HistoryStore(db_path)
        queries = ["transfer", "7f", "back_to", "zzz-none", "a1b2", "415 555-01", "billing", "refund"]
        in_process = []
        for query in queries * 3:
            start = time.perf_counter()
            store.entries(search=query, limit=300)
            in_process.append(time.perf_counter() - start)
        store.close()

        whole, bare = [], []
        for query in queries:
            start = time.perf_counter()
            subprocess.run(
                [PYTHON, "-m", "recbrowser", "history", "--search", query, "--limit", "50"],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            whole.append(time.perf_counter() - start)
            start = time.perf_counter()
            subprocess.run([PYTHON, "-c", "pass"], check=True)
            bare.append(time.perf_counter() - start)

        opened, per_key = asyncio.run(tui_timings(home, "transfer"))
        floor = asyncio.run(echo_floor("transfer"))
    report(
        "history_scale",
        [
            {"what": f"fill {entries} entries", "ms": filled * 1000},
            {"what": "search, in process (median)", "ms": median(in_process) * 1000},
            {"what": "`history --search` whole process (median)", "ms": median(whole) * 1000},
            {"what": "bare `python -c pass` (baseline)", "ms": median(bare) * 1000},
            {"what": "TUI: open the history screen", "ms": opened * 1000},
            {"what": "TUI: per keystroke, median", "ms": median(per_key) * 1000},
            {"what": "TUI: per keystroke, worst", "ms": max(per_key) * 1000},
            {"what": "baseline: bare Textual Input echo, median", "ms": median(floor) * 1000},
        ],
        [
            "targets: <= 50 ms per keystroke; <= 100 ms per search (in process; the whole command adds Python start-up)",
            "the bare echo is the framework's floor for a keystroke that changes no list",
            "a keystroke is timed inside the app, from the input's change until the table with that filter's rows is painted",
        ],
        save=not args.quick,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
