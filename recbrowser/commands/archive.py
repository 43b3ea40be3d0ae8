"""`recbrowser download --since WHEN`: an archive of every matching call's recordings, with a manifest."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

from recbrowser.archive import Archive, ArchiveOptions, ArchiveReport, try_template
from recbrowser.calls import CallFilters, list_all
from recbrowser.client import NO_KEY_MESSAGE
from recbrowser.commands.common import UsageError, WaitLine, api_client, emit_error, warn
from recbrowser.commands.download import describe_download, tick
from recbrowser.commands.filters import filters_from_args, with_agent
from recbrowser.commands.statusline import StatusLine
from recbrowser.download_queue import DownloadQueue
from recbrowser.downloads import ARCHIVE_JOBS, DONE, SKIPPED, DownloadItem
from recbrowser.errors import NoApiKey, RecBrowserError
from recbrowser.exitcodes import ExitStatus
from recbrowser.formatting import human_bytes, human_eta, plural
from recbrowser.history import HistoryStore
from recbrowser.manifest import Manifest
from recbrowser.naming import TemplateError
from recbrowser.settings import Resolved
from recbrowser.text import printable
from recbrowser.when import BadWhen, parse_duration

PENDING_SHOWN = 10
"""At most this many still-pending files are named in the summary."""


def run_archive(
    args: argparse.Namespace, resolved: Resolved, directory: Path, history: HistoryStore, records: Path
) -> int:
    filters = filters_from_args(args, now=datetime.now(timezone.utc))
    try:
        wait = parse_duration(args.wait_synced) if args.wait_synced is not None else None
        poll_every = parse_duration(args.poll_every)
    except BadWhen as problem:
        raise UsageError(str(problem)) from None
    if poll_every <= 0:
        raise UsageError("--poll-every must be more than 0 s.")
    try:
        try_template(args.name)
    except TemplateError as exc:
        raise UsageError(str(exc)) from None
    options = ArchiveOptions(
        directory=directory,
        template=args.name,
        labels=tuple(args.label or ()),
        transcripts=args.transcripts,
        wait_synced=wait,
        poll_every=poll_every,
    )
    if resolved.key is None:
        print(f"recbrowser: {NO_KEY_MESSAGE}", file=sys.stderr)
        return NoApiKey.exit_code
    return asyncio.run(_archive(args, resolved, filters, options, history, records))


async def _archive(
    args: argparse.Namespace,
    resolved: Resolved,
    filters: CallFilters,
    options: ArchiveOptions,
    history: HistoryStore,
    records: Path,
) -> int:
    json_lines = args.json
    live = sys.stderr.isatty() and not json_lines
    wait_line = WaitLine(sys.stderr)
    status = StatusLine(sys.stderr) if live else None
    manifest = await asyncio.to_thread(Manifest.load, options.directory, args.manifest or "jsonl")
    if manifest.unreadable:
        warn(f"{plural(manifest.unreadable, 'line')} of {manifest.path} held no row; they are dropped.")

    def on_file(item: DownloadItem, sha256: str | None) -> None:
        wait_line.clear()
        line = json.dumps({**item.to_json(), "sha256": sha256}) if json_lines else describe_download(item)
        if status is not None:
            status.print_above(line, sys.stdout)
        else:
            print(line, flush=True)

    def on_error(call_id: str, error: RecBrowserError) -> None:
        wait_line.clear()
        if status is not None:
            status.clear()
        emit_error(call_id, error, json_lines)

    queue = DownloadQueue(jobs=args.jobs or ARCHIVE_JOBS, force=args.force, history=history, records=records)
    async with api_client(resolved, live=live, wait_line=wait_line) as client:
        filters = await with_agent(client, filters, args.agent)
        archive = Archive(client, queue, manifest, options, history=history, on_file=on_file, on_error=on_error)
        ticker = asyncio.ensure_future(tick(status, archive.report.items)) if status else None
        try:
            report = await archive.run(list_all(client, filters, limit=args.limit))
        finally:
            if ticker is not None:
                ticker.cancel()
            if status is not None:
                status.clear()
    if report.listing_error is not None:
        emit_error("", report.listing_error, json_lines)
    if not json_lines:
        for line in summary_lines(report, options, manifest):
            print(line, file=sys.stderr)
    return exit_code(report)


def exit_code(report: ArchiveReport) -> int:
    code = ExitStatus.OK
    for _call_id, error in report.errors:
        code = max(code, error.exit_code)
    if report.listing_error is not None:
        code = max(code, report.listing_error.exit_code)
    if any(item.state not in (DONE, SKIPPED) for item in report.items):
        code = max(code, ExitStatus.DOWNLOAD_FAILED)
    return code


def summary_lines(report: ArchiveReport, options: ArchiveOptions, manifest: Manifest) -> list[str]:
    """The closing lines: files, calls skipped for want of a recording, transcripts, what stayed pending."""
    items = report.items
    done = [item for item in items if item.state == DONE]
    skipped = sum(1 for item in items if item.state == SKIPPED)
    failed = len(items) - len(done) - skipped
    parts = [
        f"{plural(report.calls, 'call')}",
        f"{len(done)} downloaded ({human_bytes(sum(item.bytes for item in done))})",
        f"{skipped} already complete",
        f"{failed} failed",
        f"{report.no_recording} without a recording (skipped)",
    ]
    if options.transcripts:
        parts.append(
            f"{plural(report.transcripts, 'transcript')} saved, {plural(report.no_transcript, 'call')} without one"
        )
    lines = [f"{', '.join(parts)} — in {options.directory} (manifest: {manifest.path.name})"]
    if report.stayed_pending:
        named = ", ".join(
            f"{item.call_id} #{item.segment.index} ({printable(item.segment.friendly_label, limit=30)})"
            for item in report.stayed_pending[:PENDING_SHOWN]
        )
        more = (
            f" and {len(report.stayed_pending) - PENDING_SHOWN} more"
            if len(report.stayed_pending) > PENDING_SHOWN
            else ""
        )
        waited = human_eta(options.wait_synced)
        lines.append(f"recbrowser: still pending after {waited}, downloaded from the provider's copy: {named}{more}.")
    return lines
