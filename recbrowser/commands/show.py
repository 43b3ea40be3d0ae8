"""`recbrowser show`: each call's details, transcript and recording segments (or one JSON object per call).

Each answer is recorded in the history; when the API cannot be reached (or keeps failing),
the history's copy is shown instead, marked cached with its age, as ``lookup`` does."""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from recbrowser.calls import MAX_TURN_CHARS, MAX_TURNS, CallDetails, transcript_turns
from recbrowser.client import MagpipeClient
from recbrowser.commands.common import (
    Item,
    WaitLine,
    api_client,
    close_history,
    collect_items,
    emit_error,
    open_history,
    resolved_for,
)
from recbrowser.commands.lookup import format_call
from recbrowser.errors import ApiError, InvalidCallId, NoRecording, RecBrowserError
from recbrowser.exitcodes import ExitStatus
from recbrowser.formatting import format_duration, format_local_time, plural, relative_time
from recbrowser.history import HistoryStore
from recbrowser.lookups import UNREACHABLE, details_one, lookup_one
from recbrowser.models import CallRecordings
from recbrowser.paths import Paths
from recbrowser.settings import Resolved, Settings
from recbrowser.text import printable

MAX_SUMMARY_CHARS = 2000


def run_show(args: argparse.Namespace, paths: Paths, *, resolved: Resolved | None = None) -> int:
    """``resolved`` overrides the API URL and key (``--demo``)."""
    items = collect_items(args.inputs, sys.stdin)
    utc = args.utc or Settings.load(paths.settings_file).utc
    resolved = resolved or resolved_for(args, paths)
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    history = open_history(paths)
    try:
        return asyncio.run(_show(items, resolved, history, json_lines=args.json, utc=utc, width=width))
    finally:
        close_history(history)


async def _show(
    items: list[Item], resolved: Resolved, history: HistoryStore, *, json_lines: bool, utc: bool, width: int | None
) -> int:
    exit_code = ExitStatus.OK
    wait_line = WaitLine(sys.stderr)
    async with api_client(resolved, live=sys.stderr.isatty() and not json_lines, wait_line=wait_line) as client:
        printed = 0
        for item in items:
            if item.invalid is not None:
                error = InvalidCallId(item.invalid)
                exit_code = max(exit_code, error.exit_code)
                emit_error(item.call_id, error, json_lines)
                continue
            got = await details_one(client, item.call_id, history, offline_cache=True)
            if got.details is None:
                failure = got.error or ApiError("No answer.")
                wait_line.clear()
                exit_code = max(exit_code, failure.exit_code)
                emit_error(item.call_id, failure, json_lines)
                continue
            recordings = await _recordings(client, history, item.call_id)
            wait_line.clear()
            if got.cached_at is not None and not json_lines:
                reason = printable(got.error.message if got.error else "", limit=200)
                print(f"recbrowser: {item.call_id}: {reason} Showing the history's copy.", file=sys.stderr, flush=True)
            if json_lines:
                _print_json(got.details, recordings, cached_at=got.cached_at)
            else:
                text = format_details(
                    got.details,
                    recordings.answer,
                    recordings.error,
                    utc=utc,
                    width=width,
                    cached_at=got.cached_at,
                    recordings_cached_at=recordings.cached_at,
                )
                sys.stdout.write(("\n" if printed else "") + text)
                sys.stdout.flush()
                printed += 1
    return exit_code


@dataclass(frozen=True)
class Recordings:
    """A call's segments (perhaps the history's copy, from ``cached_at``), or why there are none."""

    answer: CallRecordings | None
    error: RecBrowserError | None
    cached_at: datetime | None = None


async def _recordings(client: MagpipeClient, history: HistoryStore, call_id: str) -> Recordings:
    """The call's segments (recorded in the history), the history's copy when the API cannot be
    reached, or why there are none (no recording, or the lookup failed)."""
    result = await lookup_one(client, call_id, history)
    if isinstance(result.error, UNREACHABLE):
        cached = await asyncio.to_thread(history.cached, call_id)
        if cached is not None:
            return Recordings(cached.recordings, None, cached.fetched_at)
    return Recordings(result.recordings, result.error)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _print_json(details: CallDetails, recordings: Recordings, *, cached_at: datetime | None) -> None:
    obj = details.to_json()
    if cached_at is not None:
        obj["cached_at"] = _iso(cached_at)
    answer, missing = recordings.answer, recordings.error
    obj["recordings"] = [segment.to_api_dict() for segment in answer.segments] if answer else None
    if recordings.cached_at is not None:
        obj["recordings_cached_at"] = _iso(recordings.cached_at)
    if missing is not None:
        obj["recordings_error"] = {"code": missing.code, "message": missing.message}
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def format_details(
    call: CallDetails,
    recordings: CallRecordings | None,
    missing: RecBrowserError | None,
    *,
    utc: bool = False,
    width: int | None = None,
    cached_at: datetime | None = None,
    recordings_cached_at: datetime | None = None,
) -> str:
    """A call's details, its transcript and its segments as plain text; every server string made
    printable. ``cached_at``: the details are the history's copy from then (said on the first line)."""

    def when(value: Any) -> str:
        return format_local_time(value, zone=True, utc=utc)

    rows = [
        ("Direction", call.direction),
        ("From", call.from_number),
        ("To", call.to_number),
        ("Agent", call.agent_name or call.agent_id),
        ("Started", when(call.started)),
        ("Ended", when(call.ended)),
        ("Duration", format_duration(call.duration)),
        ("Status", call.friendly_status),
        ("Sentiment", call.sentiment),
        ("Summary", printable(call.call_summary, limit=MAX_SUMMARY_CHARS) if call.call_summary else None),
    ]
    lines = [
        f"Call {printable(call.id, limit=64)}"
        + (f"  (cached {relative_time(cached_at, utc=utc)})" if cached_at else "")
    ]
    lines += [f"  {name:<10} {printable(value or '—', limit=MAX_SUMMARY_CHARS)}" for name, value in rows]
    lines += ["", "Transcript", *transcript_lines(call.transcript), "", "Recordings"]
    if recordings is not None:
        lines.append(format_call(recordings, cached_at=recordings_cached_at, utc=utc, width=width).rstrip("\n"))
    elif isinstance(missing, NoRecording):
        lines.append("  none: no recording available for this call")
    elif missing is not None:
        lines.append(f"  not looked up: {printable(missing.message, limit=200)}")
    return "\n".join(lines) + "\n"


def transcript_lines(transcript: str | None) -> list[str]:
    """The transcript one turn a paragraph, labelled Caller or Agent as the dashboard does."""
    if not transcript or not transcript.strip():
        return ["  (no transcript)"]
    turns = transcript_turns(transcript)
    lines = []
    for turn in turns[:MAX_TURNS]:
        label = printable(turn.label, limit=60)
        said = " / ".join(printable(part, limit=MAX_TURN_CHARS) for part in turn.text.split("\n"))
        lines.append(f"  {label}: {said}")
    if len(turns) > MAX_TURNS:
        lines.append(f"  … {plural(len(turns) - MAX_TURNS, 'more turn', thousands=True)}")
    return lines
