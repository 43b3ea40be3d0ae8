"""An executor whose threads never keep the process alive: downloads run in it, so
quitting does not wait for a transfer stuck on a server that drips bytes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

T = TypeVar("T")


class DaemonThreads(Executor):
    """Runs each submitted call in a daemon thread of its own (the caller bounds how many).

    ``ThreadPoolExecutor`` threads are joined when the interpreter exits, even after
    ``shutdown(wait=False)``; daemon threads are not.
    """

    def __init__(self, name: str = "recbrowser-download") -> None:
        self._name = name
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()

        def run() -> None:
            try:
                if future.set_running_or_notify_cancel():
                    try:
                        result = fn(*args, **kwargs)
                    except BaseException as exc:  # handed to whoever awaits the future
                        future.set_exception(exc)
                    else:
                        future.set_result(result)
            finally:
                with self._lock:
                    self._threads.discard(threading.current_thread())

        thread = threading.Thread(target=run, name=self._name, daemon=True)
        with self._lock:
            self._threads.add(thread)
        thread.start()
        return future

    def running(self) -> int:
        with self._lock:
            return len(self._threads)

    def wait_idle(self, timeout: float | None) -> bool:
        """Wait up to ``timeout`` seconds (None: no limit) for every thread to end; True if they all did."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                threads = list(self._threads)
            if not threads:
                return True
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            threads[0].join(remaining)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if wait:
            self.wait_idle(None)
