"""The call filters `calls` and `download --since` share: WHEN, direction, status, agent, number."""

from __future__ import annotations

import argparse
import re
from dataclasses import replace
from datetime import datetime

from recbrowser.calls import E164, Agent, CallFilters
from recbrowser.client import MagpipeClient
from recbrowser.commands.failures import UsageError
from recbrowser.text import printable
from recbrowser.when import BadWhen, parse_when

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)

FILTER_OPTIONS = ("since", "until", "direction", "status", "agent", "number", "limit")
"""The dests of the options ``add_filter_options`` declares."""


def filters_from_args(args: argparse.Namespace, *, now: datetime) -> CallFilters:
    """The server-side filters the options ask for (the agent is resolved later: ``with_agent``).

    Raises UsageError for a bad WHEN, an empty range or a number that is not E.164."""
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
    return CallFilters(
        direction=args.direction, status=args.status, phone_number=args.number, from_date=since, to_date=until
    )


async def with_agent(client: MagpipeClient, filters: CallFilters, agent: str | None) -> CallFilters:
    """``filters`` narrowed to the agent ``--agent`` names (unchanged without one)."""
    if agent is None:
        return filters
    return replace(filters, agent_id=await resolve_agent(client, agent))


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
