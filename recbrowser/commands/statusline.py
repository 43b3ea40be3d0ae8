"""The CLI's live status line: one line on a terminal, rewritten in place."""

from __future__ import annotations

import shutil
import sys
from typing import TextIO


class StatusLine:
    """One line on a terminal, rewritten in place; ``print_above`` keeps finished lines."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self._shown = False

    def update(self, text: str) -> None:
        width = shutil.get_terminal_size((80, 24)).columns
        self.stream.write("\r\x1b[K" + text[: max(10, width - 1)])
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False

    def print_above(self, text: str, out: TextIO) -> None:
        self.clear()
        print(text, file=out, flush=True)
