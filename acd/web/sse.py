"""Server-sent events on the wire (the WHATWG `text/event-stream` format), and the resume id.

Data is one line of JSON (JSON escapes every line break), so a message can never be split into
two or carry a field of its own, whatever text a caller or the PBX put into an event.
"""

from __future__ import annotations

import json
import re

from acd.core.journal import Entry

RETRY_MS = 2000  # how soon a browser's EventSource reconnects after the stream ends
_ID = re.compile(r"[0-9]{1,18}")


def message(seq: int | None, kind: str, data: object) -> bytes:
    """One event: `id:` (when given), `event:`, one `data:` line of JSON, a blank line."""
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=True)
    head = f"id: {seq}\n" if seq is not None else ""
    return f"{head}event: {kind}\ndata: {body}\n\n".encode("ascii")


def of_entry(entry: Entry) -> bytes:
    """A journal entry as it is pushed: its number, its event's type, its record."""
    return message(entry.seq, type(entry.event).__name__, entry.as_record())


def comment(text: str = "") -> bytes:
    """A line clients ignore: keeps proxies and idle timers from closing a quiet stream."""
    return f": {text}\n\n".encode("ascii", "replace")


def opening() -> bytes:
    return f"retry: {RETRY_MS}\n\n".encode("ascii")


def resume_id(header: list[bytes] | None, query: list[bytes] | None) -> int | None:
    """The last event the client has (the `Last-Event-ID` header, else `?last_event_id=`);
    None: a fresh client. ValueError when it is not one of our numbers."""
    raw = header[-1] if header else (query[-1] if query else None)
    if raw is None:
        return None
    text = raw.decode("latin-1").strip()
    if text == "":
        return None  # a browser sends an empty id after an event that had none
    if not _ID.fullmatch(text):
        raise ValueError("Last-Event-ID must be an event's number")
    return int(text)
