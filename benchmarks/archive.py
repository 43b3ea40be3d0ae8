"""A week's archive at internet latency: `recbrowser download --since` against what else a user has.

The fake's recordings host is shaped like a real one over the internet (``fakeapi.faults.INTERNET``:
80 ms per new connection, 40 ms to each first byte, 8 MB/s a connection, 40 MB/s in all; the API
answers in 300 ms). Workload: 200 calls in the date range x 2 segments x 2 MB. Side by side,
interleaved, medians:

  (a) `recbrowser download --since FROM --until TO -o DIR` (a whole process);
  (b) `archive_curl.sh`: the listing and the lookups with curl one after another, then
      `xargs -P 4` curl processes over the URLs;
  (c) `aria2c -j 16` handed the final URL list for free (skipped when aria2c is missing).

The physical bound: max(total bytes / link rate, lookups x API latency / recbrowser's lookup
concurrency) + one lookup + one file. Peak RSS of (a) is measured at 20 calls and at 200.

    python benchmarks/archive.py [--quick] [--runs N] [--calls N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from common import PYTHON, ROOT, bench_env, fake_api, median, report, run_measured, synthetic_calls

from recbrowser.fakeapi.faults import INTERNET
from recbrowser.lookups import DEFAULT_CONCURRENCY

START = "2026-03-01T10:00:00Z"
EVERY = 1800.0  # seconds between two calls: 200 calls span about four days of the week
SCRIPT = ROOT / "benchmarks" / "archive_curl.sh"


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def date_range(calls: int) -> tuple[str, str]:
    """From and to dates that hold exactly the first ``calls`` synthetic calls."""
    first = datetime.fromisoformat(START.replace("Z", "+00:00")).astimezone(timezone.utc)
    return _iso(first - timedelta(minutes=1)), _iso(first + timedelta(seconds=EVERY * (calls - 1) + 60))


def physical_bound(calls: int, segments: int, size: int) -> float:
    """Seconds no archive can beat on this link with recbrowser's lookup concurrency."""
    total = calls * segments * size
    transfer = total / INTERNET["net_link_rate"]
    lookups = calls * INTERNET["latency"] / DEFAULT_CONCURRENCY
    one_file = INTERNET["net_handshake"] + INTERNET["net_first_byte"] + size / INTERNET["net_connection_rate"]
    return max(transfer, lookups) + INTERNET["latency"] + one_file


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="6 calls of 2 x 100 kB, 1 run (CI smoke run)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    calls, small, size, runs = (6, 2, 100_000, 1) if args.quick else (args.calls, 20, 2_000_000, args.runs)
    segments = 2
    notes: list[str] = []
    aria2c = shutil.which("aria2c")
    if aria2c is None:
        notes.append("(c) skipped: aria2c is not installed (Debian package aria2)")
    served = synthetic_calls(calls, segments=segments, start=START, every=EVERY)
    faults = {**INTERNET, "recording_bytes": size}
    with (
        tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp,
        fake_api(calls=served, faults=faults) as (api_url, storage_url),
    ):
        env = bench_env(Path(tmp) / "home", api_url)
        out = Path(tmp) / "out"

        def fresh() -> None:
            shutil.rmtree(out, ignore_errors=True)
            os.sync()  # every run starts with no dirty pages, whoever ran before

        def ours(count: int) -> tuple[float, float]:
            fresh()
            since, until = date_range(count)
            argv = [PYTHON, "-m", "recbrowser", "download", "--since", since, "--until", until, "-o", str(out)]
            seconds, rss, code = run_measured(argv, env)
            files = len(list(out.rglob("*.wav")))
            if code != 0 or files != count * segments:
                raise SystemExit(f"recbrowser download exited {code} with {files} files")
            return seconds, rss

        def curl_script() -> float:
            fresh()
            seconds, _rss, code = run_measured(["bash", str(SCRIPT), *date_range(calls), str(out)], env)
            files = len(list(out.glob("*.wav")))
            if code != 0 or files != calls * segments:
                raise SystemExit(f"archive_curl.sh exited {code} with {files} files")
            return seconds

        urls = [
            f"{storage_url}/storage/v1/object/public/recordings/{call.call_id}/{index}.wav"
            for call in served
            for index in range(1, segments + 1)
        ]
        url_list = Path(tmp) / "urls.txt"
        url_list.write_text("".join(f"{url}\n  out={n}.wav\n" for n, url in enumerate(urls)))

        def aria() -> float:
            fresh()
            argv = [aria2c or "aria2c", "-q", "-j", "16", "-d", str(out), "-i", str(url_list)]
            seconds, _rss, code = run_measured([*argv, "--file-allocation=none", "--auto-file-renaming=false"])
            if code != 0 or len(list(out.glob("*.wav"))) != len(urls):
                raise SystemExit(f"aria2c exited {code}")
            return seconds

        a_runs: list[tuple[float, float]] = []
        small_runs: list[tuple[float, float]] = []
        b_runs: list[float] = []
        c_runs: list[float] = []
        for _ in range(runs):
            a_runs.append(ours(calls))
            b_runs.append(curl_script())
            if aria2c:
                c_runs.append(aria())
            small_runs.append(ours(small))
    a = median([seconds for seconds, _ in a_runs])
    b = median(b_runs)
    c = median(c_runs) if c_runs else None
    bound = physical_bound(calls, segments, size)
    rss_big, rss_small = max(rss for _, rss in a_runs), max(rss for _, rss in small_runs)
    rows: list[dict[str, object]] = [
        {"what": f"(a) recbrowser download --since ({calls} calls)", "seconds": a, "ratio": a / bound, "vs": "bound"},
        {"what": "physical bound", "seconds": bound, "ratio": 1.0, "vs": "bound"},
        {"what": "(b) curl script, xargs -P 4", "seconds": b, "ratio": b / a, "vs": "(b) / (a)"},
        {"what": "(c) aria2c -j 16, URLs given", "seconds": c, "ratio": a / c if c else None, "vs": "(a) / (c)"},
        {"what": f"(a) peak RSS MB, {small} calls", "seconds": None, "ratio": rss_small, "vs": "MB"},
        {"what": f"(a) peak RSS MB, {calls} calls", "seconds": None, "ratio": rss_big, "vs": "MB"},
    ]
    notes.append(
        f"{calls} calls x {segments} segments x {size / 1e6:g} MB; fake shaped by fakeapi.faults.INTERNET "
        f"{dict(INTERNET)}; {runs} interleaved runs, medians; recbrowser fsyncs every file, curl and aria2c do not"
    )
    notes.append(
        f"targets: (a) <= 1.25x the bound (got {a / bound:.2f}x); (a) >= 3x faster than (b) (got {b / a:.2f}x); "
        f"peak RSS flat from {small} to {calls} calls ({rss_small:.1f} -> {rss_big:.1f} MB)"
    )
    report("archive", rows, notes, save=not args.quick)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
