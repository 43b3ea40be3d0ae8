"""Hostile API answers for the fake (see ``Faults``): bombs, huge and nested bodies, built
without ever holding them whole in memory."""

from __future__ import annotations

import functools
import json
import struct
import zlib
from collections.abc import Iterator
from typing import Any

_BLOCK = 1024 * 1024


def nested(depth: int) -> Any:
    """``[[[...]]]``, ``depth`` lists deep (built without recursion)."""
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


def dumps_nested(payload: dict[str, Any], depth: int) -> bytes:
    """``payload`` as JSON with ``"extra": [[[...]]]`` in its first recording (json.dumps
    would recurse too deep to write it, so the nesting is spliced in as text)."""
    recordings = payload.get("recordings")
    if not isinstance(recordings, list) or not recordings or not isinstance(recordings[0], dict):
        return json.dumps(payload).encode()
    marker = "\u0000nested\u0000"
    first = {**recordings[0], "extra": marker}
    text = json.dumps({**payload, "recordings": [first, *recordings[1:]]})
    return text.replace(json.dumps(marker), "[" * depth + "]" * depth).encode()


def _around_padding(payload: dict[str, Any]) -> tuple[bytes, bytes]:
    """What goes before and after a ``"padding"`` string placed first in ``payload``'s JSON."""
    rest = json.dumps(payload).encode()
    return b'{"padding": "', (b'", ' + rest[1:]) if len(rest) > 2 else b'"}'


def padded(payload: dict[str, Any], size: int) -> tuple[int, Iterator[bytes]]:
    """(length, chunks) of ``payload`` as JSON with a leading ``"padding"`` string, ``size`` bytes in all."""
    head, tail = _around_padding(payload)
    fill = max(0, size - len(head) - len(tail))

    def chunks() -> Iterator[bytes]:
        yield head
        block = b"x" * _BLOCK
        left = fill
        while left > 0:
            yield block[: min(left, _BLOCK)]
            left -= _BLOCK
        yield tail

    return len(head) + fill + len(tail), chunks()


@functools.lru_cache(maxsize=8)
def _deflated(data: bytes) -> bytes:
    """``data`` as raw deflate blocks, byte-aligned and not final, so pieces can be chained."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


def gzip_bomb(payload: dict[str, Any], size: int) -> tuple[int, Iterator[bytes]]:
    """(length, chunks) of a gzip member that inflates to ``size`` bytes (whole MiB) of valid
    JSON: ``payload`` padded with spaces. The compressed body is about size / 1000."""
    head, tail = _around_padding(payload)
    count = max(1, size // _BLOCK)
    block = b" " * _BLOCK
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    final = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()  # an empty last block
    inflated = len(head) + count * _BLOCK + len(tail)
    length = len(header) + len(_deflated(head)) + count * len(_deflated(block)) + len(_deflated(tail)) + len(final) + 8

    def chunks() -> Iterator[bytes]:
        crc = zlib.crc32(head)
        yield header + _deflated(head)
        for _ in range(count):
            crc = zlib.crc32(block, crc)  # only as far as a client reads
            yield _deflated(block)
        crc = zlib.crc32(tail, crc)
        yield _deflated(tail) + final + struct.pack("<II", crc, inflated & 0xFFFFFFFF)

    return length, chunks()
