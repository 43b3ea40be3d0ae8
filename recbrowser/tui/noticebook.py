"""Which toasts are showing, what they are about, and when they become obsolete (no Textual).

A toast has a key (its kind and message): a repeat of a key still showing is collapsed into it
("3 calls: …") instead of stacking another, and a toast about calls that have all since
succeeded is withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

H = TypeVar("H")  # whatever the UI uses to withdraw a toast


@dataclass
class Notice(Generic[H]):
    key: str
    handle: H
    calls: set[str] = field(default_factory=set)
    count: int = 1


class NoticeBook(Generic[H]):
    """The toasts shown, by key."""

    def __init__(self) -> None:
        self._notices: dict[str, Notice[H]] = {}

    def repeat(self, key: str, call_id: str | None = None) -> Notice[H] | None:
        """The notice already shown under ``key``, counting this repeat (None when there is none)."""
        notice = self._notices.get(key)
        if notice is not None:
            notice.count += 1
            if call_id is not None:
                notice.calls.add(call_id)
        return notice

    def shown(self, key: str, handle: H, call_id: str | None = None, *, count: int = 1) -> Notice[H]:
        """Record the toast now shown under ``key`` (replacing any before it)."""
        notice = Notice(key, handle, {call_id} if call_id is not None else set(), count)
        previous = self._notices.get(key)
        if previous is not None:
            notice.calls |= previous.calls
        self._notices[key] = notice
        return notice

    def forget(self, key: str) -> Notice[H] | None:
        return self._notices.pop(key, None)

    def resolved(self, call_id: str) -> list[Notice[H]]:
        """The call has succeeded: the notices now about no failing call, to withdraw (and forgotten)."""
        obsolete = []
        for key, notice in list(self._notices.items()):
            if call_id in notice.calls:
                notice.calls.discard(call_id)
                if not notice.calls:
                    obsolete.append(self._notices.pop(key))
        return obsolete
