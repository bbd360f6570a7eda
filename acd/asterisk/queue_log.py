"""Asterisk's queue_log, read back: the PBX's own record of every queued call.

It is the reference the daemon's numbers are checked against: CONNECT (holdtime, ringtime),
COMPLETECALLER/COMPLETEAGENT (holdtime, talk time), ABANDON and EXITWITHTIMEOUT.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from acd.core.text import ascii_digits

COMPLETIONS = ("COMPLETECALLER", "COMPLETEAGENT")
# Written by the callback dial's h-extension (QueueLog): Dial()'s DIALSTATUS, on disk, so a
# callback served while the daemon was down is known to be done when it returns.
CALLBACK_DIAL = "CALLBACKDIAL"
TAIL = 32 * 1024 * 1024  # days of a busy centre: more than a callback lives (give_up_after)


@dataclass(frozen=True)
class Entry:
    time: int
    call_id: str
    queue: str
    agent: str
    verb: str
    data: tuple[str, ...]


@dataclass
class QueuedCall:
    """One call's story in one queue, as queue_log tells it."""

    call_id: str
    queue: str
    caller_id: str = ""
    entered: int | None = None
    agent: str = ""
    hold_time: int | None = None
    talk_time: int | None = None
    outcome: str = "waiting"  # waiting | connected | completed | abandoned | timed_out
    verbs: list[str] = field(default_factory=list)


def parse(lines: Iterable[str]) -> Iterator[Entry]:
    for line in lines:
        parts = line.rstrip("\n").split("|")
        if len(parts) < 5 or not ascii_digits(parts[0]):
            continue
        yield Entry(int(parts[0]), parts[1], parts[2], parts[3], parts[4], tuple(parts[5:]))


def read(path: Path) -> list[Entry]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8", errors="replace") as handle:
        return list(parse(handle))


def tail(path: Path, limit: int = TAIL) -> list[Entry]:
    """The entries in the last `limit` bytes (a line cut at the start is skipped)."""
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(max(0, size - limit))
            data = handle.read()
    except OSError:
        return []
    lines = data.decode("utf-8", "replace").split("\n")
    return list(parse(lines[1:] if size > limit else lines))


def calls(entries: Iterable[Entry]) -> dict[str, QueuedCall]:
    """Fold entries into calls, keyed by call id (the caller channel's uniqueid)."""
    found: dict[str, QueuedCall] = {}
    for entry in entries:
        if entry.call_id in ("", "NONE"):
            continue
        call = found.setdefault(entry.call_id, QueuedCall(entry.call_id, entry.queue))
        call.verbs.append(entry.verb)
        _fold(call, entry)
    return found


def _fold(call: QueuedCall, entry: Entry) -> None:
    data = entry.data + ("",) * 3
    if entry.verb == "ENTERQUEUE":
        call.entered, call.caller_id, call.queue = entry.time, data[1], entry.queue
    elif entry.verb == "CONNECT":
        call.agent, call.hold_time, call.outcome = entry.agent, int(data[0]), "connected"
    elif entry.verb in COMPLETIONS:
        call.agent, call.hold_time, call.talk_time = entry.agent, int(data[0]), int(data[1])
        call.outcome = "completed"
    elif entry.verb == "ABANDON":
        call.hold_time, call.outcome = int(data[2]), "abandoned"
    elif entry.verb == "EXITWITHTIMEOUT":
        call.hold_time, call.outcome = int(data[2]), "timed_out"


# what each verb counts for the day's figures: offered (joined), answered, abandoned
DAY_COUNTS = {"ENTERQUEUE": "offered", "CONNECT": "answered", "ABANDON": "abandoned"}


def day_counts(entries: Iterable[Entry], since: float) -> dict[str, dict[str, int]]:
    """Per queue, the calls offered, answered and abandoned from `since` on: the figures the
    daemon's counters are checked against."""
    found: dict[str, dict[str, int]] = {}
    for entry in entries:
        kind = DAY_COUNTS.get(entry.verb)
        if kind is not None and entry.time >= since and entry.call_id not in ("", "NONE"):
            counts = found.setdefault(entry.queue, dict.fromkeys(DAY_COUNTS.values(), 0))
            counts[kind] += 1
    return found
