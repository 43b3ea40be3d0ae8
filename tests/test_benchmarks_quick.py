"""Each benchmark runs in --quick mode (tiny sizes) so the scripts cannot rot.

The figures themselves come from full runs (README: Performance), never from timed tests.
"""

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPTS = [
    "startup.py",
    "bulk_lookup.py",
    "download.py",
    "history_scale.py",
    "responsiveness.py",
    "transport_choice.py",
    "huge_answer.py",
    "calls_view.py",
    "oneshot.py",
    "archive.py",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_benchmark_runs_in_quick_mode(script, tmp_path):
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "note:" in out.stdout


def test_every_benchmark_script_is_exercised():
    scripts = {p.name for p in BENCHMARKS.glob("*.py") if p.name != "common.py"}
    assert scripts == set(SCRIPTS)
