"""Reading an API answer's body within a size bound, and parsing it as JSON without surprises.

An answer is read raw and inflated here, a bounded piece at a time, so a gzip bomb or an
endless body costs at most ``MAX_ANSWER_BYTES`` of memory before it is refused.
"""

from __future__ import annotations

import gc
import json
import zlib
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

MAX_ANSWER_BYTES = 32 * 1024 * 1024
"""The largest decoded API answer accepted. Real answers are a few KiB; this leaves room for
a call of 100,000 segments (about 23 MiB) and still bounds memory."""

ACCEPT_ENCODING = "gzip, deflate"
"""The encodings this module can inflate with a bound; sent as Accept-Encoding."""

_PIECE = 256 * 1024  # the most one inflate step may produce


class TooLarge(Exception):
    """The decoded body passed the limit."""


class Undecodable(Exception):
    """The body's Content-Encoding is unknown, or its compressed data is broken."""


class Unparsable(Exception):
    """The body is not JSON this client can read; ``reason`` says why, for people
    ("not with JSON", "with JSON nested too deeply to read", ...)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Inflater:
    """zlib inflation that never produces more than ``_PIECE`` bytes per step."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in ("gzip", "x-gzip")
        # deflate is meant to be zlib-wrapped, but servers also send raw deflate (as httpx allows).
        self._z = zlib.decompressobj(zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS)
        self._started = False

    def pieces(self, data: bytes) -> Iterator[bytes]:
        while data and not self._z.eof:
            try:
                out = self._z.decompress(data, _PIECE)
            except zlib.error:
                if self._gzip or self._started:
                    raise Undecodable("broken compressed data") from None
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                self._started = True
                continue
            self._started = True
            data = self._z.unconsumed_tail
            if out:
                yield out


def _encodings(header: str | None) -> list[str]:
    """Content-Encoding values in the order they were applied, identity left out."""
    names = [part.strip().lower() for part in (header or "").split(",")]
    names = [name for name in names if name and name != "identity"]
    if len(names) > 2:
        raise Undecodable("too many Content-Encodings")
    for name in names:
        if name not in ("gzip", "x-gzip", "deflate"):
            raise Undecodable(f"unsupported Content-Encoding {name[:20]!r}")
    return names


async def read_limited(
    raw: AsyncIterator[bytes], content_encoding: str | None, limit: int = MAX_ANSWER_BYTES
) -> bytearray:
    """The decoded body from raw (still encoded) chunks; TooLarge once it passes ``limit`` bytes.

    Raises Undecodable for an encoding outside ``ACCEPT_ENCODING`` or broken compressed data.
    """
    inflaters = [_Inflater(name) for name in reversed(_encodings(content_encoding))]
    body = bytearray()

    def take(piece: bytes, stage: int) -> None:
        if stage == len(inflaters):
            if len(body) + len(piece) > limit:
                raise TooLarge()
            body.extend(piece)
            return
        for out in inflaters[stage].pieces(piece):
            take(out, stage + 1)

    async for chunk in raw:
        take(chunk, 0)
    return body  # not copied to bytes: json.loads reads a bytearray as well


LARGE_BODY = 1024 * 1024
"""Bodies from this size are parsed with the cyclic garbage collector paused (``collector_paused``)."""


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off meanwhile, when it was on.

    Parsing a huge answer makes hundreds of thousands of objects, and the collections they set
    off walk everything the process holds: in the app they doubled the time json.loads and
    from_api took for 100,000 segments. Nothing is lost: what is made holds no cycles, and
    reference counting frees garbage meanwhile. (Two at once: the first to end turns it back on.)"""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def parse_json(body: bytes | bytearray) -> Any:
    """The JSON value of ``body``; Unparsable (never another exception) when it cannot be read."""
    try:
        if len(body) >= LARGE_BODY:
            with collector_paused():
                return json.loads(body)
        return json.loads(body)
    except RecursionError:
        raise Unparsable("with JSON nested too deeply to read") from None
    except ValueError as exc:  # also UnicodeDecodeError, and integers past Python's digit limit
        reason = "with a number too long to read" if "digits" in str(exc) else "not with JSON"
        raise Unparsable(reason) from None
