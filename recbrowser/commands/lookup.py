"""`recbrowser lookup`: a table (or JSON Lines) per call, online or from the history."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime

from recbrowser.client import NO_KEY_MESSAGE
from recbrowser.commands.common import (
    EXIT_OK,
    Item,
    aiter_of,
    api_client,
    close_history,
    collect_items,
    emit_error,
    open_history,
    resolved_for,
)
from recbrowser.errors import BadResponse, InvalidCallId, NoApiKey, NotCached, RecBrowserError
from recbrowser.history import HistoryStore
from recbrowser.lookups import LookupResult, lookup_many
from recbrowser.models import CallRecordings, format_duration, format_local_time
from recbrowser.progress import relative_time
from recbrowser.settings import Paths, Resolved
from recbrowser.text import printable


def run_lookup(args: argparse.Namespace, paths: Paths) -> int:
    items = collect_items(args.inputs, sys.stdin)
    history = open_history(paths)
    try:
        if args.offline:
            return _lookup_offline(items, history, json_lines=args.json)
        resolved = resolved_for(args, paths)
        return asyncio.run(_lookup(items, resolved, history, json_lines=args.json, jobs=args.jobs))
    finally:
        close_history(history)


def _lookup_offline(items: list[Item], history: HistoryStore, *, json_lines: bool) -> int:
    exit_code = EXIT_OK
    for item in items:
        error: RecBrowserError | None = InvalidCallId(item.invalid) if item.invalid is not None else None
        cached = history.cached(item.call_id) if error is None else None
        if error is None and cached is None:
            error = NotCached("Not in the lookup history; look it up online first.")
        if error is not None:
            exit_code = max(exit_code, error.exit_code)
            emit_error(item.call_id, error, json_lines)
            continue
        exit_code = max(exit_code, _emit(item.call_id, cached.recordings, None, json_lines, cached_at=cached.fetched_at))
    return exit_code


async def _lookup(items: list[Item], resolved: Resolved, history: HistoryStore, *, json_lines: bool, jobs: int) -> int:
    exit_code = EXIT_OK
    call_ids = [item.call_id for item in items if item.invalid is None]
    async with api_client(resolved, live=sys.stderr.isatty() and not json_lines) as client:
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
        for item in items:
            if item.invalid is not None:
                error = InvalidCallId(item.invalid)
                exit_code = max(exit_code, error.exit_code)
                emit_error(item.call_id, error, json_lines)
                continue
            result = await results_iter.__anext__()
            exit_code = max(exit_code, _emit(result.call_id, result.recordings, result.error, json_lines))
    return exit_code


def _emit(
    call_id: str,
    recordings: CallRecordings | None,
    error: RecBrowserError | None,
    json_lines: bool,
    *,
    cached_at: datetime | None = None,
) -> int:
    """Print one call's answer (or its error); return its exit code. An answer that cannot be
    shown becomes that call's error line, so every other call still gets its own line."""
    if error is None and recordings is not None:
        try:
            if json_lines:
                obj = recordings.to_api_dict()
                if cached_at is not None:
                    obj["cached_at"] = cached_at.strftime("%Y-%m-%dT%H:%M:%SZ")
                text = json.dumps(obj) + "\n"
            else:
                text = format_call(recordings, cached_at=cached_at) + "\n"
        except Exception as exc:
            error = BadResponse(f"This call's answer cannot be shown ({type(exc).__name__}).")
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
            return EXIT_OK
    if error is None:
        error = BadResponse("No answer.")
    emit_error(call_id, error, json_lines)
    return error.exit_code


def format_call(call: CallRecordings, *, cached_at: datetime | None = None) -> str:
    """A plain-text table of one call's segments."""
    count = len(call.segments)
    summary = [f"{count} segment{'s' if count != 1 else ''}", format_duration(call.total_duration)]
    statuses = call.status_parts()
    if statuses:
        summary.append(", ".join(statuses))
    if cached_at is not None:
        summary.append(f"cached {relative_time(cached_at)}")
    lines = [f"{call.call_id}  ({' · '.join(summary)})"]
    header = ("#", "Label", "Duration", "Source", "Status", "Created", "URL")
    rows = [
        (
            str(s.index),
            printable(s.friendly_label, limit=32),
            format_duration(s.duration_seconds),
            printable(s.source or "—", limit=14),
            _status_text(s.status),
            format_local_time(s.created_at),
            printable(s.url or "—"),
        )
        for s in call.segments
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths)]
        lines.append("  " + "  ".join(cells + [row[-1]]).rstrip())
    if call.pending_count:
        lines.append("  pending: the provider's URL may expire; look the call up again later for a permanent one.")
    return "\n".join(lines) + "\n"


def _status_text(status: str | None) -> str:
    if status == "synced":
        return "synced"
    if status == "pending_sync":
        return "pending"
    return printable(status or "—", limit=16)
