"""The state the core keeps: calls, queue members and per-queue counters."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class Outcome(str, Enum):
    ROUTED = "routed"  # the daemon chose a queue; not yet in it
    WAITING = "waiting"  # in the queue
    LEFT = "left"  # out of the queue, an agent's answer about to be reported
    TALKING = "talking"
    COMPLETED = "completed"
    ABANDONED = "abandoned"  # the caller hung up while waiting
    TIMED_OUT = "timed_out"  # left unanswered by the queue's own rules (max wait, empty...)


ENDED = frozenset({Outcome.COMPLETED, Outcome.ABANDONED, Outcome.TIMED_OUT})


@dataclass(slots=True)
class Call:
    id: str
    caller_id: str = ""
    dialled: str = ""
    queue: str = ""
    routed: bool = False  # whether the daemon chose the queue (not the dialplan default)
    customer_id: int | None = None
    candidates: int = 0  # customers sharing the caller's number
    greeted: bool = False
    language: str = ""
    category: str = ""
    account: str = ""
    verification: str = ""
    priority: int = 0
    channel: str = ""  # the caller's Asterisk channel while queued
    expected_wait: float | None = None  # what the caller was last told (seconds)
    announced_at: float | None = None
    # (from queue, to queue, agent, reason)
    escalations: list[tuple[str, str, str, str]] = field(default_factory=list)
    outcome: Outcome = Outcome.ROUTED
    joined_at: float | None = None
    position: int = 0
    agent: str = ""
    answered_at: float | None = None
    ended_at: float | None = None
    wait: float | None = None  # seconds in queue until answered or given up (Asterisk's holdtime)
    talk: float | None = None  # seconds connected to the agent
    hung_up_by: str = ""
    seen_at: float = 0.0  # PBX time the core first heard of the call (the sweep's age)

    def waited(self, now: float) -> float:
        if self.wait is not None:
            return self.wait
        return max(0.0, now - self.joined_at) if self.joined_at is not None else 0.0

    def as_dict(self, now: float) -> dict[str, Any]:
        data = asdict(self)
        data["outcome"] = self.outcome.value
        data["waited"] = round(self.waited(now), 3)
        return data


DEVICE_STATES = {
    0: "unknown",
    1: "not_in_use",
    2: "in_use",
    3: "busy",
    4: "invalid",
    5: "unavailable",
    6: "ringing",
    7: "ring_in_use",
    8: "on_hold",
}


@dataclass(slots=True)
class Member:
    """An agent as a member of one queue."""

    agent: str
    interface: str
    device: str = "unknown"
    paused: bool = False
    in_call: bool = False
    calls_taken: int = 0

    @property
    def available(self) -> bool:
        return self.device == "not_in_use" and not self.paused and not self.in_call


@dataclass(slots=True)
class QueueStats:
    """The day's counters (see CallCenter's day_end); a call counts once, in the queue it joined."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    timed_out: int = 0
    answered_in_service: int = 0
    total_wait_answered: float = 0.0
    total_talk: float = 0.0
    completed: int = 0
    escalated: int = 0  # completed here, but sent on to the next line: not closed here

    @property
    def closed(self) -> int:
        return max(0, self.completed - self.escalated)

    @property
    def finished(self) -> int:
        return self.answered + self.abandoned + self.timed_out

    def service_level(self) -> float | None:
        """Share of finished calls answered within the threshold (abandons count against)."""
        return self.answered_in_service / self.finished if self.finished else None

    def average_wait(self) -> float | None:
        return self.total_wait_answered / self.answered if self.answered else None

    def abandon_rate(self) -> float | None:
        return self.abandoned / self.finished if self.finished else None

    def average_talk(self) -> float | None:
        return self.total_talk / self.completed if self.completed else None


@dataclass(slots=True)
class QueueState:
    name: str
    service_level_s: float
    members: dict[str, Member] = field(default_factory=dict)  # by agent number
    stats: QueueStats = field(default_factory=QueueStats)
