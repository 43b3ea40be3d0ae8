"""Running the fake in the foreground: ``python -m recbrowser.fakeapi`` and ``recbrowser demo-server``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, TextIO

from recbrowser.fakeapi.samples import DEMO_KEY, OTHER_ACCOUNT_KEY
from recbrowser.fakeapi.server import FakeMagpipe
from recbrowser.fakeapi.week import WEEK_PREFIX


def describe(fake: FakeMagpipe) -> str:
    """What a user needs to point recbrowser at a running fake."""
    lines = [
        f"API base URL:  {fake.api_url}",
        f"Storage URL:   {fake.storage_url}",
        f"Demo key:      {DEMO_KEY}",
        f"Other account: {OTHER_ACCOUNT_KEY}",
        "",
        f"  export MAGPIPE_API_URL={fake.api_url}",
        f"  export MAGPIPE_API_KEY={DEMO_KEY}",
        "",
        "Sample calls:",
    ]
    week = [call for call in fake.calls.values() if call.description.startswith(WEEK_PREFIX)]
    lines += [f"  {call.call_id}  {call.description}" for call in fake.calls.values() if call not in week]
    if fake.week_ending is not None:
        lines += [
            "",
            f"And {len(week)} calls of the demo account over the week ending {fake.week_ending:%Y-%m-%d %H:%M %Z}",
            "(list them with `recbrowser calls --since 7d`).",
        ]
    return "\n".join(lines)


def serve_forever(fake: FakeMagpipe, out: TextIO, stop: threading.Event | None = None) -> int:
    """Start ``fake``, print how to use it, serve until Ctrl-C (or ``stop`` is set); 0."""
    fake.start()
    stop = stop or threading.Event()
    restore = _stop_on_signals()
    try:
        print(describe(fake), file=out)
        print("\nServing; press Ctrl-C to stop.", file=out, flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
        restore()
    return 0


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _stop_on_signals() -> Callable[[], None]:
    """Ctrl-C and SIGTERM stop the server, even when it was started with SIGINT ignored (as a
    script's background job is); returns what puts the previous handlers back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {signum: signal.signal(signum, _interrupt) for signum in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    return restore


def main(argv: list[str] | None = None) -> int:
    """Command line of ``python -m recbrowser.fakeapi``."""
    parser = argparse.ArgumentParser(prog="python -m recbrowser.fakeapi", description="Run the fake Magpipe API.")
    parser.add_argument("--port", type=int, default=0, help="API port (default: a free one)")
    parser.add_argument("--storage-port", type=int, default=0, help="recordings port (default: a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument(
        "--week", action="store_true", help="also serve a realistic week of calls ending now (as --demo does)"
    )
    args = parser.parse_args(argv)
    week_ending = datetime.now().astimezone() if args.week else None
    fake = FakeMagpipe(api_port=args.port, storage_port=args.storage_port, host=args.host, week_ending=week_ending)
    try:
        return serve_forever(fake, sys.stdout)
    except KeyboardInterrupt:
        return 0
