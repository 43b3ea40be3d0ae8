"""Deterministic large bodies for ``/big/<n>``, produced in chunks and never held whole."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

_PERIOD = 65521  # prime, so the pattern does not line up with power-of-two chunk sizes
_PATTERN = b"".join(hashlib.sha256(b"recbrowser-big-%d" % i).digest() for i in range(_PERIOD // 32 + 1))[:_PERIOD]
_DOUBLED = _PATTERN * 2


def iter_big(start: int, stop: int, chunk_size: int = _PERIOD) -> Iterator[bytes]:
    """Bytes ``start`` to ``stop`` (exclusive) of the infinite deterministic stream."""
    chunk_size = max(1, min(chunk_size, _PERIOD))
    position = start
    while position < stop:
        length = min(chunk_size, stop - position)
        offset = position % _PERIOD
        yield _DOUBLED[offset : offset + length]
        position += length


def big_bytes(start: int, stop: int) -> bytes:
    """Bytes ``start`` to ``stop`` of the stream, in memory (for small ranges in tests)."""
    return b"".join(iter_big(start, stop))


def big_sha256(size: int) -> str:
    """Hex SHA-256 of the first ``size`` bytes, i.e. of the body of ``/big/<size>``."""
    digest = hashlib.sha256()
    for chunk in iter_big(0, size):
        digest.update(chunk)
    return digest.hexdigest()
