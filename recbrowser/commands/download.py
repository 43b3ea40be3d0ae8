"""`recbrowser download`: every segment of every call, with live progress on a terminal."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from recbrowser.client import NO_KEY_MESSAGE
from recbrowser.commands.common import (
    Item,
    UsageError,
    WaitLine,
    api_client,
    close_history,
    collect_items,
    emit_error,
    open_history,
    resolved_for,
    sigterm_interrupts,
)
from recbrowser.commands.statusline import StatusLine
from recbrowser.download_queue import DownloadQueue
from recbrowser.downloads import (
    ACTIVE,
    CANCELLED,
    DEFAULT_JOBS,
    DONE,
    SKIPPED,
    DownloadItem,
    already_complete,
    batch_summary,
    labels_in,
    plan_items,
    unmatched_labels,
)
from recbrowser.errors import BadResponse, InvalidCallId, NoApiKey, RecBrowserError
from recbrowser.exitcodes import ExitStatus
from recbrowser.formatting import human_bytes, human_eta, joined
from recbrowser.history import HistoryStore
from recbrowser.lookups import BoundedLookups, lookup_many
from recbrowser.models import CallRecordings
from recbrowser.naming import CALL_FIELDS, TemplateError, check_template, template_fields
from recbrowser.paths import Paths
from recbrowser.settings import Resolved, Settings
from recbrowser.text import printable

if TYPE_CHECKING:
    from recbrowser.calls import CallSummary
    from recbrowser.client import MagpipeClient
    from recbrowser.demo import Demo


def run_download(
    args: argparse.Namespace, paths: Paths, *, resolved: Resolved | None = None, demo: Demo | None = None
) -> int:
    """``resolved`` overrides the API URL and key; with ``demo`` (``--demo``) files go to the
    demo's temporary folder unless ``-o`` names one, and the demo keeps its own records."""
    try:
        check_template(args.name)
    except TemplateError as exc:
        raise UsageError(str(exc)) from None
    archive = archive_mode(args)
    items = [] if archive else collect_items(args.inputs, sys.stdin)
    resolved = resolved or resolved_for(args, paths)
    settings = Settings.load(paths.settings_file)
    directory = (
        Path(args.output).expanduser()
        if args.output
        else (Path(settings.download_dir).expanduser() if settings.download_dir else paths.downloads_dir)
    )
    history = open_history(paths)
    try:
        with sigterm_interrupts():
            if archive:
                from recbrowser.commands.archive import run_archive

                return run_archive(args, resolved, directory, history, paths.download_records)
            return asyncio.run(_download(items, resolved, directory, args, history, paths.download_records))
    finally:
        close_history(history)
        if demo is not None and not args.output and directory.is_dir() and any(directory.iterdir()):
            print(
                f"recbrowser: --demo: the files were written to {directory}, a temporary folder deleted now that "
                "the command ends; add -o DIR to keep them.",
                file=sys.stderr,
            )


ARCHIVE_ONLY = (("manifest", "--manifest"), ("transcripts", "--transcripts"), ("wait_synced", "--wait-synced"))
FILTERS = (
    ("until", "--until"),
    ("direction", "--direction"),
    ("status", "--status"),
    ("agent", "--agent"),
    ("number", "--number"),
    ("limit", "--limit"),
)


def archive_mode(args: argparse.Namespace) -> bool:
    """Whether this is an archive by date (``--since``) rather than a download of given calls;
    UsageError for a mix of the two, or for neither."""
    if args.since is not None:
        if args.inputs:
            raise UsageError(
                "Give call IDs or --since WHEN, not both (the IDs would not narrow the listing, nor add to it)."
            )
        return True
    given = [flag for dest, flag in FILTERS + ARCHIVE_ONLY if getattr(args, dest) not in (None, False)]
    if given:
        raise UsageError(f"{', '.join(given)} needs --since WHEN (an archive by date); with call IDs, leave it out.")
    if not args.inputs:
        raise UsageError("Give call IDs (or `-` for standard input), or --since WHEN to archive calls by date.")
    return False


