"""Bulk lookup: 100 call IDs in one `recbrowser lookup --json` against the fake API with
20 ms latency per request, vs 100 sequential curl calls. Target: >= 3x faster than curl.

    python benchmarks/bulk_lookup.py [--quick] [--runs N] [--calls N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from common import DEMO_KEY, PYTHON, bench_env, fake_api, median, report, synthetic_calls


def run_recbrowser(ids: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    out = subprocess.run(
        [PYTHON, "-m", "recbrowser", "lookup", "--json", *ids], env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    if out.returncode != 0 or len(lines) != len(ids) or any("error" in line for line in lines):
        raise SystemExit(f"recbrowser lookup failed ({out.returncode}): {out.stderr[-500:]}")
    return elapsed


def run_curl(ids: list[str], api_url: str) -> float:
    start = time.perf_counter()
    for call_id in ids:
        subprocess.run(
            [
                "curl",
                "-sf",
                "-X",
                "POST",
                f"{api_url}/get-signed-recording-url",
                "-H",
                f"Authorization: Bearer {DEMO_KEY}",
                "-H",
                "Content-Type: application/json",
                "-d",
                json.dumps({"call_id": call_id}),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10 calls, 1 run (CI smoke run)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.02)
    args = parser.parse_args()
    calls, runs = (10, 1) if args.quick else (args.calls, args.runs)
    if not shutil.which("curl"):
        raise SystemExit("curl is needed for the baseline")
    ids = [call.call_id for call in synthetic_calls(calls)]
    with tempfile.TemporaryDirectory() as tmp, fake_api(latency=args.latency, calls=calls) as (api_url, _storage):
        env = bench_env(Path(tmp), api_url)
        ours, theirs = [], []
        for _ in range(runs):
            theirs.append(run_curl(ids, api_url))
            ours.append(run_recbrowser(ids, env))
    ratio = median(theirs) / median(ours)
    report(
        "bulk_lookup",
        [
            {"what": f"{calls} sequential curl calls", "median_s": median(theirs)},
            {"what": f"recbrowser lookup --json ({calls} IDs, 4 at a time)", "median_s": median(ours)},
        ],
        [
            f"recbrowser is {ratio:.2f}x faster than sequential curl (target >= 3), {args.latency * 1000:.0f} ms latency, {runs} runs"
        ],
        save=not args.quick,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
