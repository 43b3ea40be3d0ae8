"""The recordings transport: the stdlib's http.client (what fetch uses) vs urllib3 (issue 9 asked
to prefer it unless it is more than 5% slower).

Two things can differ: the read loop (1 GiB from nginx on loopback, read and dropped, so the
disk does not drown the difference; each variant in turn, several interleaved runs, medians and
CPU seconds), and the start-up of every `recbrowser download` process (importing urllib3 on top
of what fetch already imports; many interleaved runs). urllib3 is not a dependency: without it
its rows are left out, with a note (`pip install urllib3` to compare).

    python benchmarks/transport_choice.py [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import os
import subprocess
import tempfile
import time
from pathlib import Path

from common import PYTHON, ROOT, median, report
from download import MiB, Nginx, ensure_nginx, write_file

from recbrowser.fakeapi import FakeMagpipe
from recbrowser.fetch import _receive


def read_loops(host: str, port: int, path: str) -> dict[str, object]:
    buffer = memoryview(bytearray(MiB))

    def http_client_readinto() -> int:
        connection = http.client.HTTPConnection(host, port, timeout=30)
        connection.request("GET", path)
        response, total = connection.getresponse(), 0
        while count := response.readinto(buffer):
            total += count
        connection.close()
        return total

    def fetch_receive() -> int:  # fetch's loop: what has arrived, straight into the 1 MiB buffer
        connection = http.client.HTTPConnection(host, port, timeout=30)
        connection.request("GET", path)
        response, total, pending = connection.getresponse(), 0, 0
        while count := _receive(response, buffer[pending:]):
            total += count
            pending = 0 if pending + count == MiB else pending + count
        connection.close()
        return total

    loops = {
        "http.client readinto (before)": http_client_readinto,
        "http.client, one receive at a time (fetch now)": fetch_receive,
    }
    if importlib.util.find_spec("urllib3") is not None:
        import urllib3

        pool = urllib3.PoolManager()

        def urllib3_read1() -> int:
            response = pool.request("GET", f"http://{host}:{port}{path}", preload_content=False, decode_content=False)
            total = 0
            while data := response.read1(MiB):
                total += len(data)
            response.release_conn()
            return total

        def urllib3_stream() -> int:
            response = pool.request("GET", f"http://{host}:{port}{path}", preload_content=False, decode_content=False)
            total = sum(len(chunk) for chunk in response.stream(MiB))
            response.release_conn()
            return total

        loops.update({"urllib3 read1": urllib3_read1, "urllib3 stream": urllib3_stream})
    return loops


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="8 MiB, 1 run, no nginx (smoke run)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    size, runs, import_runs = (8 * MiB, 1, 2) if args.quick else (1024 * MiB, args.runs, 25)
    notes: list[str] = []
    rows: list[dict[str, object]] = []
    binary = None if args.quick else ensure_nginx(install=True)
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp, FakeMagpipe() as fake:
        tmp_path = Path(tmp)
        tmp_path.chmod(0o755)
        if binary:
            write_file(tmp_path / "www" / "f.bin", size)
            server = Nginx(binary, tmp_path / "www", tmp_path)
            host, port, path = "127.0.0.1", server.port, "/f.bin"
        else:
            server = None
            host, port = "127.0.0.1", int(fake.storage_url.rsplit(":", 1)[1])
            path = f"/big/{size}"
            notes.append("nginx unavailable (or --quick): the fake API's recordings host serves the bytes")
        try:
            loops = read_loops(host, port, path)
            seconds = {name: [] for name in loops}
            cpu = {name: [] for name in loops}
            for _ in range(runs):
                for name, loop in loops.items():
                    started, used = time.perf_counter(), time.process_time()
                    assert loop() == size, name
                    seconds[name].append(time.perf_counter() - started)
                    cpu[name].append(time.process_time() - used)
            rows.extend(
                {
                    "what": f"read loop: {name}",
                    "MBps": size / median(seconds[name]) / 1e6,
                    "cpu_s": median(cpu[name]),
                    "ms": None,
                }
                for name in loops
            )
        finally:
            if server:
                server.stop()
    if importlib.util.find_spec("urllib3") is None:
        notes.append("urllib3 is not installed: `pip install urllib3` to compare it")
    else:
        variants = {
            "start-up: import recbrowser.fetch": "import recbrowser.fetch",
            "start-up: + import urllib3": "import urllib3, recbrowser.fetch",
        }
        times: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(import_runs):
            for name, code in variants.items():
                started = time.perf_counter()
                subprocess.run([PYTHON, "-c", code], cwd=ROOT, check=True)
                times[name].append(time.perf_counter() - started)
        rows.extend({"what": name, "MBps": None, "cpu_s": None, "ms": median(times[name]) * 1000} for name in variants)
    notes.append(
        f"{runs} interleaved runs of {size // MiB} MiB per read loop; {import_runs} interleaved start-ups; medians"
    )
    report("transport_choice", rows, notes, save=not args.quick)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
