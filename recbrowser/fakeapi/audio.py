"""Short, real, deterministic WAV files for the fake recordings (stdlib ``wave`` only)."""

from __future__ import annotations

import io
import math
import sys
import wave
import zlib
from array import array
from functools import lru_cache

SAMPLE_RATE = 8000
_TONES_HZ = (440.0, 523.25, 587.33, 659.25, 698.46, 783.99, 880.0)
_AMPLITUDE = 0.3 * 32767
_FADE_SECONDS = 0.01


def tone_wav(frequency: float, seconds: float, sample_rate: int = SAMPLE_RATE) -> bytes:
    """A mono 16-bit sine tone as WAV bytes, with short fades so it does not click."""
    count = int(seconds * sample_rate)
    fade = max(1, int(_FADE_SECONDS * sample_rate))
    step = 2 * math.pi * frequency / sample_rate
    samples = array("h", bytes(2 * count))
    for i in range(count):
        gain = min(1.0, i / fade, (count - 1 - i) / fade)
        samples[i] = round(_AMPLITUDE * gain * math.sin(step * i))
    if sys.byteorder == "big":
        samples.byteswap()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


@lru_cache(maxsize=64)
def segment_wav(call_id: str, index: int) -> bytes:
    """The audio of segment ``index`` (1-based) of a call: 1-3 s, a different tone per segment."""
    seed = zlib.crc32(call_id.encode())
    frequency = _TONES_HZ[(seed + index) % len(_TONES_HZ)]
    seconds = 1 + (seed + index - 1) % 3
    return tone_wav(frequency, seconds)
