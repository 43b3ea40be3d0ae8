"""`recbrowser lookup`: a table (or JSON Lines) per call, online or from the history."""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime, timezone

from recbrowser.client import NO_KEY_MESSAGE
from recbrowser.commands.common import (
    Item,
    WaitLine,
    aiter_of,
    api_client,
    close_history,
    collect_items,
    emit_error,
    open_history,
    print_json,
    resolved_for,
)
from recbrowser.errors import BadResponse, InvalidCallId, NoApiKey, NotCached, RecBrowserError
from recbrowser.exitcodes import ExitStatus
from recbrowser.formatting import format_duration, format_local_time, plural, relative_time, status_parts
from recbrowser.history import HistoryEntry, HistoryStore
from recbrowser.lookups import LookupResult, lookup_many
from recbrowser.models import CallRecordings
from recbrowser.outcomes import answered_error
from recbrowser.paths import Paths
from recbrowser.settings import Resolved, Settings
from recbrowser.text import printable


@dataclass(frozen=True)
class Layout:
    """How tables are printed: times in UTC or local, and the terminal's width (None: not a terminal)."""

    utc: bool = False
    width: int | None = None


def run_lookup(args: argparse.Namespace, paths: Paths, *, resolved: Resolved | None = None) -> int:
    """``resolved`` overrides the API URL and key (``--demo``)."""
    items = collect_items(args.inputs, sys.stdin)
    layout = Layout(
        utc=args.utc or Settings.load(paths.settings_file).utc,
        width=shutil.get_terminal_size().columns if sys.stdout.isatty() else None,
    )
    history = open_history(paths)
    try:
        if args.offline:
            return _lookup_offline(items, history, json_lines=args.json, layout=layout)
        resolved = resolved or resolved_for(args, paths)
        return asyncio.run(_lookup(items, resolved, history, json_lines=args.json, jobs=args.jobs, layout=layout))
    finally:
        close_history(history)


def _lookup_offline(items: list[Item], history: HistoryStore, *, json_lines: bool, layout: Layout) -> int:
    """Each call as the history last knew it: its last good answer, else the API's last word
    on it (no recording, not found) with when that was said; otherwise not_cached."""
    exit_code = ExitStatus.OK
    for item in items:
        if item.invalid is not None:
            error: RecBrowserError = InvalidCallId(item.invalid)
            exit_code = max(exit_code, error.exit_code)
            emit_error(item.call_id, error, json_lines)
            continue
        cached = history.cached(item.call_id)
        if cached is not None:
            exit_code = max(
                exit_code,
                _emit(item.call_id, cached.recordings, None, json_lines, layout=layout, cached_at=cached.fetched_at),
            )
            continue
        error, cached_at = _cached_failure(history.get(item.call_id))
        exit_code = max(exit_code, error.exit_code)
        if cached_at is None:
            emit_error(item.call_id, error, json_lines)
        elif json_lines:
            print_json(
                {
                    "call_id": item.call_id,
                    "error": {"code": error.code, "message": error.message},
                    "cached_at": _iso(cached_at),
                }
            )
        else:
            print(
                f"recbrowser: {item.call_id}: {error.message} (cached {relative_time(cached_at)})",
                file=sys.stderr,
                flush=True,
            )
    return exit_code


def _cached_failure(entry: HistoryEntry | None) -> tuple[RecBrowserError, datetime | None]:
    """The error to answer offline for a call without a good answer, and when the API gave it
    (None when the history holds no answer from the API at all)."""
    if entry is None:
        return NotCached("Not in the lookup history; look it up online first."), None
    answered = answered_error(entry.outcome)
    if answered is not None:
        return answered, entry.last_looked_up_at
    return NotCached(
        f"No answer in the lookup history: its last lookup ({relative_time(entry.last_looked_up_at)}) "
        f"failed with {printable(entry.outcome, limit=32)}; look it up online."
    ), None


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _lookup(
    items: list[Item], resolved: Resolved, history: HistoryStore, *, json_lines: bool, jobs: int, layout: Layout
) -> int:
    exit_code = ExitStatus.OK
    call_ids = [item.call_id for item in items if item.invalid is None]
    wait_line = WaitLine(sys.stderr)
    async with api_client(resolved, live=sys.stderr.isatty() and not json_lines, wait_line=wait_line) as client:
        if resolved.key is None and call_ids:
            if not json_lines:
                for item in items:
                    if item.invalid is not None:
                        emit_error(item.call_id, InvalidCallId(item.invalid), False)
                print(f"recbrowser: {NO_KEY_MESSAGE}", file=sys.stderr)
                return NoApiKey.exit_code
            answers = aiter_of(LookupResult(call_id, error=NoApiKey(NO_KEY_MESSAGE)) for call_id in call_ids)
        else:
            answers = lookup_many(client, call_ids, concurrency=jobs, history=history)
        results_iter = answers.__aiter__()
        try:
            for item in items:
                if item.invalid is not None:
                    error = InvalidCallId(item.invalid)
                    exit_code = max(exit_code, error.exit_code)
                    wait_line.clear()
                    emit_error(item.call_id, error, json_lines)
                    continue
                result = await results_iter.__anext__()
                wait_line.clear()
                exit_code = max(
                    exit_code, _emit(result.call_id, result.recordings, result.error, json_lines, layout=layout)
                )
        finally:
            wait_line.clear()
    return exit_code