async def _download(
    items: list[Item],
    resolved: Resolved,
    directory: Path,
    args: argparse.Namespace,
    history: HistoryStore,
    records: Path,
) -> int:
    json_lines = args.json
    exit_code = ExitStatus.OK
    calls: list[CallRecordings] = []
    call_ids = [item.call_id for item in items if item.invalid is None]
    for item in items:
        if item.invalid is not None:
            error = InvalidCallId(item.invalid)
            exit_code = max(exit_code, error.exit_code)
            emit_error(item.call_id, error, json_lines)
    if not call_ids:
        return exit_code
    if resolved.key is None:
        for call_id in call_ids:
            if json_lines:
                emit_error(call_id, NoApiKey(NO_KEY_MESSAGE), True)
        if not json_lines:
            print(f"recbrowser: {NO_KEY_MESSAGE}", file=sys.stderr)
        return max(exit_code, NoApiKey.exit_code)
    live = sys.stderr.isatty() and not json_lines
    wait_line = WaitLine(sys.stderr)
    async with api_client(resolved, live=live, wait_line=wait_line) as client:
        async for result in lookup_many(client, call_ids, history=history):
            wait_line.clear()
            if result.error is not None:
                exit_code = max(exit_code, result.error.exit_code)
                emit_error(result.call_id, result.error, json_lines)
            elif result.recordings is not None:
                calls.append(result.recordings)
        if args.label and calls:
            missing = unmatched_labels(calls, args.label)
            if missing:
                _report_unknown_labels(missing, calls)
                return max(exit_code, ExitStatus.USAGE)
        metadata: dict[str, CallSummary] = {}
        if CALL_FIELDS_SET & template_fields(args.name):
            for call_id, found in await _details(client, [call.call_id for call in calls]):
                wait_line.clear()
                if isinstance(found, RecBrowserError):
                    exit_code = max(exit_code, found.exit_code)
                    emit_error(call_id, found, json_lines)
                else:
                    metadata[call_id] = found
        try:
            downloads = plan_items(calls, directory, template=args.name, labels=args.label, metadata=metadata)
        except TemplateError as exc:
            raise UsageError(str(exc)) from None
        if not downloads:
            if calls and not json_lines:
                wanted = f" with label {', '.join(args.label)}" if args.label else ""
                print(f"recbrowser: no segments{wanted} to download.", file=sys.stderr)
            return exit_code
        if not json_lines:
            complete = 0 if args.force else await asyncio.to_thread(already_complete, downloads, records)
            print(f"recbrowser: {batch_summary(len(downloads), complete)}.", file=sys.stderr, flush=True)
        status = StatusLine(sys.stderr) if live else None
        failed = 0
        queue = DownloadQueue(jobs=args.jobs or DEFAULT_JOBS, force=args.force, history=history, records=records)
        ticker = asyncio.ensure_future(tick(status, downloads)) if status else None
        try:
            async for finished in queue.run(queue.add(downloads), client=client):
                if finished.state not in (DONE, SKIPPED):
                    failed += 1
                line = json.dumps(finished.to_json()) if json_lines else describe_download(finished)
                if status is not None:
                    status.print_above(line, sys.stdout)
                else:
                    print(line, flush=True)
        finally:
            if ticker is not None:
                ticker.cancel()
            if status is not None:
                status.clear()
    if failed:
        exit_code = max(exit_code, ExitStatus.DOWNLOAD_FAILED)
    if not json_lines:
        done = sum(1 for d in downloads if d.state == DONE)
        skipped = sum(1 for d in downloads if d.state == SKIPPED)
        total = sum(d.bytes for d in downloads if d.state == DONE)
        busy = sum(1 for d in downloads if getattr(d.error, "code", None) == "busy")
        busy_note = f" ({busy} busy in another recbrowser)" if busy else ""
        print(
            f"{done} downloaded ({human_bytes(total)}), {skipped} already complete, {failed} failed{busy_note} — in {directory}",
            file=sys.stderr,
        )
    return exit_code


CALL_FIELDS_SET = frozenset(CALL_FIELDS)


async def _details(client: MagpipeClient, call_ids: list[str]) -> list[tuple[str, CallSummary | RecBrowserError]]:
    """get-call for each call (the template names call fields); an error stands in for a call's
    details, whose fields are then ``unknown``."""
    lookups = BoundedLookups(lambda: client)

    async def one(call_id: str) -> tuple[str, CallSummary | RecBrowserError]:
        got = await lookups.details(call_id)
        return call_id, got.details if got.details is not None else (got.error or BadResponse("No call details."))

    return list(await asyncio.gather(*(one(call_id) for call_id in call_ids)))


def _report_unknown_labels(missing: list[str], calls: list[CallRecordings]) -> None:
    """Say which --label matched nothing and which labels these calls have (nothing is downloaded)."""
    shown = ", ".join(repr(printable(label, limit=40)) for label in missing)
    present = labels_in(calls)
    listed = ", ".join(
        printable(raw, limit=40) + ("" if friendly == raw else f" ({printable(friendly, limit=40)})")
        for raw, friendly in present[:20]
    )
    more = f" and {len(present) - 20} more" if len(present) > 20 else ""
    print(
        f"recbrowser: no segment has the label {shown}; nothing downloaded. "
        f"Labels in {'this call' if len(calls) == 1 else 'these calls'}: {listed or 'none (no segments)'}{more}.",
        file=sys.stderr,
    )


async def tick(status: StatusLine, downloads: list[DownloadItem]) -> None:
    while True:
        active = [d for d in downloads if d.state == ACTIVE]
        finished = sum(1 for d in downloads if d.finished)
        done = sum(d.transfer.done for d in active)
        total = sum(d.transfer.total or 0 for d in active)
        speed = sum(d.transfer.speed for d in active)
        eta = (total - done) / speed if speed > 0 and total >= done else None
        status.update(
            joined(
                [
                    f"{finished}/{len(downloads)} files",
                    f"{len(active)} active",
                    f"{human_bytes(done)} of {human_bytes(total)}" if active else "",
                    f"{human_bytes(speed)}/s" if speed else "",
                    f"ETA {human_eta(eta)}" if eta is not None else "",
                ]
            )
        )
        await asyncio.sleep(0.2)


def describe_download(item: DownloadItem) -> str:
    where = item.path or item.planned.path
    if item.state == DONE:
        return f"downloaded  {where}  ({human_bytes(item.bytes)})"
    if item.state == SKIPPED:
        return f"skipped     {where}  (already complete)"
    code = getattr(item.error, "code", None)
    word = "cancelled" if item.state == CANCELLED else ("busy" if code == "busy" else "failed")
    message = printable(item.error.message if item.error else "unknown failure")
    return f"{word:<11} {item.call_id} #{item.segment.index} ({printable(item.segment.friendly_label, limit=30)}): {message}"
