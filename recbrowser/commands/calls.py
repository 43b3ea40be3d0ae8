"""`recbrowser calls`: the account's calls, newest first, printed page by page as they arrive."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from dataclasses import replace
from datetime import datetime, timezone

from recbrowser.calls import E164, Agent, CallFilters, CallSummary, list_all
from recbrowser.client import MagpipeClient
from recbrowser.commands.common import UsageError, WaitLine, api_client, print_json, resolved_for
from recbrowser.exitcodes import ExitStatus
from recbrowser.formatting import format_duration, format_local_time, plural, short_call_id
from recbrowser.paths import Paths
from recbrowser.settings import Resolved, Settings
from recbrowser.text import printable
from recbrowser.when import BadWhen, parse_when

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)

COLUMNS = (("Time", 26), ("Direction", 9), ("From → To", 35), ("Agent", 20), ("Duration", 8), ("Status", 14), ("ID", 9))
"""Each column's title and width: rows are printed as pages arrive, so widths cannot wait for all of them."""


def run_calls(args: argparse.Namespace, paths: Paths, *, resolved: Resolved | None = None) -> int:
    """``resolved`` overrides the API URL and key (``--demo``)."""
    now = datetime.now(timezone.utc)
    try:
        since = parse_when(args.since, now=now) if args.since else None
        until = parse_when(args.until, now=now, end_of_day=True) if args.until else None
    except BadWhen as problem:
        raise UsageError(str(problem)) from None
    if since is not None and until is not None and since > until:
        raise UsageError("--since is after --until: nothing can match.")
    if args.number is not None and not E164.fullmatch(args.number):
        raise UsageError(
            f"--number takes an E.164 number such as +15551234567 (got {printable(args.number, limit=40)!r})."
        )
    utc = args.utc or Settings.load(paths.settings_file).utc
    resolved = resolved or resolved_for(args, paths)
    filters = CallFilters(
        direction=args.direction, status=args.status, phone_number=args.number, from_date=since, to_date=until
    )
    return asyncio.run(_calls(args, resolved, filters, utc=utc))


async def _calls(args: argparse.Namespace, resolved: Resolved, filters: CallFilters, *, utc: bool) -> int:
    wait_line = WaitLine(sys.stderr)
    async with api_client(resolved, live=sys.stderr.isatty() and not args.json, wait_line=wait_line) as client:
        if args.agent is not None:
            agent_id = await resolve_agent(client, args.agent)
            filters = replace(filters, agent_id=agent_id)
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


async def resolve_agent(client: MagpipeClient, wanted: str) -> str:
    """The agent id ``wanted`` names: an id as it is, else a name (any case) of exactly one agent."""
    if _UUID.fullmatch(wanted.strip()):
        return wanted.strip().lower()
    agents = await client.list_agents()
    by_id = [agent for agent in agents if agent.id == wanted.strip()]
    if by_id:
        return by_id[0].id
    key = wanted.strip().casefold()
    named = [agent for agent in agents if (agent.name or "").strip().casefold() == key]
    if len(named) == 1:
        return named[0].id
    shown = printable(wanted, limit=60)
    if named:
        raise UsageError(f"{len(named)} agents are named {shown!r}; give one's id: {_choices(named, ids=True)}.")
    if not agents:
        raise UsageError(f"No agent is named {shown!r}: the account has no agents.")
    raise UsageError(f"No agent is named {shown!r}; the agents are: {_choices(agents, ids=False)}.")


def _choices(agents: list[Agent], *, ids: bool) -> str:
    """The agents for a message: names (and ids), at most 20 of them."""
    names = [
        f"{printable(agent.name or '(no name)', limit=40)}" + (f" ({printable(agent.id, limit=40)})" if ids else "")
        for agent in agents[:20]
    ]
    more = f", and {len(agents) - 20} more" if len(agents) > 20 else ""
    return ", ".join(names) + more
