"""File names for downloaded segments: templated, sanitised, and kept inside the target dir.

Whatever the API sends (``../../etc``, ``a/b\\c``, control characters, 10 kB labels), a field
can never add a path separator or climb out of the download directory.
"""

from __future__ import annotations

import os
import posixpath
import re
import string
import threading
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from recbrowser.models import Segment

if TYPE_CHECKING:
    from recbrowser.calls import CallSummary

DEFAULT_TEMPLATE = "{call_id}/{index:02d}-{label}.{ext}"
CALL_FIELDS = ("started", "direction", "from", "to", "agent")
"""Fields from the call's metadata (list-calls or get-call), not from its recordings."""
FIELDS = ("call_id", "index", "label", "source", "status", "created", "ext", *CALL_FIELDS)
UNKNOWN = "unknown"
"""What a field the API left empty (or a call field without the call's metadata) becomes."""
# Limits in UTF-8 bytes: file systems limit names to 255 bytes, and up to ".part.json.tmp" is added.
MAX_FIELD = 80
MAX_COMPONENT = 200
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_EXT = re.compile(r"[A-Za-z0-9]{1,8}")

CONTENT_TYPE_EXT = {
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/wave": "wav",
    "audio/vnd.wave": "wav",
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/ogg": "ogg",
    "audio/opus": "opus",
    "audio/webm": "webm",
    "audio/mp4": "m4a",
    "audio/x-m4a": "m4a",
    "audio/aac": "aac",
    "audio/flac": "flac",
    "audio/x-flac": "flac",
}


class TemplateError(ValueError):
    """The --name template cannot be used; the message says why."""


# Terminal escape sequences: CSI (ESC [ or the 8-bit CSI … final byte), OSC/DCS/APC strings
# (up to BEL or ESC \), and two-byte ESC sequences.
_ANSI = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]P^_X]|[\x90\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[@-Z\\-_]"
)
# What is left of a colour code once its ESC was stripped along the way: "[31m", "[0;1m", "[m".
_SGR_REMNANT = re.compile(r"\[[0-9;]*m")
# Rich-style markup tags, as Rich finds them: "[bold]", "[/bold]", "[/]", "[red on blue]",
# "[link=…]", "[#ff0000]". A bracket that starts with a digit or capital ("[1]") is text.
_MARKUP = re.compile(r"\[[a-z#/@][^\[\]]*\]")


def strip_escapes_and_markup(text: str) -> str:
    """``text`` without terminal escape sequences (or their remnants) and markup tags."""
    text = _ANSI.sub("", text)
    text = _SGR_REMNANT.sub("", text)
    return _MARKUP.sub("", text)


def sanitise(value: object, *, limit: int = MAX_FIELD) -> str:
    """One safe path component from API text: no escape codes or markup tags, no separators,
    no control characters, no leading dots, bounded."""
    return _component(strip_escapes_and_markup(str(value)), limit=limit)


