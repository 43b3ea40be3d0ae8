"""The command line: argparse commands, each run by its module in ``commands/``.

Exit codes are ``exitcodes.ExitStatus``; ``commands.failures`` turns every error that ends a
command into one line and its code.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence

from recbrowser import __version__

# Only light modules at the top: each command imports what it needs when it runs, so
# `recbrowser history` never loads httpx or asyncio and `lookup` never loads the downloads.
from recbrowser.commands.failures import UsageError, exit_status
from recbrowser.paths import Paths

# The parser's defaults, written out so that building it imports no command's modules;
# tests/test_architecture.py holds them equal to downloads.DEFAULT_JOBS and ARCHIVE_JOBS,
# lookups.DEFAULT_CONCURRENCY and naming.DEFAULT_TEMPLATE.
DEFAULT_JOBS = 3
ARCHIVE_JOBS = 8
DEFAULT_CONCURRENCY = 4
DEFAULT_TEMPLATE = "{call_id}/{index:02d}-{label}.{ext}"


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _call_inputs(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    parser.add_argument(
        "inputs",
        nargs="+" if required else "*",
        metavar="CALL_IDS_OR_TEXT",
        help="call IDs, or text containing them; `-` reads standard input",
    )


def _utc_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--utc", action="store_true", help="show times in UTC (default: local time with its zone; or the utc setting)"
    )


def call_filter_options(parser: argparse.ArgumentParser) -> None:
    """The filters of `calls` and `download --since` (resolved by ``commands.filters``)."""
    parser.add_argument("--since", metavar="WHEN", help="only calls created at or after WHEN")
    parser.add_argument("--until", metavar="WHEN", help="only calls created at or before WHEN (a date: its end)")
    parser.add_argument("--direction", choices=("inbound", "outbound"), help="only inbound or outbound calls")
    parser.add_argument(
        "--status",
        metavar="S",
        help="only calls stored with this status (completed, no-answer, failed, busy, voicemail, ...; "
        "matched exactly: see the note in `recbrowser calls --help`)",
    )
    parser.add_argument(
        "--agent", metavar="NAME_OR_ID", help="only this agent's calls: its id, or its name in any case"
    )
    parser.add_argument("--number", metavar="E164", help="only calls from or to this number (+15551234567)")
    parser.add_argument("--limit", type=_positive_int, metavar="N", help="list at most N calls (default: all)")


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
        usage="recbrowser [-h] [--api-url URL] [--version] [--demo] [COMMAND ... | CALL_ID ...]",
        description="Browse, play and download Magpipe call recordings. With no command, starts the terminal app; "
        "with call IDs (or text holding them) where the command goes, opens it on those calls.",
        parents=[common],
        epilog="Run `recbrowser COMMAND --help` for the options of each command.",
    )
    parser.add_argument("--version", action="version", version=f"recbrowser {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run the app, or the lookup, download, history, calls or show command, against the embedded fake Magpipe API "
        "with the demo key and temporary settings and history (no account needed; nothing of yours is touched)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", prog="recbrowser")

    lookup = commands.add_parser(
        "lookup",
        parents=[common],
        help="look up the recordings of one or more calls",
        description="Look up every call ID found in the arguments (or in standard input with `-`). "
        "IDs may be buried in any text: dashboard URLs, log lines, lists.",
    )
    _call_inputs(lookup)
    lookup.add_argument("--json", action="store_true", help="print JSON Lines, one object per call ID, in input order")
    lookup.add_argument(
        "--jobs",
        type=_positive_int,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"lookups in flight at once (default {DEFAULT_CONCURRENCY})",
    )
    lookup.add_argument(
        "--offline", action="store_true", help="answer from the lookup history only, without the network"
    )
    _utc_flag(lookup)

    history = commands.add_parser(
        "history",
        help="list, search or forget past lookups",
        description="Past lookups, newest first. Every lookup (app or command line) is recorded as it happens.",
    )
    history.add_argument("--json", action="store_true", help="print JSON Lines, one object per call")
    history.add_argument("--limit", type=_positive_int, metavar="N", help="show at most N calls")
    history.add_argument("--search", metavar="TEXT", help="only calls whose ID or segment labels contain TEXT")
    history.add_argument(
        "--utc", action="store_true", help="show dates in UTC (default: local time; or the utc setting)"
    )
    history_commands = history.add_subparsers(dest="history_command", metavar="ACTION")
    forget = history_commands.add_parser(
        "forget", help="remove calls from the history", description="Remove calls from the history."
    )
    forget.add_argument("call_ids", nargs="+", metavar="CALL_ID")
    clear = history_commands.add_parser(
        "clear", help="remove every entry", description="Remove every entry from the history."
    )
    clear.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    download = commands.add_parser(
        "download",
        parents=[common],
        help="download the recordings of one or more calls",
        description="Download every segment (or those with the given labels) of every call found in the "
        "arguments (or standard input with `-`). Files are written as NAME.part, verified against the "
        "server's length and renamed; an interrupted download resumes where it stopped. "
        "With --since WHEN instead of IDs (and the filters of `calls`), every matching call is archived, "
        "with a manifest beside the files.",
    )
    _call_inputs(download, required=False)
    call_filter_options(download)
    download.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        help="directory to write into (default: the downloads directory / recbrowser, or the download_dir setting)",
    )
    download.add_argument(
        "--label",
        action="append",
        metavar="LABEL",
        help="only segments with this label, as the API writes it or as shown (transfer_conference or "
        "'Transferred Call'), any case; repeatable; a label no segment has downloads nothing (exit 2; "
        "with --since, the calls without it are left out)",
    )
    download.add_argument(
        "--name",
        default=DEFAULT_TEMPLATE,
        metavar="TEMPLATE",
        help="file name template relative to the directory (default %(default)s); fields: "
        "{call_id} {index} {label} {source} {status} {created:%%Y%%m%%d-%%H%%M%%S} {ext}, and from the "
        "call's details {started:%%Y%%m%%d-%%H%%M} {direction} {from} {to} {agent}",
    )
    download.add_argument(
        "--manifest",
        choices=("jsonl", "csv"),
        help="with --since: the record of the files beside them, manifest.jsonl (default) or manifest.csv",
    )
    download.add_argument(
        "--transcripts",
        action="store_true",
        help="with --since: save each call's transcript as a .txt beside its recordings",
    )
    download.add_argument(
        "--wait-synced",
        nargs="?",
        const="10m",
        metavar="DURATION",
        help="with --since: wait up to DURATION (default 10m; 30s, 1h...) for pending segments to be synced, "
        "then download the permanent copies (what stayed pending is downloaded as it is, and said)",
    )
    download.add_argument(
        "--poll-every",
        default="10s",
        metavar="DURATION",
        help="with --wait-synced: how often pending calls are looked up again (default %(default)s, as the dashboard)",
    )
    download.add_argument(
        "--jobs",
        type=_positive_int,
        default=None,
        metavar="N",
        help=f"files downloaded at once (default {DEFAULT_JOBS}; with --since, {ARCHIVE_JOBS})",
    )
    download.add_argument("--force", action="store_true", help="download again even when the file is already complete")
    download.add_argument("--json", action="store_true", help="print JSON Lines, one object per file")

    _add_calls_parsers(commands, common)

    key = commands.add_parser(
        "key", help="save, show or clear the Magpipe API key", description="Manage the saved Magpipe API key."
    )
    key_commands = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    key_set = key_commands.add_parser(
        "set",
        help="save a key (asked for with hidden input)",
        description="Save the API key (0600 file in the config dir). Create a key in Magpipe: "
        "Settings → API → Generate New Key (it is shown once). MAGPIPE_API_KEY, when set, wins over the saved key.",
    )
    key_set.add_argument("--stdin", action="store_true", help="read the key from the first line of standard input")
    key_commands.add_parser(
        "show",
        parents=[common],
        help="show the key in effect, masked, and where it comes from",
        description="Show the key in effect (masked) and where it comes from.",
    )
    key_commands.add_parser("clear", help="delete the saved key", description="Delete the saved key file.")

    demo = commands.add_parser(
        "demo-server",
        help="run the embedded fake Magpipe API in the foreground",
        description="Run the embedded fake Magpipe API (and its recordings host) until Ctrl-C.",
    )
    demo.add_argument("--port", type=int, default=0, help="API port on 127.0.0.1 (default: a free port)")
    demo.add_argument("--week", action="store_true", help="also serve a realistic week of calls ending now (as --demo)")
    return parser


def _add_calls_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """`calls` and `show`: find calls without their IDs, and see one whole."""
    examples = argparse.RawDescriptionHelpFormatter
    calls = commands.add_parser(
        "calls",
        parents=[common],
        formatter_class=examples,
        help="list calls, newest first, with filters",
        description="List the account's calls, newest first: time, direction, numbers, agent, duration, "
        "status and short ID.\nRows are printed as the pages arrive; a last line gives the count.\n\n"
        "WHEN is a date (2026-11-02), a time (2026-11-02T14:30, local unless it names a zone: Z, +01:00),\n"
        "or relative: 7d, 24h, 30m, today, yesterday. --until DATE means the end of that day.\n"
        "Dates bound when a call was created (as the API filters).",
        epilog="examples:\n"
        "  recbrowser calls --since 7d\n"
        "  recbrowser calls --since yesterday --until yesterday --direction inbound\n"
        "  recbrowser calls --agent 'front desk' --status no-answer --limit 20\n"
        "  recbrowser calls --number +14155550123 --json | jq .id\n\n"
        "--status matches the status the server stored, exactly: calls stored without a status are shown\n"
        "as completed but do not match --status completed, and failed outbound calls may be stored as\n"
        "completed. Leave --status out to be sure to see every call.",
    )
    call_filter_options(calls)
    calls.add_argument("--json", action="store_true", help="print JSON Lines, one object per call with every field")
    _utc_flag(calls)

    show = commands.add_parser(
        "show",
        parents=[common],
        formatter_class=examples,
        help="show calls' details, transcripts and recordings",
        description="Show each call's details (numbers, direction, agent, start and end, duration, status, "
        "sentiment,\nsummary), its transcript (Caller and Agent turns) and its recording segments.",
        epilog="examples:\n"
        "  recbrowser show 7f3d8e00-a1b2-4c3d-9e4f-567890abcdef\n"
        "  recbrowser show --json <id> <id2>\n"
        "  recbrowser calls --json --limit 5 | jq -r .id | recbrowser show -",
    )
    _call_inputs(show)
    show.add_argument("--json", action="store_true", help="print JSON Lines, one object per call")
    _utc_flag(show)


def program() -> int:
    """The `recbrowser` program itself: its console script and ``python -m recbrowser``.

    Start-up makes objects that live as long as the process (modules, classes, the parser),
    so the garbage collector waits until the command's modules are in (``_started``): its
    collections meanwhile would find nothing and cost ~10 ms. The process ends right after
    ``main()``, so ``gc.freeze()`` spares it the collections of interpreter shutdown, which
    walk every object the imports made (~35 ms of CPU for `lookup`). Everything the command
    opened is closed by then; atexit handlers, thread joins and flushing stdout still run.
    """
    gc.disable()
    status = main()
    gc.freeze()
    gc.enable()
    return status


def _started() -> None:
    """The chosen command's modules are imported: collect garbage from here on, leaving out
    what start-up made. A no-op unless ``program()`` paused the collector (``main()`` as
    tests and embedders call it leaves the collector alone)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `recbrowser` command."""
    parser = build_parser()
    args = parse_args(parser, list(sys.argv[1:] if argv is None else argv))
    try:
        return _dispatch(parser, args)
    except (Exception, KeyboardInterrupt) as exc:
        status = exit_status(exc)
        if status is None:
            raise  # a bug: its traceback is the report
        return status


def parse_args(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Parse a command line; ``recbrowser [OPTIONS] ID…`` (call IDs, or text holding them, where a
    command would go) is the app opened on those calls: ``open_calls`` holds their IDs."""
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    position = 0
    while position < len(argv) and argv[position].startswith("-") and argv[position] != "-":
        position += 2 if argv[position] == "--api-url" else 1
    if position >= len(argv) or argv[position] in commands or "--help" in argv or "-h" in argv:
        args = parser.parse_args(argv)
        args.open_calls = []
        return args
    from recbrowser.callids import EXPECTED, scan  # only here: every other command line skips its regexes
    from recbrowser.text import printable

    options, words = argv[:position], []
    rest = iter(argv[position:])
    for word in rest:
        if word.startswith("--"):
            options += [word, next(rest, "")] if word == "--api-url" else [word]
        else:
            words.append(word)
    found = scan(" ".join(words))
    if not found.ids:
        parser.error(
            f"{printable(words[0], limit=60)!r} is not a command ({', '.join(commands)}) and holds no call ID; "
            f"{EXPECTED}"
        )
    args = parser.parse_args(options)
    args.open_calls = found.ids
    return args


