"""Parsing a large answer with the garbage collector paused, and leaving it as it was found."""

from __future__ import annotations

import gc
import json

import pytest

from recbrowser.apibody import LARGE_BODY, Unparsable, collector_paused, parse_json


def test_a_large_body_parses_as_json_loads_would_and_the_collector_is_back_on() -> None:
    value = {"recordings": [{"url": f"https://h/{n}.wav", "label": "main"} for n in range(30_000)]}
    body = json.dumps(value).encode()
    assert len(body) >= LARGE_BODY
    assert gc.isenabled()
    assert parse_json(body) == value
    assert gc.isenabled()
    with pytest.raises(Unparsable):
        parse_json(body[:-1])
    assert gc.isenabled()


def test_the_collector_is_off_meanwhile_and_left_off_when_it_was_off() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
