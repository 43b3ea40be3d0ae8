"""The command line: argparse commands that format core results and map errors to exit codes.

Exit codes: 0 fine; 2 usage error or no valid call ID; 3 no key or unauthorized;
4 not found or no recording; 5 network, rate limit or server error. The highest wins.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Sequence, TextIO

from recbrowser import __version__
from recbrowser.callids import EXPECTED, scan
from recbrowser.client import NO_KEY_MESSAGE, MagpipeClient, RetryNotice, validate_api_url
from recbrowser.downloads import CANCELLED, DEFAULT_JOBS, DONE, SKIPPED, DownloadItem, plan_items, run_downloads
from recbrowser.errors import InvalidCallId, NoApiKey, NotCached, RecBrowserError
from recbrowser.history import HistoryEntry, HistoryStore
from recbrowser.lookups import DEFAULT_CONCURRENCY, LookupResult, lookup_many
from recbrowser.models import CallRecordings, format_duration, format_local_time
from recbrowser.naming import DEFAULT_TEMPLATE, TemplateError, check_template
from recbrowser.progress import StatusLine, human_bytes, human_eta, relative_time, summary
from recbrowser.settings import ENV_KEY, InvalidKey, KeyStore, Paths, Resolved, Settings, check_key, mask, resolve
from recbrowser.text import printable

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_DOWNLOAD_FAILED = 6
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A mistake in how the command was called (exit 2)."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--api-url",
        default=argparse.SUPPRESS,
        metavar="URL",
        help="Magpipe API base URL (beats MAGPIPE_API_URL and the settings file)",
    )
    parser = argparse.ArgumentParser(
        prog="recbrowser",
        description="Browse, play and download Magpipe call recordings. "
        "With no command, starts the terminal app.",
        parents=[common],
        epilog="Run `recbrowser COMMAND --help` for the options of each command.",
    )
    parser.add_argument("--version", action="version", version=f"recbrowser {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start the app against the embedded fake Magpipe API (no account needed; nothing of yours is touched)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    lookup = commands.add_parser(
        "lookup",
        parents=[common],
        help="look up the recordings of one or more calls",
        description="Look up every call ID found in the arguments (or in standard input with `-`). "
        "IDs may be buried in any text: dashboard URLs, log lines, lists.",
    )
    lookup.add_argument("inputs", nargs="+", metavar="CALL_IDS_OR_TEXT", help="call IDs, or text containing them; `-` reads standard input")
    lookup.add_argument("--json", action="store_true", help="print JSON Lines, one object per call ID, in input order")
    lookup.add_argument(
        "--jobs", type=_positive_int, default=DEFAULT_CONCURRENCY, metavar="N", help=f"lookups in flight at once (default {DEFAULT_CONCURRENCY})"
    )
    lookup.add_argument("--offline", action="store_true", help="answer from the lookup history only, without the network")

    history = commands.add_parser(
        "history",
        help="list, search or forget past lookups",
        description="Past lookups, newest first. Every lookup (app or command line) is recorded as it happens.",
    )
    history.add_argument("--json", action="store_true", help="print JSON Lines, one object per call")
    history.add_argument("--limit", type=_positive_int, metavar="N", help="show at most N calls")
    history.add_argument("--search", metavar="TEXT", help="only calls whose ID or segment labels contain TEXT")
    history_commands = history.add_subparsers(dest="history_command", metavar="ACTION")
    forget = history_commands.add_parser("forget", help="remove calls from the history", description="Remove calls from the history.")
    forget.add_argument("call_ids", nargs="+", metavar="CALL_ID")
    clear = history_commands.add_parser("clear", help="remove every entry", description="Remove every entry from the history.")
    clear.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    download = commands.add_parser(
        "download",
        parents=[common],
        help="download the recordings of one or more calls",
        description="Download every segment (or those with the given labels) of every call found in the "
        "arguments (or standard input with `-`). Files are written as NAME.part, verified against the "
        "server's length and renamed; an interrupted download resumes where it stopped.",
    )
    download.add_argument("inputs", nargs="+", metavar="CALL_IDS_OR_TEXT", help="call IDs, or text containing them; `-` reads standard input")
    download.add_argument("-o", "--output", metavar="DIR", help="directory to write into (default: the downloads directory / recbrowser, or the download_dir setting)")
    download.add_argument("--label", action="append", metavar="LABEL", help="only segments with this API label (e.g. main, transfer_conference); repeatable")
    download.add_argument(
        "--name",
        default=DEFAULT_TEMPLATE,
        metavar="TEMPLATE",
        help="file name template relative to the directory (default %(default)s); fields: "
        "{call_id} {index} {label} {source} {status} {created:%%Y%%m%%d-%%H%%M%%S} {ext}",
    )
    download.add_argument("--jobs", type=_positive_int, default=DEFAULT_JOBS, metavar="N", help=f"files downloaded at once (default {DEFAULT_JOBS})")
    download.add_argument("--force", action="store_true", help="download again even when the file is already complete")
    download.add_argument("--json", action="store_true", help="print JSON Lines, one object per file")

    key = commands.add_parser("key", help="save, show or clear the Magpipe API key", description="Manage the saved Magpipe API key.")
    key_commands = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    key_set = key_commands.add_parser("set", help="save a key (asked for with hidden input)", description="Save the API key (0600 file in the config dir).")
    key_set.add_argument("--stdin", action="store_true", help="read the key from the first line of standard input")
    key_commands.add_parser("show", parents=[common], help="show the key in effect, masked, and where it comes from", description="Show the key in effect (masked) and where it comes from.")
    key_commands.add_parser("clear", help="delete the saved key", description="Delete the saved key file.")

    demo = commands.add_parser(
        "demo-server",
        help="run the embedded fake Magpipe API in the foreground",
        description="Run the embedded fake Magpipe API (and its recordings host) until Ctrl-C.",
    )
    demo.add_argument("--port", type=int, default=0, help="API port on 127.0.0.1 (default: a free port)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `recbrowser` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _dispatch(parser, args)
    except UsageError as exc:
        print(f"recbrowser: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except RecBrowserError as exc:
        print(f"recbrowser: {printable(exc.message)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("recbrowser: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    paths = Paths.default()
    if args.command == "lookup":
        return run_lookup(args, paths)
    if args.command == "key":
        return run_key(args, paths)
    if args.command == "download":
        return run_download(args, paths)
    if args.command == "history":
        return run_history(args, paths)
    if args.command == "demo-server":
        return run_demo_server(args)
    return run_tui(args, paths)


def _resolved(args: argparse.Namespace, paths: Paths) -> Resolved:
    flag = getattr(args, "api_url", None)
    resolved = resolve(paths, api_url_flag=flag)
    try:
        validate_api_url(resolved.api_url)
    except ValueError as exc:
        raise UsageError(f"{exc} (from {resolved.api_url_source})") from None
    return resolved


# --- lookup -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """One thing to answer for, in input order: a call ID or a rejected piece of input."""

    call_id: str
    invalid: str | None = None


def collect_items(inputs: Sequence[str], stdin: TextIO) -> list[_Item]:
    """Call IDs and rejected tokens from the arguments (or standard input for `-`), in order."""
    if list(inputs) == ["-"]:
        found = scan(stdin.read())
        items = [_Item(call_id) for call_id in found.ids]
        items += [_Item(token, f"{token!r} is not a valid call ID: {EXPECTED}") for token in found.rejected]
        if not items:
            items.append(_Item("", f"no call ID found in standard input: {EXPECTED}"))
        return items
    items: list[_Item] = []
    seen: set[str] = set()
    for text in inputs:
        found = scan(text)
        if not found.ids and not found.rejected:
            shown = printable(text.strip(), limit=80)
            items.append(_Item(shown, f"{shown!r} is not a call ID: {EXPECTED}"))
        for call_id in found.ids:
            if call_id not in seen:
                seen.add(call_id)
                items.append(_Item(call_id))
        for token in found.rejected:
            items.append(_Item(token, f"{token!r} is not a valid call ID: {EXPECTED}"))
    return items


def run_lookup(args: argparse.Namespace, paths: Paths) -> int:
    items = collect_items(args.inputs, sys.stdin)
    history = _open_history(paths)
    try:
        if args.offline:
            return _lookup_offline(items, history, json_lines=args.json)
        resolved = _resolved(args, paths)
        return asyncio.run(_lookup(items, resolved, history, json_lines=args.json, jobs=args.jobs))
    finally:
        _close_history(history)


def _open_history(paths: Paths) -> HistoryStore:
    return HistoryStore(paths.history_db)


def _close_history(history: HistoryStore) -> None:
    for warning in history.warnings:
        print(f"recbrowser: warning: {printable(warning)}", file=sys.stderr)
    history.close()


def _lookup_offline(items: list[_Item], history: HistoryStore, *, json_lines: bool) -> int:
    exit_code = EXIT_OK
    for item in items:
        error: RecBrowserError | None = InvalidCallId(item.invalid) if item.invalid is not None else None
        cached = history.cached(item.call_id) if error is None else None
        if error is None and cached is None:
            error = NotCached("Not in the lookup history; look it up online first.")
        if error is not None:
            exit_code = max(exit_code, error.exit_code)
            _emit_error(item.call_id, error, json_lines)
            continue
        if json_lines:
            _print_json({**cached.recordings.to_api_dict(), "cached_at": cached.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")})
        else:
            print(format_call(cached.recordings, cached_at=cached.fetched_at), flush=True)
    return exit_code


async def _lookup(items: list[_Item], resolved: Resolved, history: HistoryStore, *, json_lines: bool, jobs: int) -> int:
    exit_code = EXIT_OK
    call_ids = [item.call_id for item in items if item.invalid is None]
    on_retry = _print_retry if sys.stderr.isatty() and not json_lines else None
    async with MagpipeClient(resolved.api_url, resolved.key, on_retry=on_retry) as client:
        if resolved.key is None and call_ids:
            results = (LookupResult(call_id, error=NoApiKey(NO_KEY_MESSAGE)) for call_id in call_ids)
            if not json_lines:
                print(f"recbrowser: {NO_KEY_MESSAGE}", file=sys.stderr)
                return NoApiKey.exit_code
            answers = _aiter(results)
        else:
            answers = lookup_many(client, call_ids, concurrency=jobs, history=history)
        results_iter = answers.__aiter__()
        for item in items:
            if item.invalid is not None:
                error = InvalidCallId(item.invalid)
                exit_code = max(exit_code, error.exit_code)
                _emit_error(item.call_id, error, json_lines)
                continue
            result = await results_iter.__anext__()
            if result.error is not None:
                exit_code = max(exit_code, result.error.exit_code)
                _emit_error(result.call_id, result.error, json_lines)
            elif json_lines:
                _print_json(result.recordings.to_api_dict())
            else:
                print(format_call(result.recordings), flush=True)
    return exit_code


async def _aiter(values):  # type: ignore[no-untyped-def]
    for value in values:
        yield value


def _print_retry(notice: RetryNotice) -> None:
    who = f"{notice.call_id}: " if notice.call_id else ""
    print(
        f"recbrowser: {who}{printable(notice.error.message)} Retrying in {notice.delay:.1f} s "
        f"(try {notice.attempt + 1} of {notice.max_tries}).",
        file=sys.stderr,
        flush=True,
    )


def _emit_error(call_id: str, error: RecBrowserError, json_lines: bool) -> None:
    if json_lines:
        _print_json({"call_id": call_id, "error": {"code": error.code, "message": error.message}})
    elif call_id and not isinstance(error, InvalidCallId):
        print(f"recbrowser: {call_id}: {printable(error.message)}", file=sys.stderr, flush=True)
    else:
        print(f"recbrowser: {printable(error.message)}", file=sys.stderr, flush=True)


def _print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def format_call(call: CallRecordings, *, cached_at: datetime | None = None) -> str:
    """A plain-text table of one call's segments."""
    count = len(call.segments)
    summary = [f"{count} segment{'s' if count != 1 else ''}", format_duration(call.total_duration)]
    statuses = []
    if call.synced_count:
        statuses.append(f"{call.synced_count} synced")
    if call.pending_count:
        statuses.append(f"{call.pending_count} pending")
    other = count - call.synced_count - call.pending_count
    if other:
        statuses.append(f"{other} other")
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


