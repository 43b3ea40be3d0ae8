"""Shared pieces of the benchmarks: a fake API in its own process, timing, reporting.

Every figure is a ratio against a baseline run side by side in the same session (these
machines are noisy), with medians of several runs.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))

from recbrowser.fakeapi import DEMO_KEY, SampleCall, SegmentSpec  # noqa: E402

PYTHON = sys.executable


def synthetic_calls(
    count: int, *, segments: int = 1, start: str = "2026-03-01T10:00:00Z", every: float = 0.0
) -> list[SampleCall]:
    """``count`` calls with synced segments and deterministic IDs, the first started at ``start``
    and each next one ``every`` seconds later (0: all at once)."""
    first = datetime.fromisoformat(start.replace("Z", "+00:00"))
    calls = []
    for number in range(count):
        call_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"recbrowser-bench-{number}"))
        started = (first + timedelta(seconds=every * number)).strftime("%Y-%m-%dT%H:%M:%SZ")
        calls.append(
            SampleCall(
                call_id=call_id,
                description=f"benchmark call {number}",
                recordings=[
                    SegmentSpec(label="main" if i == 0 else f"leg_{i}", duration_seconds=60) for i in range(segments)
                ],
                started_at=started,
                duration=60,
                agent_id="a1f0c3d2-5b4e-4f6a-8c7d-9e0f1a2b3c4d",
                agent_name="Bench",
                from_number="+14155550100",
                to_number="+14155550101",
            )
        )
    return calls


def _serve(  # pragma: no cover
    conn, latency: float, calls: list[SampleCall] | None, public_storage_url: str | None, faults: dict[str, object]
) -> None:
    from recbrowser.fakeapi import FakeMagpipe

    fake = FakeMagpipe(calls=calls, public_storage_url=public_storage_url)
    fake.start()
    fake.faults.latency = latency
    for name, value in faults.items():
        setattr(fake.faults, name, value)
    conn.send((fake.api_url, fake.storage_url))
    conn.recv()  # block until told to stop
    fake.stop()


@contextmanager
def fake_api(
    *,
    latency: float = 0.0,
    calls: int | list[SampleCall] = 0,
    segments: int = 1,
    public_storage_url: str | None = None,
    faults: dict[str, object] | None = None,
) -> Iterator[tuple[str, str]]:
    """The fake API in a separate process (so it does not share our GIL); yields (api_url, storage_url).

    ``calls``: how many ``synthetic_calls`` (0: the sample calls), or the calls themselves;
    ``faults``: Faults fields to set once it runs (``fakeapi.faults.INTERNET``, ``recording_bytes``...)."""
    served = synthetic_calls(calls, segments=segments) if isinstance(calls, int) and calls else calls or None
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.Process(
        target=_serve, args=(child, latency, served, public_storage_url, dict(faults or {})), daemon=True
    )
    process.start()
    try:
        yield parent.recv()
    finally:
        parent.send("stop")
        process.join(10)
        if process.is_alive():
            process.kill()


def bench_env(home: Path, api_url: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_STATE_HOME=str(home / "state"),  # download records and the error log stay out of the user's
        MAGPIPE_API_KEY=DEMO_KEY,
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    if api_url:
        env["MAGPIPE_API_URL"] = api_url
    return env


_RUSAGE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n"
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)\n"
)


def run_measured(argv: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and exit code of one whole command, measured by a wrapper."""
    out = subprocess.run(
        [PYTHON, "-c", _RUSAGE, *argv], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), int(out[1]) / 1024, int(out[2])


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def report(name: str, rows: list[dict[str, object]], notes: Sequence[str] = (), *, save: bool = True) -> None:
    """Print a table and (unless a --quick run) keep the figures in benchmarks/results/<name>.json."""
    if save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        figures = {"rows": rows, "notes": list(notes), "when": time.strftime("%Y-%m-%d %H:%M")}
        (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n")
    if rows:
        keys = list(rows[0])
        widths = [max(len(str(k)), *(len(_fmt(r.get(k))) for r in rows)) for k in keys]
        print("  ".join(str(k).ljust(w) for k, w in zip(keys, widths, strict=False)))
        for row in rows:
            print("  ".join(_fmt(row.get(k)).ljust(w) for k, w in zip(keys, widths, strict=False)))
    for note in notes:
        print(f"note: {note}")


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)
