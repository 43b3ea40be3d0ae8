"""Download throughput and memory: `recbrowser download` vs `curl -o` from the same server.

A 1 GiB file served by nginx on loopback (installed from the system packages when missing;
the fake API's own recordings host is the fallback, with a note). Targets: >= 1.0x curl's
throughput; peak RSS <= 120 MB; peak RSS for 100 MiB and 1 GiB within 10%; and three
300 MiB files at once (recbrowser --jobs 3 vs three curl processes in parallel).

    python benchmarks/download.py [--quick] [--runs N] [--no-install]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from common import PYTHON, bench_env, fake_api, median, report, run_measured, synthetic_calls

MiB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_nginx(install: bool) -> str | None:
    found = shutil.which("nginx") or (os.path.exists("/usr/sbin/nginx") and "/usr/sbin/nginx")
    if found or not install or os.geteuid() != 0:
        return found or None
    for command in (
        ["apt-get", "install", "-y", "-q", "nginx-light"],
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "nginx"],
    ):
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        found = shutil.which("nginx") or (os.path.exists("/usr/sbin/nginx") and "/usr/sbin/nginx")
        if found:
            return found
    return None


def write_file(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    block = os.urandom(16 * MiB)
    with open(path, "wb") as handle:
        left = size
        while left:
            count = min(left, len(block))
            handle.write(block[:count])
            left -= count


class Nginx:
    def __init__(self, binary: str, root: Path, workdir: Path) -> None:
        self.port = free_port()
        conf = workdir / "nginx.conf"
        conf.write_text(
            f"""
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    types {{ audio/wav wav; }}
    server {{ listen 127.0.0.1:{self.port}; root {root}; }}
}}
"""
        )
        self.process = subprocess.Popen(
            [binary, "-c", str(conf), "-p", str(workdir), "-g", "daemon off;"], stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("nginx did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="8 MiB files, 1 run (CI smoke run)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-install", action="store_true", help="do not install nginx when missing")
    args = parser.parse_args()
    big, small, multi, runs = (
        (8 * MiB, 2 * MiB, 3 * MiB, 1) if args.quick else (1024 * MiB, 100 * MiB, 300 * MiB, args.runs)
    )
    notes = []
    binary = None if args.quick else ensure_nginx(not args.no_install)
    calls = synthetic_calls(3, segments=1)
    multi_call = synthetic_calls(4, segments=3)[3]
    sizes = {calls[0].call_id: [big], calls[1].call_id: [small], multi_call.call_id: [multi] * 3}
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        tmp_path = Path(tmp)
        tmp_path.chmod(0o755)  # nginx's workers run as another user
        www = tmp_path / "www"
        for call_id, files in sizes.items():
            for index, size in enumerate(files, start=1):
                write_file(www / "storage/v1/object/public/recordings" / call_id / f"{index}.wav", size)
        server = Nginx(binary, www, tmp_path) if binary else None
        if server is None:
            notes.append(
                "nginx unavailable: served by the fake API's recordings host (a Python server, slower than nginx)"
            )
        try:
            with fake_api(calls=4, segments=3, public_storage_url=server.url if server else None) as (
                api_url,
                storage_url,
            ):
                base = server.url if server else storage_url
                if server is None:
                    notes.append(
                        "fallback host serves generated WAVs, not these files: figures compare like with like only roughly"
                    )
                env = bench_env(tmp_path / "home", api_url)
                out = tmp_path / "out"
                rows = []

                def ours(call_id: str, count: int) -> tuple[float, float]:
                    shutil.rmtree(out, ignore_errors=True)
                    os.sync()  # start from no dirty pages, whoever ran before
                    labels = ["main", "leg_1", "leg_2"][:count]  # the fake lists 3 segments per call
                    argv = [PYTHON, "-m", "recbrowser", "download", call_id, "-o", str(out), "--jobs", "3"]
                    seconds, rss, code = run_measured(argv + [f"--label={label}" for label in labels], env)
                    if code != 0:
                        raise SystemExit(f"recbrowser download exited {code}")
                    return seconds, rss

                def curl(call_id: str, count: int, durable: bool = False) -> tuple[float, float]:
                    shutil.rmtree(out, ignore_errors=True)
                    os.sync()
                    out.mkdir(parents=True)
                    urls = [
                        f"{base}/storage/v1/object/public/recordings/{call_id}/{i}.wav" for i in range(1, count + 1)
                    ]
                    # durable: `sync FILE` fsyncs it, the guarantee recbrowser gives before renaming
                    fetch_one = (
                        "(curl -sf -o {out}/{i}.wav {u} && sync {out}/{i}.wav)"
                        if durable
                        else "curl -sf -o {out}/{i}.wav {u}"
                    )
                    argv = [
                        "sh",
                        "-c",
                        " & ".join(fetch_one.format(out=out, i=i, u=u) for i, u in enumerate(urls)) + " & wait",
                    ]
                    seconds, rss, code = run_measured(argv)
                    if code != 0:
                        raise SystemExit(f"curl exited {code}")
                    return seconds, rss

                for label, call_id, count in (
                    (f"{big // MiB} MiB", calls[0].call_id, 1),
                    (f"{small // MiB} MiB", calls[1].call_id, 1),
                    (f"3 x {multi // MiB} MiB at once", multi_call.call_id, 3),
                ):
                    total = sum(sizes[call_id])
                    c_runs, d_runs, r_runs = [], [], []
                    for _ in range(runs):
                        c_runs.append(curl(call_id, count))
                        d_runs.append(curl(call_id, count, durable=True))
                        r_runs.append(ours(call_id, count))
                    c_time, r_time = median([t for t, _ in c_runs]), median([t for t, _ in r_runs])
                    d_time = median([t for t, _ in d_runs])
                    rows.append(
                        {
                            "file": label,
                            "curl_MBps": total / c_time / 1e6,
                            "curl+fsync_MBps": total / d_time / 1e6,
                            "recbrowser_MBps": total / r_time / 1e6,
                            "ratio_vs_curl": c_time / r_time,
                            "ratio_vs_curl+fsync": d_time / r_time,
                            "recbrowser_peak_rss_mb": max(r for _, r in r_runs),
                            "curl_peak_rss_mb": max(r for _, r in c_runs),
                        }
                    )
                # The transfer path alone (no interpreter start-up, no API lookup): what the
                # thread + http.client + 1 MiB buffer + early writeback design gives.
                from recbrowser.fetch import fetch
                from recbrowser.fetchoptions import FetchOptions
                from recbrowser.models import Segment
                from recbrowser.naming import plan

                call_id = calls[0].call_id
                url = f"{base}/storage/v1/object/public/recordings/{call_id}/1.wav"
                segment = Segment(1, url, "main", None, None, "synced", None)
                f_runs, c_runs = [], []
                for _ in range(runs):
                    c_runs.append(curl(call_id, 1)[0])
                    shutil.rmtree(out, ignore_errors=True)
                    os.sync()
                    start = time.perf_counter()
                    fetch(
                        url,
                        plan(out, "{call_id}.{ext}", call_id, segment),
                        force=True,
                        options=FetchOptions(records=Path(tmp) / "records"),
                    )
                    f_runs.append(time.perf_counter() - start)
                rows.append(
                    {
                        "file": f"{big // MiB} MiB, transfer only (in process)",
                        "curl_MBps": big / median(c_runs) / 1e6,
                        "curl+fsync_MBps": None,
                        "recbrowser_MBps": big / median(f_runs) / 1e6,
                        "ratio_vs_curl": median(c_runs) / median(f_runs),
                        "ratio_vs_curl+fsync": None,
                        "recbrowser_peak_rss_mb": None,
                        "curl_peak_rss_mb": None,
                    }
                )
        finally:
            if server:
                server.stop()
    big_rss, small_rss = rows[0]["recbrowser_peak_rss_mb"], rows[1]["recbrowser_peak_rss_mb"]
    notes.append(
        f"peak RSS {rows[1]['file']} vs {rows[0]['file']}: {small_rss:.1f} vs {big_rss:.1f} MB ({abs(big_rss - small_rss) / small_rss * 100:.1f}% apart; target within 10%, <= 120 MB)"
    )
    notes.append(
        f"whole commands timed, each after `sync` (recbrowser includes Python start-up, the API lookup, and fsync before "
        f"rename; curl does not fsync), {runs} interleaved runs, medians"
    )
    report("download", rows, notes, save=not args.quick)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
