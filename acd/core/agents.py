"""Agents' states as a transition table: what may follow what, and nothing else.

The table is the single truth: a feature code, an AMI event or a restart asks for a
transition; a pair not in the table is refused with the reason, so an agent cannot be
"paused" while logged out or "answer" a call that never rang.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


class State(str, enum.Enum):
    LOGGED_OUT = "logged_out"
    READY = "ready"
    RINGING = "ringing"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"


class Act(str, enum.Enum):
    LOGIN = "login"
    LOGOUT = "logout"
    PAUSE = "pause"
    RESUME = "resume"
    RING = "ring"
    ANSWER = "answer"
    MISS = "miss"  # rang out unanswered: the agent is paused, reason ring-no-answer
    HANG_UP = "hang_up"  # the call ended: wrap-up (or ready when the queue has none)
    WRAPPED = "wrapped"  # wrap-up time is over
    RING_ENDED = "ring_ended"  # the ring stopped unanswered by the agent (the caller left)


S, A = State, Act
TRANSITIONS: dict[tuple[State, Act], State] = {
    (S.LOGGED_OUT, A.LOGIN): S.READY,
    (S.READY, A.LOGIN): S.READY,  # logging in again from another phone moves the seat
    (S.READY, A.LOGOUT): S.LOGGED_OUT,
    (S.READY, A.PAUSE): S.PAUSED,
    (S.READY, A.RING): S.RINGING,
    (S.READY, A.MISS): S.PAUSED,  # rang out, the ring itself unseen (the daemon was away)
    (S.READY, A.ANSWER): S.ON_CALL,  # answered, the ring unseen: the PBX says so
    (S.RINGING, A.RING_ENDED): S.READY,
    (S.RINGING, A.ANSWER): S.ON_CALL,
    (S.RINGING, A.MISS): S.PAUSED,
    (S.RINGING, A.LOGOUT): S.LOGGED_OUT,
    (S.ON_CALL, A.HANG_UP): S.WRAP_UP,
    (S.WRAP_UP, A.WRAPPED): S.READY,
    (S.WRAP_UP, A.PAUSE): S.PAUSED,
    (S.WRAP_UP, A.LOGOUT): S.LOGGED_OUT,
    (S.WRAP_UP, A.RING): S.RINGING,  # a queue without wrap-up may ring at once
    (S.WRAP_UP, A.ANSWER): S.ON_CALL,
    (S.PAUSED, A.RESUME): S.READY,
    (S.PAUSED, A.PAUSE): S.PAUSED,  # a new reason
    (S.PAUSED, A.LOGOUT): S.LOGGED_OUT,
    (S.PAUSED, A.LOGIN): S.PAUSED,
    (S.PAUSED, A.ANSWER): S.ON_CALL,  # picked up just as the pause landed
}


class Refused(ValueError):
    """The transition is not in the table."""


@dataclass(frozen=True, slots=True)
class Agent:
    number: str
    state: State = State.LOGGED_OUT
    since: float = 0.0
    reason: str = ""  # why paused (break, lunch, ring-no-answer, ...)
    interface: str = ""  # the softphone they logged in from, e.g. PJSIP/1005
    pending: str = ""  # the reason of a pause asked for during a ring or call: due as it ends

    def to(
        self,
        act: Act,
        at: float,
        *,
        reason: str | None = None,
        interface: str | None = None,
        pending: str | None = None,
    ) -> Agent:
        """The agent after `act`, or Refused. The reason stays only while paused, a pending
        pause is dropped at logout; `since` moves when the state does."""
        target = TRANSITIONS.get((self.state, act))
        if target is None:
            raise Refused(f"agent {self.number}: cannot {act.value} while {self.state.value}")
        if reason is None:
            reason = self.reason if target is State.PAUSED else ""
        if pending is None:
            pending = "" if target is State.LOGGED_OUT else self.pending
        return Agent(  # not dataclasses.replace: this runs for every ring, answer and hangup
            self.number,
            target,
            at if target is not self.state else self.since,
            reason,
            self.interface if interface is None else interface,
            pending,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "state": self.state.value,
            "since": self.since,
            "reason": self.reason,
            "interface": self.interface,
            "pending": self.pending,
        }

    def in_state(self, now: float) -> float:
        """Seconds in the present state (0 before `since`: clocks differ a little)."""
        return max(0.0, now - self.since)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Agent:
        return cls(
            str(data["number"]),
            State(data["state"]),
            float(data["since"]),
            str(data.get("reason", "")),
            str(data.get("interface", "")),
            str(data.get("pending", "")),
        )


def holder(agents: Iterable[Agent], interface: str, number: str) -> Agent | None:
    """Another agent logged in at `interface`, if any: a phone has one agent at a time, so
    spying, recording attribution and team scoping always name the agent really there."""
    return next(
        (
            a
            for a in agents
            if a.interface == interface and a.number != number and a.state is not State.LOGGED_OUT
        ),
        None,
    )
