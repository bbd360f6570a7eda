"""Callbacks instead of waiting: what happens after each attempt to reach the customer.

A callback holds the caller's place (a placeholder waits in the queue at their position);
when an agent takes the placeholder, the customer is dialled. After a failed attempt the
callback waits `retry_after` and goes back in at the front; after `attempts` failures, or
once it is older than `give_up_after`, it is given up.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, replace
from typing import Any


class Status(str, enum.Enum):
    WAITING = "waiting"  # the placeholder is in the queue
    RETRY = "retry"  # the last attempt failed; back in at `due`
    DONE = "done"  # the customer answered and was connected
    GIVEN_UP = "given_up"


FINISHED = frozenset({Status.DONE, Status.GIVEN_UP})  # nothing more will happen: no record kept


@dataclass(frozen=True)
class Rules:
    attempts: int = 3
    retry_after: float = 120.0
    give_up_after: float = 7200.0


@dataclass(frozen=True)
class Callback:
    id: str  # the original call's uniqueid (its journey's linkedid)
    number: str  # what to dial, as the carrier sent it
    queue: str
    position: int
    priority: int
    created: float
    attempts: int = 0
    status: Status = Status.WAITING
    due: float = 0.0

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status.value}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Callback:
        return cls(**{**data, "status": Status(data["status"])})


def after_attempt(callback: Callback, dial_status: str, now: float, rules: Rules) -> Callback:
    """The callback once Dial() reported `dial_status` (ANSWER, BUSY, NOANSWER, ...)."""
    tried = replace(callback, attempts=callback.attempts + 1)
    if dial_status == "ANSWER":
        return replace(tried, status=Status.DONE)
    if tried.attempts >= rules.attempts or now - callback.created >= rules.give_up_after:
        return replace(tried, status=Status.GIVEN_UP)
    return replace(tried, status=Status.RETRY, due=now + rules.retry_after, position=1)


def due(callback: Callback, now: float, rules: Rules) -> bool:
    """Should a placeholder go back in the queue now?"""
    if callback.status is not Status.RETRY:
        return False
    return callback.due <= now and now - callback.created < rules.give_up_after


def overdue(callback: Callback, now: float, rules: Rules) -> bool:
    """Unfinished but older than `give_up_after`: no try would come in time, so it is given up
    (else a retry due too late, never `due`, was kept for good)."""
    return not callback.finished and now - callback.created >= rules.give_up_after
