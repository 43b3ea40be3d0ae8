"""A real HTTP fake of the Magpipe API (stdlib only), for the tests and ``--demo``.

``FakeMagpipe`` runs two loopback servers: the API (``POST /functions/v1/<endpoint>``)
and a separate recordings host (storage bucket, provider signed URLs, ``/big/<n>``).
``Faults`` switches misbehaviour on at runtime; ``week_ending`` adds the demo's week of calls.
README.md beside this file says what each sample call and fault is for.
"""

from __future__ import annotations

from recbrowser.fakeapi.audio import segment_wav, tone_wav
from recbrowser.fakeapi.bigfile import big_bytes, big_sha256, iter_big
from recbrowser.fakeapi.faults import Faults
from recbrowser.fakeapi.foreground import describe, main, serve_forever
from recbrowser.fakeapi.samples import (
    DEFAULT_KEYS,
    DEMO_KEY,
    OTHER_ACCOUNT_KEY,
    SAMPLE_CALLS,
    SampleCall,
    SegmentSpec,
)
from recbrowser.fakeapi.server import FakeMagpipe
from recbrowser.fakeapi.state import RequestRecord

__all__ = [
    "DEFAULT_KEYS",
    "DEMO_KEY",
    "OTHER_ACCOUNT_KEY",
    "SAMPLE_CALLS",
    "FakeMagpipe",
    "Faults",
    "RequestRecord",
    "SampleCall",
    "SegmentSpec",
    "big_bytes",
    "big_sha256",
    "describe",
    "iter_big",
    "main",
    "segment_wav",
    "serve_forever",
    "tone_wav",
]
