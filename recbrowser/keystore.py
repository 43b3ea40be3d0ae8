"""The saved API key: one file of its own, 0600 inside a 0700 directory."""

from __future__ import annotations

from pathlib import Path

from recbrowser.privatefiles import write_private
from recbrowser.secret import Secret
from recbrowser.text import os_reason


class UnreadableKeyFile(Exception):
    """The key file exists but cannot be read as text; the message says which and why."""


class KeyStore:
    """The saved API key: one file, 0600, written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Secret | None:
        """The saved key, or None; raises UnreadableKeyFile when the file exists but cannot be used."""
        try:
            text = self.path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise UnreadableKeyFile(f"Ignoring the saved key file {self.path}: {os_reason(exc)}.") from None
        except UnicodeDecodeError:
            raise UnreadableKeyFile(f"Ignoring the saved key file {self.path}: it is not text.") from None
        return Secret(text) if text else None

    def save(self, key: str) -> None:
        write_private(self.path, (key + "\n").encode("utf-8"))

    def clear(self) -> bool:
        """Remove the saved key; True when there was one."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True