DEMO_COMMANDS = ("lookup", "download", "history", "calls", "show")
"""Commands ``--demo`` runs against the embedded fake API, in a throwaway home."""


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.demo and args.command is not None:
        return _dispatch_demo(args)
    paths = Paths.default()
    if args.command == "lookup":
        from recbrowser.commands.lookup import run_lookup

        _started()
        return run_lookup(args, paths)
    if args.command == "calls":
        from recbrowser.commands.calls import run_calls

        _started()
        return run_calls(args, paths)
    if args.command == "show":
        from recbrowser.commands.show import run_show

        _started()
        return run_show(args, paths)
    if args.command == "key":
        from recbrowser.commands.key import run_key

        _started()
        return run_key(args, paths)
    if args.command == "download":
        from recbrowser.commands.download import run_download

        _started()
        return run_download(args, paths)
    if args.command == "history":
        from recbrowser.commands.history import run_history

        _started()
        return run_history(args, paths)
    if args.command == "demo-server":
        from recbrowser.commands.app import run_demo_server

        _started()
        return run_demo_server(args)
    from recbrowser.commands.app import run_tui

    _started()
    return run_tui(args, paths)


def _dispatch_demo(args: argparse.Namespace) -> int:
    """`recbrowser --demo COMMAND`: the command against the embedded fake API with the demo
    key and temporary config, data and state; the user's own are never read or written."""
    if args.command not in DEMO_COMMANDS:
        raise UsageError(
            f"--demo cannot be used with `{args.command}`; it works with the app and with "
            f"{', '.join(DEMO_COMMANDS)} (the demo never touches your key or settings)."
        )
    if getattr(args, "api_url", None):
        raise UsageError("--demo uses its own fake API; leave out --api-url.")
    _started()
    from recbrowser.demo import running_demo

    with running_demo() as demo:
        if args.command == "lookup":
            from recbrowser.commands.lookup import run_lookup

            return run_lookup(args, demo.paths, resolved=demo.resolved)
        if args.command == "download":
            from recbrowser.commands.download import run_download

            return run_download(args, demo.paths, resolved=demo.resolved, demo=demo)
        if args.command == "calls":
            from recbrowser.commands.calls import run_calls

            return run_calls(args, demo.paths, resolved=demo.resolved)
        if args.command == "show":
            from recbrowser.commands.show import run_show

            return run_show(args, demo.paths, resolved=demo.resolved)
        from recbrowser.commands.history import run_history

        return run_history(args, demo.paths)
