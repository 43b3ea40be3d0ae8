"""`recbrowser show`: each call's details, transcript and recording segments (or one JSON object per call)."""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
from typing import Any

from recbrowser.calls import MAX_TURN_CHARS, MAX_TURNS, CallDetails, transcript_turns
from recbrowser.client import MagpipeClient
from recbrowser.commands.common import Item, WaitLine, api_client, collect_items, emit_error, resolved_for
from recbrowser.commands.lookup import format_call
from recbrowser.errors import ApiError, InvalidCallId, NoRecording
from recbrowser.exitcodes import ExitStatus
from recbrowser.formatting import format_duration, format_local_time, plural
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
    return asyncio.run(_show(items, resolved, json_lines=args.json, utc=utc, width=width))


async def _show(items: list[Item], resolved: Resolved, *, json_lines: bool, utc: bool, width: int | None) -> int:
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
            try:
                details = await client.get_call(item.call_id)
            except ApiError as failure:
                wait_line.clear()
                exit_code = max(exit_code, failure.exit_code)
                emit_error(item.call_id, failure, json_lines)
                continue
            recordings, missing = await _recordings(client, item.call_id)
            wait_line.clear()
            if json_lines:
                _print_json(details, recordings, missing)
            else:
                sys.stdout.write(
                    ("\n" if printed else "") + format_details(details, recordings, missing, utc=utc, width=width)
                )
                sys.stdout.flush()
                printed += 1
    return exit_code


async def _recordings(client: MagpipeClient, call_id: str) -> tuple[CallRecordings | None, ApiError | None]:
    """The call's segments, or why there are none (no recording, or the lookup failed)."""
    try:
        return await client.get_recordings(call_id), None
    except ApiError as failure:
        return None, failure


def _print_json(details: CallDetails, recordings: CallRecordings | None, missing: ApiError | None) -> None:
    obj = details.to_json()
    obj["recordings"] = [segment.to_api_dict() for segment in recordings.segments] if recordings else None
    if missing is not None:
        obj["recordings_error"] = {"code": missing.code, "message": missing.message}
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def format_details(
    call: CallDetails,
    recordings: CallRecordings | None,
    missing: ApiError | None,
    *,
    utc: bool = False,
    width: int | None = None,
) -> str:
    """A call's details, its transcript and its segments as plain text; every server string made printable."""

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
    lines = [f"Call {printable(call.id, limit=64)}"]
    lines += [f"  {name:<10} {printable(value or '—', limit=MAX_SUMMARY_CHARS)}" for name, value in rows]
    lines += ["", "Transcript", *transcript_lines(call.transcript), "", "Recordings"]
    if recordings is not None:
        lines.append(format_call(recordings, utc=utc, width=width).rstrip("\n"))
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
