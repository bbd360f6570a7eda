"""What the PBX's queue_log holds that the journal lacks: queued calls' facts as core events.

While the daemon is down (or its AMI link is), Asterisk goes on queueing, connecting and
ending calls and writes each fact to queue_log. On start, after the journal's fold, those
facts are turned into the core's events with queue_log's times and entered once, marked
reconstructed.

"Once" is decided per call, queue and kind, by count: the ledger counts what the journal holds
(it is a model subscriber, so the fold replays the day into it, reconstructed entries
included); the n-th queue_log fact of a kind for a call and queue is missing only when the
journal holds fewer than n. A time cut alone cannot tell: queue_log has 1 s resolution, and
the journal's last batch before a kill -9 may be lost while queue_log has it. One guard uses
time, per call: a fact older (to the second) than the latest the journal holds about that
call is not entered, since applying it now would rewind the call (a timeout in the preferred
agent's queue, which the dialplan never reports, found after the call was answered).

Pure: queue_log lines come in parsed (acd/asterisk/queue_log.py reads the file).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from acd.core import checkpoint
from acd.core import events as ev
from acd.core.center import UNANSWERED_EXITS
from acd.core.text import ascii_digits

JOINED, ANSWERED, COMPLETED = "joined", "answered", "completed"
ABANDONED, TIMED_OUT = "abandoned", "timed_out"
EXITS = {"EXITWITHTIMEOUT": "TIMEOUT", "EXITEMPTY": "LEAVEEMPTY"}  # queue_log verb -> QUEUESTATUS
COMPLETIONS = {"COMPLETECALLER": "caller", "COMPLETEAGENT": "agent"}
TRANSFERS = frozenset({"BLINDTRANSFER", "ATTENDEDTRANSFER", "TRANSFER"})  # ...|holdtime|calltime|pos
NO_CALL = frozenset({"", "NONE"})
VERB_KINDS = {
    "ENTERQUEUE": JOINED,
    "CONNECT": ANSWERED,
    **dict.fromkeys((*COMPLETIONS, *TRANSFERS), COMPLETED),
    "ABANDON": ABANDONED,
    **dict.fromkeys(EXITS, TIMED_OUT),
}  # the fact each verb states, as key_of names it for the event translate makes of it
MAX_CALLS = 200_000  # calls the ledger remembers: more than a busy day; the oldest go first

Key = tuple[str, str, str]  # (call id, queue, kind)
# the events key_of can name a fact for: the ledger is subscribed to these alone
LEDGER_EVENTS = frozenset(
    {ev.CallerJoined, ev.CallerWaiting, ev.CallAnswered, ev.CallCompleted, ev.CallerAbandoned, ev.QueueExited}
)


class LogLine(Protocol):
    """One queue_log line, parsed (acd.asterisk.queue_log.Entry has these fields)."""

    @property
    def time(self) -> int: ...
    @property
    def call_id(self) -> str: ...
    @property
    def queue(self) -> str: ...
    @property
    def agent(self) -> str: ...
    @property
    def verb(self) -> str: ...
    @property
    def data(self) -> tuple[str, ...]: ...


def key_of(event: ev.Event) -> Key | None:
    """The fact an event states about a queued call, or None for events queue_log has no word for."""
    if isinstance(event, (ev.CallerJoined, ev.CallerWaiting)):
        return (event.call_id, event.queue, JOINED)
    if isinstance(event, ev.CallAnswered):
        return (event.call_id, event.queue, ANSWERED)
    if isinstance(event, ev.CallCompleted):
        return (event.call_id, event.queue, COMPLETED)
    if isinstance(event, ev.CallerAbandoned):
        return (event.call_id, event.queue, ABANDONED)
    if isinstance(event, ev.QueueExited) and event.status in UNANSWERED_EXITS:
        return (event.call_id, event.queue, TIMED_OUT)
    return None


@dataclass(slots=True)
class _Seen:
    last: float = 0.0  # the PBX time of the latest fact about the call
    kinds: dict[tuple[str, str], int] = field(default_factory=dict)  # (queue, kind) -> how many


class CallLedger(checkpoint.Checkpointed):
    """What the journal holds about each queued call: a model subscriber, pure state."""

    STATE = ("_calls",)

    def __init__(self, limit: int = MAX_CALLS) -> None:
        self._calls: dict[str, _Seen] = {}
        self.limit = limit

    def to_state(self) -> dict[str, Any]:
        """Compact, as {call: [last, [[queue, kind, count], ...]]}: the ledger holds a day of
        calls, the largest part of a checkpoint in the generic tags (4 times the time)."""
        calls = {c: [s.last, [[q, k, n] for (q, k), n in s.kinds.items()]] for c, s in self._calls.items()}
        return {"_calls": calls}

    def decode_state(self, state: Mapping[str, Any]) -> dict[str, Any]:
        calls = state.get("_calls") if isinstance(state, Mapping) and set(state) == {"_calls"} else None
        if not isinstance(calls, dict):
            raise checkpoint.BadState("CallLedger: not its fields")
        return {"_calls": {str(c): _seen(item) for c, item in calls.items()}}

    def apply(self, event: ev.Event) -> None:
        key = key_of(event)
        if key is None:
            return
        call_id, queue, kind = key
        seen = self._calls.pop(call_id, None) or _Seen()
        self._calls[call_id] = seen  # the latest at the end: the oldest are forgotten first
        seen.last = max(seen.last, event.at)
        seen.kinds[(queue, kind)] = seen.kinds.get((queue, kind), 0) + 1
        if len(self._calls) > self.limit:
            del self._calls[next(iter(self._calls))]

    def held(self, key: Key) -> int:
        seen = self._calls.get(key[0])
        return seen.kinds.get((key[1], key[2]), 0) if seen is not None else 0

    def last(self, call_id: str) -> float | None:
        seen = self._calls.get(call_id)
        return seen.last if seen is not None else None


def missing(lines: Iterable[LogLine], ledger: CallLedger, since: float) -> list[ev.Event]:
    """The events for the facts in `lines` (from `since` on) the ledger does not hold, in
    queue_log's order. Only those are translated: with the day folded back, most lines are
    held, and a busy day has hundreds of thousands."""
    counted: dict[Key, int] = {}
    found: list[ev.Event] = []
    for line in lines:
        kind = VERB_KINDS.get(line.verb)
        if kind is None or line.time < since or line.call_id in NO_CALL:
            continue
        key = (line.call_id, line.queue, kind)
        n = counted.get(key, 0) + 1
        if n <= ledger.held(key):
            counted[key] = n
            continue
        last = ledger.last(line.call_id)
        event = translate(line) if last is None or line.time >= int(last) else None
        if event is not None:
            counted[key] = n
            found.append(event)
    return found


def translate(line: LogLine) -> ev.Event | None:
    """The core event for one queue_log line, or None (a verb the counts do not use, or a
    line too short or malformed to trust)."""
    try:
        return _translate(line, line.data + ("",) * 3)
    except ValueError:
        return None


def _translate(line: LogLine, data: tuple[str, ...]) -> ev.Event | None:
    at, call, queue, verb = float(line.time), line.call_id, line.queue, line.verb
    if verb == "ENTERQUEUE":
        return ev.CallerJoined(at, call, queue, data[1][:64], _int(data[2] or "0"))
    if verb == "CONNECT":
        return ev.CallAnswered(at, call, queue, line.agent, _seconds(data[0]), _seconds(data[2] or "0"))
    if verb in COMPLETIONS:
        talk = _seconds(data[1])
        return ev.CallCompleted(at, call, queue, line.agent, _seconds(data[0]), talk, COMPLETIONS[verb])
    if verb in TRANSFERS and len(line.data) >= 3:
        hold, talk = _seconds(line.data[-3]), _seconds(line.data[-2])
        return ev.CallCompleted(at, call, queue, line.agent, hold, talk, "transfer")
    if verb == "ABANDON":
        return ev.CallerAbandoned(at, call, queue, _seconds(data[2]))
    if verb in EXITS:
        return ev.QueueExited(at, call, queue, EXITS[verb])
    return None


def _seconds(text: str) -> float:
    value = float(_int(text))
    if value > 10**9:
        raise ValueError(text)
    return value


def _int(text: str) -> int:
    if not ascii_digits(text):
        raise ValueError(text)
    return int(text)


def _seen(item: object) -> _Seen:
    """One call of a checkpoint's ledger, checked."""
    if not isinstance(item, list) or len(item) != 2 or not isinstance(item[1], list):
        raise checkpoint.BadState("CallLedger: not a call")
    last, kinds = item
    if isinstance(last, bool) or not isinstance(last, int | float):
        raise checkpoint.BadState("CallLedger: not a time")
    seen = _Seen(float(last))
    for kind in kinds:
        if not (isinstance(kind, list) and len(kind) == 3 and all(isinstance(x, str) for x in kind[:2])):
            raise checkpoint.BadState("CallLedger: not a fact")
        if isinstance(kind[2], bool) or not isinstance(kind[2], int):
            raise checkpoint.BadState("CallLedger: not a count")
        seen.kinds[(kind[0], kind[1])] = kind[2]
    return seen
