"""One-shot commands, whole process: `lookup ID` and `download ID` (one 100 KiB recording)
against the loopback fake, and `history --search` over 100,000 entries, each against the
floor of what it has to do, run interleaved with the same interpreter.

Targets: lookup <= 1.5x `python -c "import httpx, asyncio"`; download <= 2x that floor;
history --search <= 4x `python -c pass`.

    python benchmarks/oneshot.py [--quick] [--runs N] [--entries N] [--before PYTHON]

``--before PYTHON`` also runs the three commands with another interpreter whose environment
holds another checkout of recbrowser, interleaved with the rest, so before and after come
from the same run. The README's "before" is main at 1fecf86:

    git archive 1fecf86 | tar -x -C /tmp/base
    python3 -m venv /tmp/base/.venv && /tmp/base/.venv/bin/pip install -e /tmp/base
    python benchmarks/oneshot.py --runs 21 --before /tmp/base/.venv/bin/python
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from common import PYTHON, bench_env, median, report, synthetic_calls

RECORDING_BYTES = 100 * 1024
HTTPX_FLOOR = ("floor: python -c 'import httpx, asyncio'", ["-c", "import httpx, asyncio"])
BARE_FLOOR = ("floor: python -c pass", ["-c", "pass"])
STDLIB_FLOOR = (
    "python -c 'import sqlite3, argparse, json, pathlib'",
    ["-c", "import sqlite3, argparse, json, pathlib"],
)


HTTPX_POST = "reference: one httpx.AsyncClient POST to the API, nothing else"


def httpx_post(api_url: str, call_id: str) -> str:
    """A program that does only what an httpx-based lookup must: one POST on an event loop."""
    return (
        "import asyncio, os, httpx\n"
        "async def main():\n"
        "    async with httpx.AsyncClient() as client:\n"
        f"        answer = await client.post({api_url + '/get-signed-recording-url'!r}, json={{'call_id': {call_id!r}}},\n"
        "            headers={'Authorization': 'Bearer ' + os.environ['MAGPIPE_API_KEY']})\n"
        "        answer.raise_for_status()\n"
        "asyncio.run(main())\n"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve(conn, call_id: str) -> None:  # type: ignore[no-untyped-def]  # pragma: no cover - a child process
    """The fake API with one call whose one segment is ``RECORDING_BYTES`` on its recordings host."""
    from dataclasses import replace

    from recbrowser.fakeapi import FakeMagpipe, SegmentSpec

    storage_port = _free_port()
    (call,) = synthetic_calls(1)
    segment = SegmentSpec(label="main", url=f"http://127.0.0.1:{storage_port}/big/{RECORDING_BYTES}")
    fake = FakeMagpipe(storage_port=storage_port, calls=[replace(call, call_id=call_id, recordings=[segment])])
    fake.start()
    conn.send(fake.api_url)
    conn.recv()  # until told to stop
    fake.stop()


def _timed(argv: Sequence[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    code = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if code != 0:
        raise SystemExit(f"{' '.join(argv)} exited {code}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2 runs each, 1,000 history entries (CI smoke run)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--before", metavar="PYTHON", help="also run the commands with this interpreter's recbrowser")
    args = parser.parse_args()
    runs, entries = (2, 1000) if args.quick else (args.runs, args.entries)
    call_id = str(uuid.uuid5(uuid.NAMESPACE_URL, "recbrowser-bench-oneshot"))
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_serve, args=(child, call_id), daemon=True)
    server.start()
    try:
        api_url = parent.recv()
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp) / "home"
            env = bench_env(home, api_url)
            env["HOME"] = str(home)
            # As an installed program runs: from cached bytecode (kept out of the source tree),
            # even where the shell sets PYTHONDONTWRITEBYTECODE; the warm-up round writes it.
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
            filled_at = time.perf_counter()
            fill_history(env, entries)
            filled = time.perf_counter() - filled_at
            out = Path(tmp) / "out"

            def fresh_out() -> None:
                shutil.rmtree(out, ignore_errors=True)

            # --before's interpreter runs the recbrowser installed with it, not this checkout.
            before_env = {k: v for k, v in env.items() if k != "PYTHONPATH"}
            pythons = {"": (PYTHON, env), **({" (before)": (args.before, before_env)} if args.before else {})}
            measured: list[tuple[str, list[str], dict[str, str], Callable[[], None] | None]] = [
                (name, [PYTHON, *argv], env, None) for name, argv in (HTTPX_FLOOR, BARE_FLOOR, STDLIB_FLOOR)
            ]
            measured.append((HTTPX_POST, [PYTHON, "-c", httpx_post(api_url, call_id)], env, None))
            for tag, (python, command_env) in pythons.items():
                command = [python, "-m", "recbrowser"]
                measured += [
                    (f"lookup ID{tag}", [*command, "lookup", call_id], command_env, None),
                    (
                        f"download ID, 100 KiB{tag}",
                        [*command, "download", call_id, "-o", str(out)],
                        command_env,
                        fresh_out,
                    ),
                    (
                        f"history --search{tag}",
                        [*command, "history", "--search", "transfer", "--limit", "50"],
                        command_env,
                        None,
                    ),
                    (
                        f"history --search, no match: every row read{tag}",
                        [*command, "history", "--search", "zzz-none", "--limit", "50"],
                        command_env,
                        None,
                    ),
                ]
            times: dict[str, list[float]] = {name: [] for name, *_ in measured}
            cpu: dict[str, list[float]] = {name: [] for name, *_ in measured}
            for round_number in range(runs + 1):  # round 0 warms up: bytecode, page cache
                for name, argv, command_env, before_each in measured:
                    if before_each is not None:
                        before_each()
                    seconds, cpu_seconds = _timed(argv, command_env, Path(tmp))
                    if round_number:
                        times[name].append(seconds)
                        cpu[name].append(cpu_seconds)
    finally:
        parent.send("stop")
        server.join(10)
        if server.is_alive():
            server.kill()

    medians = {name: median(values) for name, values in times.items()}
    cpu_medians = {name: median(values) for name, values in cpu.items()}
    httpx_floor, bare_floor = medians[HTTPX_FLOOR[0]], medians[BARE_FLOOR[0]]
    cpu_floor = {HTTPX_FLOOR[0]: cpu_medians[HTTPX_FLOOR[0]], BARE_FLOOR[0]: cpu_medians[BARE_FLOOR[0]]}
    targets = {"lookup": (httpx_floor, HTTPX_FLOOR[0], 1.5), "download": (httpx_floor, HTTPX_FLOOR[0], 2.0)}
    targets["history"] = (bare_floor, BARE_FLOOR[0], 4.0)
    rows: list[dict[str, object]] = []
    for name, value in medians.items():
        kind = name.split()[0]
        floor, floor_name, target = targets.get(kind, (bare_floor, BARE_FLOOR[0], None))
        if name == HTTPX_POST:
            floor, floor_name = httpx_floor, HTTPX_FLOOR[0]
        target = None if name.endswith("(before)") or "no match" in name else target
        rows.append(
            {
                "what": name,
                "median_ms": value * 1000,
                "baseline": floor_name,
                "ratio": value / floor,
                "target": f"<= {target}x" if target else "",
                "met": ("yes" if value / floor <= target else "NO") if target else "",
                "cpu_ms": cpu_medians[name] * 1000,
                "cpu_ratio": cpu_medians[name] / cpu_floor[floor_name],
            }
        )
    notes = [
        f"{runs} interleaved runs of each after a warm-up round, medians; whole processes, same interpreter "
        f"({PYTHON}), same env (temp HOME and XDG dirs, MAGPIPE_API_URL/MAGPIPE_API_KEY, bytecode cached)",
        f"the history holds {entries} entries (filled in {filled:.1f} s); lookup and download run against the "
        f"fake API in its own process on loopback; download writes one {RECORDING_BYTES // 1024} KiB file, fsynced",
        "cpu: user + system seconds of the process alone (steadier than wall time on a shared machine; the fake "
        "API's work is not in it)",
    ]
    if args.before:
        notes.extend(
            f"{kind}: before {medians[f'{kind} (before)'] * 1000:.0f} ms -> now {medians[kind] * 1000:.0f} ms "
            f"({medians[f'{kind} (before)'] / medians[kind]:.2f}x faster)"
            for kind in (
                "lookup ID",
                "download ID, 100 KiB",
                "history --search",
                "history --search, no match: every row read",
            )
        )
    report("oneshot", rows, notes, save=not args.quick)
    return 0


def fill_history(env: dict[str, str], entries: int) -> None:
    """``entries`` history entries in the temp home, written by a child process with that home's env."""
    subprocess.run(
        [
            PYTHON,
            "-c",
            f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
            "from history_scale import fill; from recbrowser.paths import Paths; "
            f"fill(Paths.default().history_db, {entries})",
        ],
        env=env,
        check=True,
    )


if __name__ == "__main__":
    raise SystemExit(main())
