"""Starting the terminal app (Textual is imported only here) and the demo server."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from recbrowser.commands.common import UsageError
from recbrowser.errorlog import summary
from recbrowser.exitcodes import ExitStatus
from recbrowser.paths import Paths, display_path
from recbrowser.settings import resolve

if TYPE_CHECKING:
    from recbrowser.demo import Demo
    from recbrowser.tui.app import RecBrowserApp


def run_tui(args: argparse.Namespace, paths: Paths) -> int:
    """Start the Textual app (imported here so the plain commands never load Textual)."""
    if not sys.stdout.isatty() or not sys.stdin.isatty():
        raise UsageError("the app needs a terminal; use `recbrowser lookup` in scripts (see --help).")
    from recbrowser.tui.app import RecBrowserApp

    if args.demo:
        from recbrowser.demo import Hangup, running_demo

        with running_demo() as demo:
            app = demo_app(demo, open_calls=getattr(args, "open_calls", []))
            app.run()
            if app.hangup is not None:
                raise Hangup(128 + app.hangup)  # the demo's directory is removed on the way out
        return _exit_code(app)
    from recbrowser.settings import Settings

    settings = Settings.load(paths.settings_file)
    resolved = resolve(paths, api_url_flag=getattr(args, "api_url", None), settings=settings)
    from recbrowser.client import validate_api_url

    try:
        validate_api_url(resolved.api_url)
    except ValueError as exc:
        raise UsageError(f"{exc} (from {resolved.api_url_source})") from None
    app = RecBrowserApp(
        paths=paths, resolved=resolved, settings=settings, start_on_calls=True, open_calls=args.open_calls
    )
    app.run()
    if app.hangup is not None:
        return 128 + app.hangup  # as a shell reports a process the signal ended
    return _exit_code(app)


def demo_app(demo: Demo, open_calls: Sequence[str] = ()) -> RecBrowserApp:
    """The app on a running demo, opening as it does for a user with a key: on the calls view
    (the demo's week), the call-ID input one Escape away under it, the demo's welcome there;
    or on ``open_calls`` when given (``recbrowser --demo ID…``)."""
    from recbrowser.tui.app import RecBrowserApp
    from recbrowser.tui.welcome import demo_welcome

    return RecBrowserApp(
        paths=demo.paths,
        resolved=demo.resolved,
        welcome=demo_welcome(),
        start_on_calls=True,
        open_calls=open_calls,
    )


def _exit_code(app: RecBrowserApp) -> int:
    """0 after a normal quit; after a failure that stopped the app, one line on stderr and 1."""
    if not app.return_code and app.fatal_error is None:
        return ExitStatus.OK
    what = summary(app.fatal_error) if app.fatal_error is not None else "an unexpected error"
    print(f"recbrowser: the app stopped after {what}; details in {display_path(app.errors.path)}", file=sys.stderr)
    return ExitStatus.ERROR


def run_demo_server(args: argparse.Namespace) -> int:
    from datetime import datetime

    from recbrowser.fakeapi import FakeMagpipe, serve_forever

    week_ending = datetime.now().astimezone() if getattr(args, "week", False) else None
    try:
        return serve_forever(FakeMagpipe(api_port=args.port, week_ending=week_ending), sys.stdout)
    except OSError as exc:
        raise UsageError(f"cannot start the demo server on port {args.port}: {exc.strerror or exc}") from None
