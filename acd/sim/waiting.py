"""The callers waiting in one queue, in app_queue's order: priority first, then arrival (a
callback coming back after a failed attempt goes in at the front, acd/core/callbacks.py)."""

from __future__ import annotations

import bisect
import enum
import math
from dataclasses import dataclass, field

from acd.core import callbacks, tiers

FRONT = -(10**9)  # a key's priority slot for a callback back in at the front
Key = tuple[int, float, int]


class State(enum.Enum):
    WAITING = 1
    BOOKED = 2  # a callback's placeholder waits in the caller's place
    RETRY = 3  # the callback waits out `retry_after`, out of the queue
    ANSWERED = 4
    ABANDONED = 5
    GIVEN_UP = 6
    TIMED_OUT = 7
    RINGING = 8  # an agent let it ring unanswered; tried again after the queue's retry


@dataclass(eq=False, slots=True)
class Call:
    seq: int
    queue: str
    priority: int
    arrival: float
    deadline: float = math.inf  # when the caller hangs up unless answered (patience)
    state: State = State.WAITING
    booked: callbacks.Callback | None = None
    scheduled: bool = False  # its abandon, timeout, overflow and offer moments are in the heap
    last_agent: str | None = None  # a repeat caller's last agent
    key: Key = field(default=(0, 0.0, 0))


class Waiting:
    def __init__(self) -> None:
        self.keys: list[Key] = []
        self.calls: dict[int, Call] = {}

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, call: Call, front: bool = False) -> None:
        call.key = (FRONT, call.arrival, call.seq) if front else (-call.priority, call.arrival, call.seq)
        bisect.insort(self.keys, call.key)
        self.calls[call.seq] = call

    def remove(self, call: Call) -> None:
        del self.keys[bisect.bisect_left(self.keys, call.key)]
        del self.calls[call.seq]

    def __contains__(self, call: Call) -> bool:
        return call.seq in self.calls

    def position(self, call: Call) -> int:
        return bisect.bisect_left(self.keys, call.key) + 1

    def first_for(self, penalties: dict[str, int], line: tiers.Line, now: float) -> Call | None:
        """The first caller in order whom the core lets an agent with these penalties take."""
        for key in self.keys:
            call = self.calls[key[2]]
            if tiers.eligible(penalties, line, now - call.arrival):
                return call
        return None
