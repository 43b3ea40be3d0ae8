"""Running recbrowser's commands in tests: in-process (``main``) or as a real process."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from recbrowser import cli

REPO_ROOT = Path(__file__).resolve().parents[1]
# Where each test's own config, data, cache, state and downloads live, below its tmp_path.
XDG_DIRS = (
    ("XDG_CONFIG_HOME", "config"),
    ("XDG_DATA_HOME", "data"),
    ("XDG_CACHE_HOME", "cache"),
    ("XDG_STATE_HOME", "state"),
    ("XDG_DOWNLOAD_DIR", "downloads"),
)


@dataclass
class Run:
    """What one command run gave: exit code, standard output, standard error."""

    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()

    @property
    def json_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.out.splitlines()]

    records = json_lines

    @property
    def files(self) -> list[dict]:
        """The per-file objects of `download --json` (lookup errors have no status)."""
        return [r for r in self.records if "status" in r]


def run_main(capsys, *argv: str) -> Run:
    """``recbrowser.cli.main(argv)`` in-process; argparse exits become exit codes."""
    capsys.readouterr()
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def child_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a child `recbrowser` process: this repo importable, its own XDG dirs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAGPIPE_", "XDG_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    for name, sub in XDG_DIRS:
        env[name] = str(tmp_path / sub)
    env.update(extra)
    return env


def read_until(master: int, done: Callable[[bytes], bool], deadline: float) -> bytes:
    """Read the terminal's output until ``done(output)`` or the other side closes (bounded)."""
    output = b""
    while not done(output):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"no expected output on the terminal in time; got {output!r}")
        ready, _, _ = select.select([master], [], [], remaining)
        if not ready:
            continue
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: every slave end is closed
            break
        if not chunk:
            break
        output += chunk
    return output


@contextmanager
def on_a_terminal(
    argv: list[str], env: dict[str, str], *, stdin_too: bool = True
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """Start ``argv`` with stdout and stderr (and stdin with ``stdin_too``) on a pseudo-terminal, in
    its own session; (the process, the terminal's master end). Killed if still running at the end."""
    master, slave = os.openpty()
    process = subprocess.Popen(
        argv,
        stdin=slave if stdin_too else subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    try:
        yield process, master
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)


def answer_on_a_terminal(
    argv: list[str], prompt: bytes, answer: str, env: dict[str, str], *, end: bytes = b"\r"
) -> tuple[int, str]:
    """Run `recbrowser ARGV` on a pseudo-terminal, type ``answer`` at ``prompt``; (exit code, screen text)."""
    with on_a_terminal([sys.executable, "-m", "recbrowser", *argv], env) as (process, master):
        deadline = time.monotonic() + 30
        output = read_until(master, lambda out: prompt in out, deadline)
        os.write(master, answer.encode() + end)
        output += read_until(master, lambda out: False, deadline)
        code = process.wait(timeout=30)
    return code, output.decode(errors="replace").replace("\r\n", "\n")


def run_on_a_terminal(
    argv: list[str], env: dict[str, str], *, stdin_too: bool = False, timeout: float = 60
) -> tuple[int, bytes]:
    """Run ``argv`` with stdout and stderr (and stdin with ``stdin_too``) on a pseudo-terminal
    until it exits; (exit code, everything it wrote)."""
    with on_a_terminal(argv, env, stdin_too=stdin_too) as (process, master):
        output = read_until(master, lambda out: False, time.monotonic() + timeout)
        code = process.wait(timeout=30)
    return code, output
