"""mpv's JSON IPC protocol over its Unix socket (``--input-ipc-server``), as an asyncio client.

One JSON object a line each way. Commands carry a ``request_id`` and their replies are matched
to them; everything else mpv sends is an event (``property-change`` for observed properties,
``end-file``…), handed to ``on_event``. When the socket closes, pending commands fail with
``IpcClosed`` and ``closed`` is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

LINE_LIMIT = 1 << 20
"""The longest line read from mpv (a property can be long: a URL, metadata)."""
COMMAND_TIMEOUT = 5.0
"""Seconds a command may wait for mpv's reply."""

Event = dict[str, Any]


class IpcError(Exception):
    """mpv answered a command with an error (``error`` other than ``success``)."""


class IpcClosed(IpcError):
    """The socket closed (mpv quit or crashed) before a reply came."""


class MpvIpc:
    """A connected client; ``connect`` makes one."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, on_event: Callable[[Event], None]
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._on_event = on_event
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self.closed = asyncio.Event()
        self._reading = asyncio.get_running_loop().create_task(self._read(), name="mpv-ipc-read")

    @classmethod
    async def connect(cls, path: Path, on_event: Callable[[Event], None]) -> MpvIpc:
        """Connect to the socket at ``path`` (OSError when nothing listens there)."""
        reader, writer = await asyncio.open_unix_connection(str(path), limit=LINE_LIMIT)
        return cls(reader, writer, on_event)

    async def command(self, *args: object, timeout: float = COMMAND_TIMEOUT) -> Any:
        """Run ``args`` as an mpv command; its ``data``. IpcError when mpv refuses it, IpcClosed
        when the socket is gone, TimeoutError when mpv does not answer in ``timeout`` seconds."""
        if self.closed.is_set():
            raise IpcClosed("the mpv socket is closed")
        request_id = next(self._ids)
        reply: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = reply
        try:
            line = json.dumps({"command": list(args), "request_id": request_id}) + "\n"
            try:
                self._writer.write(line.encode("utf-8"))
                await self._writer.drain()
            except (OSError, RuntimeError) as exc:
                raise IpcClosed(f"the mpv socket is closed: {exc}") from None
            return await asyncio.wait_for(reply, timeout)
        finally:
            self._waiting.pop(request_id, None)

    async def _read(self) -> None:
        try:
            while True:
                try:
                    line = await self._reader.readline()
                except (OSError, ValueError):  # ValueError: a line over LINE_LIMIT
                    return
                if not line:
                    return
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if isinstance(message, dict):
                    self._dispatch(message)
        finally:
            self._close_now()

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "event" in message:
            self._on_event(message)
            return
        reply = self._waiting.get(message.get("request_id"))  # type: ignore[arg-type]
        if reply is None or reply.done():
            return
        if message.get("error") == "success":
            reply.set_result(message.get("data"))
        else:
            reply.set_exception(IpcError(str(message.get("error"))))

    def _close_now(self) -> None:
        for reply in self._waiting.values():
            if not reply.done():
                reply.set_exception(IpcClosed("the mpv socket closed"))
        self._waiting.clear()
        with contextlib.suppress(OSError, RuntimeError):
            self._writer.close()
        self.closed.set()

    async def aclose(self) -> None:
        """Close the connection (mpv goes on) and wait for the reader to end."""
        self._close_now()
        self._reading.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reading
