"""A cancel flag that also unblocks whatever is waiting on the network for it.

A thread blocked in ``recv`` does not look at a flag; closing its socket from the cancelling
side is what wakes it at once, however slowly (or never) the server sends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Abort(threading.Event):
    """A ``threading.Event`` whose ``set()`` also runs the callbacks attached with ``on_set``."""

    def __init__(self) -> None:
        super().__init__()
        self._callbacks: dict[int, Callable[[], None]] = {}
        self._callbacks_lock = threading.Lock()
        self._next = 0

    def on_set(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Run ``callback`` when the flag is set (at once when it already is); returns a detach
        function. The callback runs in the setting thread and must not block."""
        with self._callbacks_lock:
            if not self.is_set():
                self._next += 1
                token = self._next
                self._callbacks[token] = callback

                def detach() -> None:
                    with self._callbacks_lock:
                        self._callbacks.pop(token, None)

                return detach
        callback()
        return lambda: None

    def set(self) -> None:
        with self._callbacks_lock:
            super().set()
            callbacks = list(self._callbacks.values())
            self._callbacks.clear()
            for callback in callbacks:  # under the lock: a detached callback never runs late
                try:
                    callback()
                except OSError:
                    pass
