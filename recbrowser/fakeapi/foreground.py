"""Running the fake in the foreground: ``python -m recbrowser.fakeapi`` and ``recbrowser demo-server``."""

from __future__ import annotations

import argparse
import sys
import threading
from typing import TextIO

from recbrowser.fakeapi.samples import DEMO_KEY, OTHER_ACCOUNT_KEY
from recbrowser.fakeapi.server import FakeMagpipe


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
    lines += [f"  {call.call_id}  {call.description}" for call in fake.calls.values()]
    return "\n".join(lines)


def serve_forever(fake: FakeMagpipe, out: TextIO, stop: threading.Event | None = None) -> int:
    """Start ``fake``, print how to use it, serve until Ctrl-C (or ``stop`` is set); 0."""
    fake.start()
    stop = stop or threading.Event()
    try:
        print(describe(fake), file=out)
        print("\nServing; press Ctrl-C to stop.", file=out, flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line of ``python -m recbrowser.fakeapi``."""
    parser = argparse.ArgumentParser(prog="python -m recbrowser.fakeapi", description="Run the fake Magpipe API.")
    parser.add_argument("--port", type=int, default=0, help="API port (default: a free one)")
    parser.add_argument("--storage-port", type=int, default=0, help="recordings port (default: a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    args = parser.parse_args(argv)
    fake = FakeMagpipe(api_port=args.port, storage_port=args.storage_port, host=args.host)
    try:
        return serve_forever(fake, sys.stdout)
    except KeyboardInterrupt:
        return 0
