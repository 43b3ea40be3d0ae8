"""`recbrowser history`: list, search, forget and clear past lookups."""

from __future__ import annotations

import argparse
import sys

from recbrowser.callids import EXPECTED, scan
from recbrowser.commands.common import EXIT_OK, UsageError, close_history, open_history, print_json
from recbrowser.historyrows import format_history
from recbrowser.settings import Paths, Settings
from recbrowser.text import printable

EXIT_NOT_WRITTEN = 1  # `forget` / `clear` could not change the history (the warning says why)


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
                return EXIT_NOT_WRITTEN  # the warning, printed on closing, says why
            print(f"Removed {removed} of {len(ids)} call{'s' if len(ids) != 1 else ''} from the history.")
            return EXIT_OK
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
                    return EXIT_OK
            failed = history.failed_writes
            removed = history.clear()
            if history.failed_writes > failed:
                return EXIT_NOT_WRITTEN  # the warning, printed on closing, says why
            print(f"Removed {removed} entr{'y' if removed == 1 else 'ies'} from the history.")
            return EXIT_OK
        entries = history.entries(search=args.search, limit=args.limit)
        if args.json:
            for entry in entries:
                print_json(entry.to_json())
        else:
            print(format_history(entries, utc=args.utc or Settings.load(paths.settings_file).utc), end="")
        return EXIT_OK
    finally:
        close_history(history)
