"""Waiting (bounded) for state that another thread or process changes."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], object], what: str = "a condition", timeout: float = 15.0) -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds, saying what was awaited."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout:g} s")
        time.sleep(0.01)
