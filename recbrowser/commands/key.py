"""`recbrowser key`: save, show and clear the API key; never print it whole."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from recbrowser.apikey import ENV_KEY, KEY_WHERE, InvalidKey, check_key
from recbrowser.commands.common import UsageError, warn
from recbrowser.errors import NoApiKey, RecBrowserError
from recbrowser.exitcodes import ExitStatus
from recbrowser.keystore import KeyStore, UnreadableKeyFile
from recbrowser.paths import Paths
from recbrowser.secret import mask
from recbrowser.settings import resolve
from recbrowser.text import os_reason, printable, redact_userinfo


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
        try:
            store.save(key)
        except OSError as exc:
            raise RecBrowserError(f"key not saved: cannot write {store.path}: {os_reason(exc)}.") from None
        print(f"Saved key {mask(key)} to {store.path} (readable by you only).")
        if env_key_set:
            print(f"Note: {ENV_KEY} is set in your environment and takes precedence over the saved key.")
        return ExitStatus.OK
    if args.key_command == "show":
        resolved = resolve(paths, api_url_flag=getattr(args, "api_url", None))
        warn(*resolved.warnings)
        try:
            saved = store.load()
            held = f"holds {saved.masked}" if saved else "absent"
        except UnreadableKeyFile as exc:
            held = "unreadable"
            if resolved.key_source == ENV_KEY:  # resolve() did not look at the file
                warn(str(exc))
        if resolved.key is None:
            print(
                f"No API key. Create one {KEY_WHERE}, then save it with `recbrowser key set`, or set {ENV_KEY}.",
                file=sys.stderr,
            )
            print(f"Key file: {store.path} ({held})")
            return NoApiKey.exit_code
        source = f"the {ENV_KEY} environment variable" if resolved.key_source == ENV_KEY else "the saved key file"
        print(f"Key in effect: {resolved.key.masked} (from {source})")
        print(f"Key file:      {store.path} ({held})")
        print(f"API URL:       {printable(redact_userinfo(resolved.api_url))} (from {resolved.api_url_source})")
        return ExitStatus.OK
    # clear
    try:
        removed = store.clear()
    except OSError as exc:
        raise RecBrowserError(f"key not removed: cannot remove {store.path}: {os_reason(exc)}.") from None
    if removed:
        print(f"Removed the saved key from {store.path}.")
    else:
        print(f"No saved key at {store.path}.")
    if env_key_set:
        print(f"Note: {ENV_KEY} is still set in your environment, so a key is still in effect.")
    return ExitStatus.OK


def _read_key(*, from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise UsageError("key not saved: standard input was empty.")
        return line
    if not sys.stdin.isatty():
        raise UsageError("no terminal to ask for the key on; use `recbrowser key set --stdin`.")
    try:
        print(f"Create a key {KEY_WHERE} (it is shown once), then paste it here.", file=sys.stderr, flush=True)
        return getpass.getpass("Magpipe API key (input hidden): ")
    except EOFError:
        raise UsageError("key not saved: no input.") from None
