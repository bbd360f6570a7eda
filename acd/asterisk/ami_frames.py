"""AMI bytes -> frames -> header dicts: the daemon's own reading of the stream.

panoramisk builds a Message per frame line by line (a lower-cased key and a tuple per header,
through Python-level __setitem__): about 40% of the reactor's time at a high event rate.
Here a frame is split in C (one dict from the header pairs) and events become `Headers`, a
plain dict; responses and events that answer an action (ActionID) are still panoramisk's.

What the bytes may be, whatever the PBX sends:
- frames end with a blank line; CRLF or bare LF, even mixed, read alike (a frame may arrive
  in any number of reads, cut anywhere);
- UTF-8, with bytes that are not replaced by U+FFFD (panoramisk read ASCII and silently
  dropped every other byte: "Müller" became "Mller");
- a header given twice is a list, as panoramisk made it, which the translators refuse;
- a frame longer than MAX_FRAME is dropped (logged), and reading goes on at the next frame:
  the bytes kept waiting for a frame's end never pass the limit.
Values are not checked here: acd/asterisk/ami_events.py refuses what it cannot read.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from twisted.logger import Logger

log = Logger()
MAX_FRAME = 1 << 20  # bytes: an event is under 2 KB; a QueueStatus answer is one frame a member
_ABSENT = object()
_has = dict.__contains__
_exact = dict.get


class Headers(dict[str, Any]):
    """One event's headers: a dict (lookups in C, as the translators' `msg[key]` does), that
    finds a header in any case when the exact one is missing, like panoramisk's Message."""

    __slots__ = ("manager",)  # panoramisk's Manager.dispatch sets it

    def __missing__(self, key: str) -> Any:
        found = self._any_case(key)
        if found is _ABSENT:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return _has(self, key) or (isinstance(key, str) and self._any_case(key) is not _ABSENT)

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    @property
    def event(self) -> str:
        """The event's name (panoramisk's Manager.dispatch matches its patterns on it). Read
        for every event: the exact header first, in C (an event frame starts with it)."""
        name = _exact(self, "Event")
        return name if type(name) is str else str(self.get("Event", ""))

    def _any_case(self, key: str) -> Any:
        lowered = key.lower()
        for name, value in self.items():
            if name.lower() == lowered:
                return value
        return _ABSENT


class Framer:
    """Cuts a byte stream into whole frames (text, LF line ends), keeping the unfinished tail."""

    def __init__(self) -> None:
        self.tail = b""  # bytes after the last frame's end: the start of the next frame
        self.dropped = 0  # frames over MAX_FRAME, since the connection opened
        self._skipping = False  # inside a frame too long to keep: drop up to its end

    def feed(self, data: bytes) -> list[str]:
        buffer = (self.tail + data if self.tail else data).replace(b"\r\n", b"\n")
        if self._skipping:
            start = buffer.find(b"\n\n")
            if start < 0:
                self.tail = buffer[-2:]  # a frame's end may begin in these bytes
                return []
            self._skipping, buffer = False, buffer[start + 2 :]
        end = buffer.rfind(b"\n\n")
        if end < 0:
            self._keep(buffer)
            return []
        self._keep(buffer[end + 2 :])
        frames = buffer[:end].decode("utf-8", "replace").split("\n\n")
        limit = MAX_FRAME
        return [frame for frame in frames if len(frame) <= limit or self._too_long(frame)]

    def _keep(self, tail: bytes) -> None:
        if len(tail) <= MAX_FRAME:
            self.tail = tail
            return
        self._too_long(tail[:80].decode("utf-8", "replace"))
        self.tail, self._skipping = tail[-2:], True

    def _too_long(self, frame: str) -> bool:
        self.dropped += 1
        log.warn(
            "dropped an AMI frame over {limit} bytes: {start!r}...",
            limit=MAX_FRAME,
            start=frame.lstrip()[:80],
        )
        return False


def event_headers(frame: str) -> Headers | None:
    """An event frame's headers; None for anything else (a response, an event answering an
    action, the PBX's greeting line): panoramisk's to read, and to match to its action."""
    if not frame.startswith("Event: "):
        return None
    lines = frame.split("\n")
    try:
        headers = Headers([line.split(": ", 1) for line in lines])
    except ValueError:  # a line that is no header
        headers = _careful(lines)
    else:
        if len(headers) != len(lines):  # a header given twice
            headers = _careful(lines)
    if _has(headers, "ActionID") or _has(headers, "CommandID"):
        return None
    if _has(headers, "Result") and isinstance(headers["Result"], str):  # AGI results are quoted
        headers["Result"] = unquote(headers["Result"]).strip()  # (panoramisk unquotes them)
    return headers


def _careful(lines: list[str]) -> Headers:
    """panoramisk's reading, header by header: lines without ': ' skipped, a header given
    twice made a list of its values."""
    headers = Headers()
    for line in lines:
        name, colon, value = line.partition(": ")
        if not colon:
            continue
        if _has(headers, name):
            before = headers[name]
            headers[name] = [*before, value] if isinstance(before, list) else [before, value]
        else:
            headers[name] = value
    return headers


def panoramisk_text(frame: str) -> str:
    """A frame as panoramisk's Message.from_line reads it (CRLF line ends)."""
    return frame.replace("\n", "\r\n")
