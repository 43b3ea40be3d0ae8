"""The body writer (recbrowser.bodywriter): buffers written in order on its own thread, real files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from recbrowser.bodywriter import ALIGN, BUFFERS, BodyWriter

PIECES = [ALIGN * 16, 100, ALIGN * 16, 1, ALIGN * 3, 5000]  # whole buffers and short ones, in any order


def _write(path: Path, start: bytes, pieces: list[int], *, direct: bool) -> bytes:
    """Write ``start`` the ordinary way, then ``pieces`` of patterned bytes through a BodyWriter."""
    path.write_bytes(start)
    expected = bytearray(start)
    fd = os.open(path, os.O_WRONLY)
    try:
        writer = BodyWriter(fd, len(start), size=ALIGN * 16, direct=direct)
        for number, size in enumerate(pieces):
            view = writer.take()
            data = bytes([number % 251 + 1]) * min(size, len(view))
            view[: len(data)] = data
            writer.put(view, len(data))
            expected += data
        writer.close()
    finally:
        os.close(fd)
    return bytes(expected)


@pytest.mark.parametrize("direct", [True, False], ids=["direct-io", "page-cache"])
@pytest.mark.parametrize("start", [0, 2020, ALIGN], ids=["empty", "unaligned", "aligned"])
def test_pieces_land_in_order_after_what_the_file_held(tmp_path: Path, direct: bool, start: int) -> None:
    path = tmp_path / "body.part"
    expected = _write(path, b"s" * start, PIECES * BUFFERS, direct=direct)
    assert path.read_bytes() == expected


def test_a_buffer_after_an_unaligned_position_ends_at_an_aligned_one(tmp_path: Path) -> None:
    fd = os.open(tmp_path / "body.part", os.O_WRONLY | os.O_CREAT)
    try:
        writer = BodyWriter(fd, 2020, size=ALIGN * 4)
        view = writer.take()
        assert (2020 + len(view)) % ALIGN == 0
        writer.put(view, len(view))
        assert len(writer.take()) == ALIGN * 4
        writer.close()
    finally:
        os.close(fd)


def test_a_failed_write_is_raised_to_the_receiving_thread_and_nothing_after_it_is_written(tmp_path: Path) -> None:
    path = tmp_path / "body.part"
    path.write_bytes(b"")
    fd = os.open(path, os.O_RDONLY)  # every write fails (EBADF), as a full or failing disk would
    try:
        writer = BodyWriter(fd, 0, size=ALIGN)
        with pytest.raises(OSError):
            for _ in range(BUFFERS * 4):  # the error surfaces at a later take/put at the latest
                view = writer.take()
                writer.put(view, len(view))
            writer.close()
        with pytest.raises(OSError):
            writer.close()
    finally:
        os.close(fd)
    assert path.read_bytes() == b""
