"""The core never imports Textual: the TUI and the CLI are two faces over the same code."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = [
    "recbrowser.apibody",
    "recbrowser.abort",
    "recbrowser.threads",
    "recbrowser.callbook",
    "recbrowser.callids",
    "recbrowser.callstate",
    "recbrowser.clipboard",
    "recbrowser.cli",
    "recbrowser.client",
    "recbrowser.completed",
    "recbrowser.connections",
    "recbrowser.contentrange",
    "recbrowser.commands",
    "recbrowser.commands.app",
    "recbrowser.commands.common",
    "recbrowser.commands.download",
    "recbrowser.commands.history",
    "recbrowser.commands.key",
    "recbrowser.commands.lookup",
    "recbrowser.demo",
    "recbrowser.downloads",
    "recbrowser.errorlog",
    "recbrowser.errors",
    "recbrowser.fakeapi",
    "recbrowser.fetch",
    "recbrowser.history",
    "recbrowser.lookups",
    "recbrowser.models",
    "recbrowser.naming",
    "recbrowser.partfiles",
    "recbrowser.player",
    "recbrowser.progress",
    "recbrowser.settings",
    "recbrowser.text",
    "recbrowser.unfinished",
]


def test_core_modules_do_not_import_textual():
    code = "import sys\n" + "".join(f"import {m}\n" for m in CORE) + "print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_core_module_is_listed():
    modules = {
        f"recbrowser.{p.stem}" for p in (ROOT / "recbrowser").glob("*.py") if p.stem not in ("__init__", "__main__")
    }
    modules |= {
        f"recbrowser.{p.name}"
        for p in (ROOT / "recbrowser").iterdir()
        if p.is_dir() and p.name not in ("tui", "__pycache__")
    }
    modules |= {
        f"recbrowser.commands.{p.stem}" for p in (ROOT / "recbrowser" / "commands").glob("*.py") if p.stem != "__init__"
    }
    assert modules == set(CORE)


def test_the_entry_point_loads_neither_httpx_nor_textual():
    """Start-up budget: each command imports its own heavy parts when it runs."""
    code = "import sys, recbrowser.cli\nprint(sorted(m for m in ('httpx', 'textual') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
