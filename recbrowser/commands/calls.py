"""`recbrowser calls`: the account's calls, newest first, printed page by page as they arrive."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime, timezone

from recbrowser.calls import CallFilters, CallSummary, list_all
from recbrowser.commands.common import WaitLine, api_client, print_json, resolved_for
from recbrowser.commands.filters import filters_from_args, with_agent
from recbrowser.exitcodes import ExitStatus
from recbrowser.formatting import format_duration, format_local_time, plural, short_call_id
from recbrowser.paths import Paths
from recbrowser.settings import Resolved, Settings
from recbrowser.text import printable

COLUMNS = (("Time", 26), ("Direction", 9), ("From → To", 35), ("Agent", 20), ("Duration", 8), ("Status", 14), ("ID", 9))
"""Each column's title and width: rows are printed as pages arrive, so widths cannot wait for all of them."""


def run_calls(args: argparse.Namespace, paths: Paths, *, resolved: Resolved | None = None) -> int:
    """``resolved`` overrides the API URL and key (``--demo``)."""
    filters = filters_from_args(args, now=datetime.now(timezone.utc))
    utc = args.utc or Settings.load(paths.settings_file).utc
    resolved = resolved or resolved_for(args, paths)
    return asyncio.run(_calls(args, resolved, filters, utc=utc))


async def _calls(args: argparse.Namespace, resolved: Resolved, filters: CallFilters, *, utc: bool) -> int:
    wait_line = WaitLine(sys.stderr)
    async with api_client(resolved, live=sys.stderr.isatty() and not args.json, wait_line=wait_line) as client:
        filters = await with_agent(client, filters, args.agent)
        shown, total = 0, None
        try:
            async for page in list_all(client, filters, limit=args.limit):
                wait_line.clear()
                if not args.json and shown == 0:
                    _write(table_row(tuple(title for title, _ in COLUMNS)))
                for call in page.calls:
                    if args.json:
                        print_json(call.to_json())
                    else:
                        _write(call_row(call, utc=utc))
                shown += len(page.calls)
                total = page.total
        finally:
            wait_line.clear()
    line = total_line(shown, total)
    if args.json:
        print(f"recbrowser: {line}", file=sys.stderr)
    else:
        _write(line)
    return ExitStatus.OK


def _write(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def total_line(shown: int, total: int | None) -> str:
    """``12 calls``, or ``showing 20 of 156 calls`` when the server matched more than were listed."""
    if total is not None and total > shown:
        return f"showing {shown} of {plural(total, 'call', thousands=True)}"
    return plural(shown, "call", thousands=True)


def table_row(cells: tuple[str, ...]) -> str:
    """One line of the table, each cell cut (with …) or padded to its column's width."""
    fitted = [printable(cell, limit=width).ljust(width) for cell, (_, width) in zip(cells, COLUMNS, strict=True)]
    return "  ".join(fitted).rstrip()


def call_row(call: CallSummary, *, utc: bool) -> str:
    parties = f"{call.from_number or '—'} → {call.to_number or '—'}"
    return table_row(
        (
            format_local_time(call.started, seconds=False, zone=True, utc=utc),
            call.direction or "—",
            parties,
            call.agent_name or call.agent_id or "—",
            format_duration(call.duration),
            call.friendly_status or "—",
            short_call_id(call.id),
        )
    )
