"""Ctrl-C and SIGTERM sent to a real `recbrowser download` whose host drips bytes: the process
says "interrupted", keeps its partial files and exits within 2 s (130, 143)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from recbrowser.fakeapi import DEMO_KEY, FakeMagpipe
from recbrowser.fakeapi.samples import TRANSFER_CALL as CALL
from tests.cli_helpers import child_env
from tests.polling import wait_until


def _default_sigint() -> None:
    # A job started in the background of a script inherits SIGINT ignored; a user at a
    # terminal does not, and that is who this test plays.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["ctrl-c", "sigterm"])
def test_a_signal_mid_download_says_interrupted_keeps_the_partial_files_and_exits_within_2_s(
    fake: FakeMagpipe, tmp_path: Path, signum: int, code: int
) -> None:
    fake.faults.drip_bytes, fake.faults.drip_interval = 64, 0.2  # minutes for one segment
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "recbrowser", "download", "-o", str(out), CALL],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(tmp_path, MAGPIPE_API_URL=fake.api_url, MAGPIPE_API_KEY=DEMO_KEY),
        preexec_fn=_default_sigint,
    )
    try:
        wait_until(lambda: any(p.stat().st_size > 0 for p in out.rglob("*.part")), "a partial file with bytes in it")
        sent = time.monotonic()
        process.send_signal(signum)
        try:
            _stdout, stderr = process.communicate(timeout=2)
        except subprocess.TimeoutExpired:
            pytest.fail("the download was still running 2 s after the signal")
        took = time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == code, stderr
    assert took < 2
    assert stderr.strip().splitlines()[-1] == "recbrowser: interrupted"
    assert "Traceback" not in stderr
    parts = list(out.rglob("*.part"))
    assert parts and all(p.with_name(p.name + ".json").exists() for p in parts)
