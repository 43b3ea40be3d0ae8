"""A string that never shows itself, and the masked form of an API key."""

from __future__ import annotations


class Secret:
    """A string that never shows itself: ``str``, ``repr`` and f-strings give the masked form."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    @property
    def masked(self) -> str:
        return mask(self._value)

    def __repr__(self) -> str:
        return f"Secret({self.masked!r})"

    def __str__(self) -> str:
        return self.masked

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def mask(key: str) -> str:
    """``mgp_ab…yz``: enough to recognise a key, never enough to use it."""
    if len(key) < 12:
        return "…"
    return f"{key[:6]}…{key[-2:]}"
