"""`recbrowser history`: list, search, forget and clear past lookups."""

from __future__ import annotations

import argparse
import sys

from recbrowser.callids import EXPECTED, scan
from recbrowser.commands.common import UsageError, close_history, open_history, print_json
from recbrowser.exitcodes import ExitStatus
from recbrowser.formatting import plural
from recbrowser.historyrows import format_history
from recbrowser.paths import Paths
from recbrowser.settings import Settings
from recbrowser.text import printable


def run_history(args: argparse.Namespace, paths: Paths) -> int:
    history = open_history(paths)
    try:
        if args.history_command == "forget":
            ids = []
            for text in args.call_ids:
                found = scan(text).ids
                if not found:
                    raise UsageError(f"{printable(text, limit=80)!r} is not a call ID: {EXPECTED}")
                ids += found
            failed = history.failed_writes
            removed = history.forget(ids)
            if history.failed_writes > failed:
                return ExitStatus.ERROR  # the warning, printed on closing, says why
            print(f"Removed {removed} of {plural(len(ids), 'call')} from the history.")
            return ExitStatus.OK
        if args.history_command == "clear":
            count = history.count()
            if not args.yes:
                if not sys.stdin.isatty():
                    raise UsageError("refusing to clear the history without a terminal to confirm on; add --yes.")
                try:
                    answer = input(f"Remove all {count} entries from the history? [y/N] ")
                except EOFError:
                    answer = ""
                    print()
                if answer.strip().lower() not in ("y", "yes"):
                    print("Nothing removed.")
                    return ExitStatus.OK
            failed = history.failed_writes
            removed = history.clear()
            if history.failed_writes > failed:
                return ExitStatus.ERROR  # the warning, printed on closing, says why
            print(f"Removed {plural(removed, 'entry', 'entries')} from the history.")
            return ExitStatus.OK
        entries = history.entries(search=args.search, limit=args.limit)
        if args.json:
            for entry in entries:
                print_json(entry.to_json())
        else:
            print(format_history(entries, utc=args.utc or Settings.load(paths.settings_file).utc), end="")
        return ExitStatus.OK
    finally:
        close_history(history)
