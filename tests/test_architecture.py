"""The core never imports Textual: the TUI and the CLI are two faces over the same code."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = [
    "recbrowser.callids",
    "recbrowser.cli",
    "recbrowser.client",
    "recbrowser.demo",
    "recbrowser.downloads",
    "recbrowser.errors",
    "recbrowser.fakeapi",
    "recbrowser.fetch",
    "recbrowser.history",
    "recbrowser.lookups",
    "recbrowser.models",
    "recbrowser.naming",
    "recbrowser.player",
    "recbrowser.progress",
    "recbrowser.settings",
    "recbrowser.text",
]


def test_core_modules_do_not_import_textual():
    code = "import sys\n" + "".join(f"import {m}\n" for m in CORE) + "print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_core_module_is_listed():
    modules = {f"recbrowser.{p.stem}" for p in (ROOT / "recbrowser").glob("*.py") if p.stem not in ("__init__", "__main__")}
    modules |= {f"recbrowser.{p.name}" for p in (ROOT / "recbrowser").iterdir() if p.is_dir() and p.name not in ("tui", "__pycache__")}
    assert modules == set(CORE)