# --- download -------------------------------------------------------------------------


def run_download(args: argparse.Namespace, paths: Paths) -> int:
    try:
        check_template(args.name)
    except TemplateError as exc:
        raise UsageError(str(exc)) from None
    items = collect_items(args.inputs, sys.stdin)
    resolved = _resolved(args, paths)
    settings = Settings.load(paths.settings_file)
    directory = Path(args.output).expanduser() if args.output else (
        Path(settings.download_dir).expanduser() if settings.download_dir else paths.downloads_dir
    )
    history = _open_history(paths)
    try:
        return asyncio.run(_download(items, resolved, directory, args, history))
    finally:
        _close_history(history)


async def _download(
    items: list[_Item], resolved: Resolved, directory: Path, args: argparse.Namespace, history: HistoryStore
) -> int:
    json_lines = args.json
    exit_code = EXIT_OK
    calls: list[CallRecordings] = []
    call_ids = [item.call_id for item in items if item.invalid is None]
    for item in items:
        if item.invalid is not None:
            error = InvalidCallId(item.invalid)
            exit_code = max(exit_code, error.exit_code)
            _emit_error(item.call_id, error, json_lines)
    if not call_ids:
        return exit_code
    if resolved.key is None:
        for call_id in call_ids:
            if json_lines:
                _emit_error(call_id, NoApiKey(NO_KEY_MESSAGE), True)
        if not json_lines:
            print(f"recbrowser: {NO_KEY_MESSAGE}", file=sys.stderr)
        return max(exit_code, NoApiKey.exit_code)
    live = sys.stderr.isatty() and not json_lines
    async with MagpipeClient(resolved.api_url, resolved.key, on_retry=_print_retry if live else None) as client:
        async for result in lookup_many(client, call_ids, history=history):
            if result.error is not None:
                exit_code = max(exit_code, result.error.exit_code)
                _emit_error(result.call_id, result.error, json_lines)
            else:
                calls.append(result.recordings)
        try:
            downloads = plan_items(calls, directory, template=args.name, labels=args.label)
        except TemplateError as exc:
            raise UsageError(str(exc)) from None
        if not downloads:
            if calls and not json_lines:
                wanted = f" with label {', '.join(args.label)}" if args.label else ""
                print(f"recbrowser: no segments{wanted} to download.", file=sys.stderr)
            return exit_code
        status = StatusLine(sys.stderr) if live else None
        failed = 0
        runner = run_downloads(downloads, client=client, jobs=args.jobs, force=args.force, history=history)
        ticker = asyncio.ensure_future(_tick(status, downloads)) if status else None
        try:
            async for item in runner:
                if item.state not in (DONE, SKIPPED):
                    failed += 1
                line = json.dumps(item.to_json()) if json_lines else _describe_download(item)
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
        exit_code = max(exit_code, EXIT_DOWNLOAD_FAILED)
    if not json_lines:
        done = sum(1 for d in downloads if d.state == DONE)
        skipped = sum(1 for d in downloads if d.state == SKIPPED)
        total = sum(d.bytes for d in downloads if d.state == DONE)
        print(
            f"{done} downloaded ({human_bytes(total)}), {skipped} already complete, {failed} failed — in {directory}",
            file=sys.stderr,
        )
    return exit_code


