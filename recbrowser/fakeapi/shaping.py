"""Internet-like shaping of the recordings host: handshake and first-byte delays, bandwidth caps.

``Pacer`` is a token bucket that lends bytes ahead (tokens may go negative) and says how long
the sender must wait before the bytes it took are due: one per connection and one shared by
every connection of the host (the link) give "each connection at most R, all of them at
most L". ``sized_wav`` makes the synthetic recordings the benchmarks need: every segment a
valid WAV of the same size whose samples are one buffer built once, so serving them costs
the fake no more than copying bytes into a socket.
"""

from __future__ import annotations

import struct
import threading
import time
from functools import lru_cache

from recbrowser.fakeapi.audio import SAMPLE_RATE, tone_wav

BURST_SECONDS = 0.05
"""How far ahead of its rate an idle pacer lets a sender go (a link's buffer, ~50 ms of it)."""


class Pacer:
    """A token bucket with debt: ``take(n, rate)`` returns the seconds to wait before sending
    ``n`` bytes. The rate is passed on each call, so a fault changed mid-run applies at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens = 0.0
        self._at = time.monotonic()

    def take(self, count: int, rate: float) -> float:
        with self._lock:
            now = time.monotonic()
            self._tokens = min(rate * BURST_SECONDS, self._tokens + (now - self._at) * rate)
            self._at = now
            self._tokens -= count
            return -self._tokens / rate if self._tokens < 0 else 0.0


def _riff(label: bytes, data_size: int) -> bytes:
    """A 16-bit mono WAV's header with ``label`` as a LIST/INFO comment, up to its data chunk."""
    comment = label + b"\0" * (2 - len(label) % 2)
    info = b"INFO" + b"ICMT" + struct.pack("<I", len(comment)) + comment
    fmt = struct.pack("<HHIIHH", 1, 1, SAMPLE_RATE, SAMPLE_RATE * 2, 2, 16)
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"LIST" + struct.pack("<I", len(info)) + info
    return (
        b"RIFF"
        + struct.pack("<I", 4 + len(chunks) + 8 + data_size)
        + b"WAVE"
        + chunks
        + b"data"
        + struct.pack("<I", data_size)
    )


@lru_cache(maxsize=4)
def _samples(size: int) -> bytes:
    """``size`` bytes of 16-bit samples: a one-second tone, repeated (built once per size)."""
    tone = tone_wav(440.0, 1.0)[44:]
    return (tone * (size // len(tone) + 1))[:size]


def sized_wav(call_id: str, index: int, size: int) -> tuple[bytes, memoryview]:
    """Segment ``index`` of a call as a WAV of exactly ``size`` bytes (at least 128; an odd size
    ends with a pad byte): its own header naming the segment, then the samples every segment of
    that size shares."""
    label = f"{call_id}/{index}".encode()[:64]
    data_size = max(0, size - len(_riff(label, 0)))
    header = _riff(label, data_size - data_size % 2)
    return header, memoryview(_samples(size))[: max(0, size - len(header))]
