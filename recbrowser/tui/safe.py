"""Display that cannot fail: a cell whose formatting raises shows "?" instead of stopping the app.

The failures are collected for the caller to post (``failure.DisplayFailed``; the app logs them), since a
bug in showing one value must cost that value, not the session (a cached answer is shown on
every start, so a crash there would repeat forever).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

PLACEHOLDER = "?"


def guarded(
    build: Callable[[], Text], failures: list[BaseException] | None = None, *, fallback: str = PLACEHOLDER
) -> Text:
    """``build()``, or a dim ``fallback`` when it raises (the error appended to ``failures``)."""
    try:
        return build()
    except Exception as exc:
        if failures is not None:
            failures.append(exc)
        return Text(fallback, style="dim")