async def _tick(status: StatusLine, downloads: list[DownloadItem]) -> None:
    while True:
        active = [d for d in downloads if d.state == "active"]
        finished = sum(1 for d in downloads if d.finished)
        done = sum(d.transfer.done for d in active)
        total = sum(d.transfer.total or 0 for d in active)
        speed = sum(d.transfer.speed for d in active)
        eta = (total - done) / speed if speed > 0 and total >= done else None
        status.update(
            summary(
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


def _describe_download(item: DownloadItem) -> str:
    where = item.path or item.planned.path
    if item.state == DONE:
        return f"downloaded  {where}  ({human_bytes(item.bytes)})"
    if item.state == SKIPPED:
        return f"skipped     {where}  (already complete)"
    word = "cancelled" if item.state == CANCELLED else "failed"
    message = printable(item.error.message if item.error else "unknown failure")
    return f"{word:<11} {item.call_id} #{item.segment.index} ({printable(item.segment.friendly_label, limit=30)}): {message}"


# --- history --------------------------------------------------------------------------


def run_history(args: argparse.Namespace, paths: Paths) -> int:
    history = _open_history(paths)
    try:
        if args.history_command == "forget":
            ids = []
            for text in args.call_ids:
                found = scan(text).ids
                if not found:
                    raise UsageError(f"{printable(text, limit=80)!r} is not a call ID: {EXPECTED}")
                ids += found
            removed = history.forget(ids)
            print(f"Removed {removed} of {len(ids)} call{'s' if len(ids) != 1 else ''} from the history.")
            return EXIT_OK
        if args.history_command == "clear":
            count = history.count()
            if not args.yes:
                if not sys.stdin.isatty():
                    raise UsageError("refusing to clear the history without a terminal to confirm on; add --yes.")
                answer = input(f"Remove all {count} entries from the history? [y/N] ")
                if answer.strip().lower() not in ("y", "yes"):
                    print("Nothing removed.")
                    return EXIT_OK
            removed = history.clear()
            print(f"Removed {removed} entr{'y' if removed == 1 else 'ies'} from the history.")
            return EXIT_OK
        entries = history.entries(search=args.search, limit=args.limit)
        if args.json:
            for entry in entries:
                _print_json(entry.to_json())
        else:
            print(format_history(entries), end="")
        return EXIT_OK
    finally:
        _close_history(history)


def format_history(entries: list[HistoryEntry]) -> str:
    if not entries:
        return "No lookups in the history.\n"
    header = ("Call ID", "Last lookup", "Lookups", "Outcome", "Segments", "Synced", "Pending", "Downloaded")
    rows = [
        (
            e.call_id,
            relative_time(e.last_looked_up_at),
            str(e.lookups),
            e.outcome,
            *("—" if v is None else str(v) for v in (e.segments, e.synced, e.pending)),
            str(e.downloaded),
        )
        for e in entries
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return "".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() + "\n" for row in [header, *rows])


# --- key ----------------------------------------------------------------------------------


def run_key(args: argparse.Namespace, paths: Paths) -> int:
    store = KeyStore(paths.key_file)
    env_key_set = bool(os.environ.get(ENV_KEY, "").strip())
    if args.key_command == "set":
        text = _read_key(from_stdin=args.stdin)
        try:
            key, warning = check_key(text)
        except InvalidKey as exc:
            raise UsageError(f"key not saved: {exc}") from None
        if warning:
            print(f"recbrowser: warning: {warning} Saved anyway.", file=sys.stderr)
        store.save(key)
        print(f"Saved key {mask(key)} to {store.path} (readable by you only).")
        if env_key_set:
            print(f"Note: {ENV_KEY} is set in your environment and takes precedence over the saved key.")
        return EXIT_OK
    if args.key_command == "show":
        resolved = resolve(paths, api_url_flag=getattr(args, "api_url", None))
        saved = store.load()
        if resolved.key is None:
            print(f"No API key. Save one with `recbrowser key set`, or set {ENV_KEY}.", file=sys.stderr)
            print(f"Key file: {store.path} (absent)")
            return NoApiKey.exit_code
        source = f"the {ENV_KEY} environment variable" if resolved.key_source == ENV_KEY else "the saved key file"
        print(f"Key in effect: {resolved.key.masked} (from {source})")
        print(f"Key file:      {store.path}" + (f" (holds {saved.masked})" if saved else " (absent)"))
        print(f"API URL:       {printable(resolved.api_url)} (from {resolved.api_url_source})")
        return EXIT_OK
    # clear
    if store.clear():
        print(f"Removed the saved key from {store.path}.")
    else:
        print(f"No saved key at {store.path}.")
    if env_key_set:
        print(f"Note: {ENV_KEY} is still set in your environment, so a key is still in effect.")
    return EXIT_OK


def _read_key(*, from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise UsageError("key not saved: standard input was empty.")
        return line
    if not sys.stdin.isatty():
        raise UsageError("no terminal to ask for the key on; use `recbrowser key set --stdin`.")
    try:
        return getpass.getpass("Magpipe API key (input hidden): ")
    except EOFError:
        raise UsageError("key not saved: no input.") from None


# --- the terminal app -----------------------------------------------------------------


def run_tui(args: argparse.Namespace, paths: Paths) -> int:
    """Start the Textual app (imported here so the plain commands never load Textual)."""
    if not sys.stdout.isatty() or not sys.stdin.isatty():
        raise UsageError("the app needs a terminal; use `recbrowser lookup` in scripts (see --help).")
    from recbrowser.tui.app import RecBrowserApp
    from recbrowser.tui.welcome import demo_welcome

    if args.demo:
        from recbrowser.demo import start_demo

        demo = start_demo()
        try:
            app = RecBrowserApp(
                paths=demo.paths,
                resolved=demo.resolved,
                welcome=demo_welcome(demo.samples),
                prefill=" ".join(call_id for call_id, _ in demo.samples),
            )
            app.run()
        finally:
            demo.close()
        return EXIT_OK
    from recbrowser.settings import Settings

    settings = Settings.load(paths.settings_file)
    resolved = resolve(paths, api_url_flag=getattr(args, "api_url", None), settings=settings)
    try:
        validate_api_url(resolved.api_url)
    except ValueError as exc:
        raise UsageError(f"{exc} (from {resolved.api_url_source})") from None
    RecBrowserApp(paths=paths, resolved=resolved, settings=settings).run()
    return EXIT_OK


# --- demo server --------------------------------------------------------------------------


def run_demo_server(args: argparse.Namespace) -> int:
    from recbrowser.fakeapi import FakeMagpipe, serve_forever

    try:
        return serve_forever(FakeMagpipe(api_port=args.port), sys.stdout)
    except OSError as exc:
        raise UsageError(f"cannot start the demo server on port {args.port}: {exc.strerror or exc}") from None
