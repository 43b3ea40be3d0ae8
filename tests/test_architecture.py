"""Import contracts: the core never imports Textual, widgets never do I/O, the fake stands alone.

The TUI and the CLI are two faces over the same core; these tests keep it that way.
"""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "recbrowser"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules(under: Path) -> list[Path]:
    return sorted(p for p in under.rglob("*.py") if "__pycache__" not in p.parts)


CORE = sorted(
    _module_name(p) for p in _modules(PACKAGE) if p.relative_to(PACKAGE).parts[0] != "tui" and p.name != "__main__.py"
)


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, however deep (TYPE_CHECKING and function-level imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else _module_name(path)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _offending(paths: list[Path], forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        bad = sorted(m for m in imported_modules(path) if any(m == f or m.startswith(f + ".") for f in forbidden))
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    return found


def test_the_core_is_found():
    assert {"recbrowser.client", "recbrowser.cli", "recbrowser.commands.lookup", "recbrowser.fakeapi"} <= set(CORE)
    assert not any(m.startswith("recbrowser.tui") for m in CORE)


def test_core_modules_do_not_import_textual():
    code = "import sys\n" + "".join(f"import {m}\n" for m in CORE) + "print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_no_core_module_names_textual_or_the_tui():
    """Only the `app` command, which starts the TUI, may name it (inside the function that runs it)."""
    launcher = PACKAGE / "commands" / "app.py"
    core_files = [p for p in _modules(PACKAGE) if p.relative_to(PACKAGE).parts[0] != "tui" and p != launcher]
    assert _offending(core_files, ("textual", "recbrowser.tui")) == {}
    assert _offending([launcher], ("textual",)) == {}


def test_widgets_never_import_the_client_history_or_fetch():
    """Widgets render and route; the work runs in the core, started from the app's or a screen's workers."""
    forbidden = (
        "recbrowser.client",
        "recbrowser.history",
        "recbrowser.fetch",
        "httpx",
        "sqlite3",
    )
    assert _offending(_modules(PACKAGE / "tui" / "widgets"), forbidden) == {}


def test_screens_never_reach_the_network_or_the_database_themselves():
    assert _offending(_modules(PACKAGE / "tui" / "screens"), ("recbrowser.fetch", "httpx", "sqlite3")) == {}


def test_the_fake_api_never_imports_the_product():
    """The fake is a stand-in for Magpipe: it must not share code (or bugs) with the client it tests."""
    fake = _modules(PACKAGE / "fakeapi")
    imported = {p: {m for m in imported_modules(p) if m.startswith("recbrowser")} for p in fake}
    outside = {
        str(p.relative_to(ROOT)): sorted(m for m in ms if not m.startswith("recbrowser.fakeapi"))
        for p, ms in imported.items()
    }
    assert {p: ms for p, ms in outside.items() if ms} == {}


def test_the_entry_point_loads_neither_httpx_nor_textual():
    """Start-up budget: each command imports its own heavy parts when it runs."""
    code = "import sys, recbrowser.cli\nprint(sorted(m for m in ('httpx', 'textual') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _modules_after(argv: list[str], loaded: tuple[str, ...]) -> list[str]:
    """Which of ``loaded`` (modules and their submodules) are imported once `recbrowser ARGV`
    has run to its end in a fresh interpreter (with the test's environment)."""
    code = (
        "import sys\nfrom recbrowser.cli import main\n"
        f"code = main({argv!r})\n"
        f"found = sorted({{m.split('.')[0] if m.split('.')[0] != 'recbrowser' else m for m in sys.modules "
        f"if any(m == w or m.startswith(w + '.') for w in {loaded!r})}})\n"
        "print(code, *found, file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    status, *found = out.stderr.splitlines()[-1].split()
    assert status == "0", out.stderr
    return found


def test_history_search_loads_neither_httpx_nor_asyncio():
    """`history` only reads SQLite: the network stack and the event loop are not its cost."""
    assert _modules_after(["history", "--search", "a1b2", "--limit", "5"], ("httpx", "asyncio", "textual")) == []


def test_lookup_loads_no_download_or_naming_module(api_env):
    """`lookup` pays for the client and the history, not for downloads or the app."""
    from recbrowser.fakeapi.samples import MAIN_CALL

    heavy = (
        "recbrowser.downloads",
        "recbrowser.download_queue",
        "recbrowser.fetch",
        "recbrowser.naming",
        "recbrowser.archive",
        "recbrowser.commands.download",
        "textual",
        "rich",
    )
    assert _modules_after(["lookup", MAIN_CALL], heavy) == []


def test_the_parsers_defaults_are_the_modules_defaults():
    """cli.py writes the defaults out (importing their modules would cost every command)."""
    from recbrowser import cli, downloads, lookups, naming

    assert cli.DEFAULT_JOBS == downloads.DEFAULT_JOBS
    assert cli.ARCHIVE_JOBS == downloads.ARCHIVE_JOBS
    assert cli.DEFAULT_CONCURRENCY == lookups.DEFAULT_CONCURRENCY
    assert cli.DEFAULT_TEMPLATE == naming.DEFAULT_TEMPLATE


def test_the_program_spares_start_up_and_shutdown_collections_and_main_does_not():
    """`recbrowser` (program()) pauses the garbage collector until the command's modules are
    in, runs the command with it on, and freezes it at the end, so ending the process does not
    walk every imported object (~35 ms of a lookup); main(), which tests and embedders call,
    leaves the collector alone."""
    code = (
        "import gc, sys\nfrom recbrowser.cli import main, program\nimport recbrowser.commands.history as h\n"
        "seen = []\nrun = h.run_history\n"
        "h.run_history = lambda *a: seen.append((gc.isenabled(), gc.get_freeze_count() > 0)) or run(*a)\n"
        "main(['history', '--limit', '1'])\nafter_main = (gc.isenabled(), gc.get_freeze_count())\n"
        "sys.argv = ['recbrowser', 'history', '--limit', '1']\nstatus = program()\n"
        "print(status, after_main, seen, gc.isenabled(), gc.get_freeze_count() > 0, file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stderr.splitlines()[-1] == "0 (True, 0) [(True, False), (True, True)] True True"