def _component(value: str, *, limit: int) -> str:
    """One safe path component (the characters alone; markup is the template author's own)."""
    text = unicodedata.normalize("NFC", value)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"))
    text = _UNSAFE.sub("_", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    text = re.sub(r"\.{2,}", ".", text)
    if len(text.encode("utf-8")) > limit:
        text = text.encode("utf-8")[:limit].decode("utf-8", errors="ignore").rstrip(" .")
    return text or "_"


def extension_from_url(url: str | None) -> str | None:
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:  # e.g. "http://[bad/": the download fails with its own message
        return None
    suffix = PurePosixPath(unquote(path)).suffix.lstrip(".")
    return suffix.lower() if _EXT.fullmatch(suffix) else None


def extension_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return CONTENT_TYPE_EXT.get(content_type.split(";")[0].strip().lower())


_STRFTIME_YEAR = re.compile(r"%[%YG]")


class _Created:
    """``{created:%Y%m%d-%H%M%S}`` support that degrades to ``unknown`` when the API gave no time.

    The time is the one the server wrote (its own offset), so no conversion can overflow near
    year 1 or 9999; years always have four digits (the C library writes year 1 as ``1``).
    """

    def __init__(self, moment: datetime | None) -> None:
        self.moment = moment

    def __format__(self, spec: str) -> str:
        moment = self.moment
        if moment is None:
            return UNKNOWN

        def year(match: re.Match[str]) -> str:
            token = match[0]
            if token == "%%":
                return token
            return f"{moment.isocalendar()[0] if token == '%G' else moment.year:04d}"

        try:
            return moment.strftime(_STRFTIME_YEAR.sub(year, spec or "%Y%m%d-%H%M%S"))
        except OverflowError:  # e.g. %s near the edges on some C libraries
            return UNKNOWN


def check_template(template: str) -> None:
    """Reject templates that name unknown fields, are absolute, or climb with ``..``."""
    if not template.strip():
        raise TemplateError("the name template is empty")
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise TemplateError(f"the name template is malformed: {exc}") from None
    if any("." in n or "[" in n for n in names):
        # "{created.__init__.__globals__...}" could reach anything, the API key included.
        raise TemplateError("fields in the name template cannot use '.' or '[...]'; use a format like {created:%Y%m%d}")
    unknown = sorted({n for n in names if n not in FIELDS})
    if unknown or any(not n for n in names):
        raise TemplateError(
            f"unknown field(s) in the name template: {', '.join(unknown) or '{}'}; use {', '.join(FIELDS)}"
        )
    if template.startswith(("/", "\\")) or ".." in PurePosixPath(template.replace("\\", "/")).parts:
        raise TemplateError("the name template must be a relative path without '..'")


def template_fields(template: str) -> set[str]:
    """The fields a (checked) template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _call_values(call: CallSummary | None) -> dict[str, object]:
    """``{started}``, ``{direction}``, ``{from}``, ``{to}``, ``{agent}``: ``unknown`` when not known."""
    if call is None:
        return {"started": _Created(None), **dict.fromkeys(CALL_FIELDS[1:], UNKNOWN)}
    return {
        "started": _Created(call.started),
        "direction": sanitise(call.direction or UNKNOWN),
        "from": sanitise(call.from_number or UNKNOWN),
        "to": sanitise(call.to_number or UNKNOWN),
        "agent": sanitise(call.agent_name or call.agent_id or UNKNOWN),
    }


def render(template: str, call_id: str, segment: Segment, ext: str, call: CallSummary | None = None) -> str:
    """The relative path for one segment (components sanitised, ``/`` only from the template);
    ``call`` fills the call fields (``unknown`` without it)."""
    check_template(template)
    values = {
        "call_id": sanitise(call_id),
        "index": segment.index,
        "label": sanitise(segment.label or "main"),
        "source": sanitise(segment.source or UNKNOWN),
        "status": sanitise(segment.status or UNKNOWN),
        "created": _Created(segment.created_at),
        "ext": sanitise(ext, limit=8),
        **_call_values(call),
    }
    try:
        rendered = template.format(**values)
    except (ValueError, KeyError, IndexError, AttributeError, TypeError) as exc:
        raise TemplateError(f"the name template cannot be filled: {exc}") from None
    parts = [
        _component(part, limit=MAX_COMPONENT)
        for part in rendered.replace("\\", "/").split("/")
        if part not in ("", ".")
    ]
    return "/".join(parts) or "_"


def inside(base: Path, relative: str) -> Path:
    """``base/relative``, refusing anything that would resolve outside ``base``."""
    normalised = posixpath.normpath(relative)
    if normalised.startswith("..") or posixpath.isabs(normalised):
        raise TemplateError(f"refusing a path outside the download directory: {relative!r}")
    target = base / normalised
    base_real = os.path.realpath(base)
    if os.path.commonpath([base_real, os.path.realpath(target)]) != base_real:
        raise TemplateError(f"refusing a path outside the download directory: {relative!r}")
    return target


@dataclass(frozen=True)
class PlannedName:
    """Where a segment goes. The partial file's name never depends on the server's answer,
    so an interrupted download is found again; the final name may take its extension from
    the Content-Type when the URL has none."""

    base: Path
    template: str
    call_id: str
    segment: Segment
    path: Path
    ext_known: bool
    call: CallSummary | None = None
    """The call's metadata, for the call fields of the template."""

    @property
    def part(self) -> Path:
        return self.path.with_name(self.path.name + ".part")

    def final(self, content_type: str | None) -> Path:
        if self.ext_known:
            return self.path
        ext = extension_from_content_type(content_type)
        if ext is None:
            return self.path
        return inside(self.base, render(self.template, self.call_id, self.segment, ext, self.call))

    @property
    def owner(self) -> tuple[str, int]:
        """Who the file belongs to: (call ID, segment index)."""
        return (self.call_id, self.segment.index)

    def candidates(self) -> list[Path]:
        """Every name this segment's finished file can have (one per known extension when the
        URL gave none, since the server's Content-Type decides)."""
        names = [self.path]
        if not self.ext_known:
            for ext in sorted(set(CONTENT_TYPE_EXT.values())):
                candidate = inside(self.base, render(self.template, self.call_id, self.segment, ext, self.call))
                if candidate not in names:
                    names.append(candidate)
        return names

    def existing(self) -> Path | None:
        """A file at one of this segment's names (not checked to be complete or its own)."""
        return next((path for path in self.candidates() if path.exists()), None)


class NameClaims:
    """Which segment owns which final file name within one batch, decided once: the first to
    claim a name keeps it, and a clash fails the later one instead of replacing a file.
    Names compare case-insensitively (case-insensitive file systems clash too). Thread-safe."""

    def __init__(self) -> None:
        self._owners: dict[str, tuple[str, int]] = {}
        self._lock = threading.Lock()

    def claim(self, path: Path, owner: tuple[str, int]) -> tuple[str, int] | None:
        """Claim ``path`` for ``owner``; the other owner when it was already someone else's."""
        key = os.path.abspath(path).casefold()
        with self._lock:
            current = self._owners.setdefault(key, owner)
        return None if current == owner else current


def plan(base: Path, template: str, call_id: str, segment: Segment, call: CallSummary | None = None) -> PlannedName:
    """The file for a segment, with the extension from its URL (``bin`` until the server says)."""
    ext = extension_from_url(segment.url)
    path = inside(base, render(template, call_id, segment, ext or "bin", call))
    return PlannedName(base, template, call_id, segment, path, ext_known=ext is not None, call=call)