def _emit(
    call_id: str,
    recordings: CallRecordings | None,
    error: RecBrowserError | None,
    json_lines: bool,
    *,
    layout: Layout,
    cached_at: datetime | None = None,
) -> ExitStatus:
    """Print one call's answer (or its error); return its exit code. An answer that cannot be
    shown becomes that call's error line, so every other call still gets its own line."""
    if error is None and recordings is not None:
        try:
            if json_lines:
                obj = recordings.to_api_dict()
                if cached_at is not None:
                    obj["cached_at"] = _iso(cached_at)
                text = json.dumps(obj) + "\n"
            else:
                text = format_call(recordings, cached_at=cached_at, utc=layout.utc, width=layout.width) + "\n"
        except Exception as exc:
            error = BadResponse(f"This call's answer cannot be shown ({type(exc).__name__}).")
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
            return ExitStatus.OK
    if error is None:
        error = BadResponse("No answer.")
    emit_error(call_id, error, json_lines)
    return error.exit_code


def format_call(
    call: CallRecordings, *, cached_at: datetime | None = None, utc: bool = False, width: int | None = None
) -> str:
    """A plain-text table of one call's segments, times with their zone (UTC with ``utc``).

    URLs are never cut: they are the last column when the table fits ``width`` (or when there
    is no terminal), and otherwise each is listed whole on its own line under the table, so a
    double click or a copy takes all of it.
    """
    count = len(call.segments)
    summary = [plural(count, "segment"), format_duration(call.total_duration)]
    statuses = status_parts(call.synced_count, call.pending_count, count)
    if statuses:
        summary.append(", ".join(statuses))
    if cached_at is not None:
        summary.append(f"cached {relative_time(cached_at, utc=utc)}")
    lines = [f"{call.call_id}  ({' · '.join(summary)})"]
    header: tuple[str, ...] = ("#", "Label", "Duration", "Source", "Status", "Created")
    urls = [printable(s.url or "—") for s in call.segments]
    url_width = max(len(url) for url in ["URL", *urls])

    def table(seconds: bool, label_limit: int) -> tuple[list[tuple[str, ...]], list[int]]:
        rows: list[tuple[str, ...]] = [header]
        rows += [
            (
                str(s.index),
                printable(s.friendly_label, limit=label_limit),
                format_duration(s.duration_seconds),
                printable(s.source or "—", limit=14),
                _status_text(s.status),
                format_local_time(s.created_at, seconds=seconds, zone=True, utc=utc),
            )
            for s in call.segments
        ]
        return rows, [max(len(r[i]) for r in rows) for i in range(len(header))]

    def span(widths: list[int]) -> int:
        return 2 + sum(widths) + 2 * (len(widths) - 1)

    rows, widths = table(True, 32)
    urls_below = width is not None and span(widths) + 2 + url_width > width
    if (
        width is not None and urls_below and span(widths) > width
    ):  # still too wide: times to the minute, then shorter labels
        rows, widths = table(False, 32)
        excess = span(widths) - width
        if excess > 0:
            rows, widths = table(False, max(10, widths[1] - excess))
    for row, url in zip(rows, ["URL", *urls], strict=False):
        cells = [cell.ljust(w) for cell, w in zip(row, widths, strict=False)]
        if not urls_below:
            cells.append(url)
        lines.append("  " + "  ".join(cells).rstrip())
    if urls_below:
        lines.append("  URLs:")
        index_width = len(str(count))
        lines.extend(f"  {s.index:>{index_width}}  {url}" for s, url in zip(call.segments, urls, strict=False))
    if call.pending_count:
        lines.append("  pending: the provider's URL may expire; look the call up again later for a permanent one.")
    return "\n".join(lines) + "\n"


def _status_text(status: str | None) -> str:
    if status == "synced":
        return "synced"
    if status == "pending_sync":
        return "pending"
    return printable(status or "—", limit=16)
