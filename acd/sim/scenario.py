"""What a simulated day is made of: queues (the engine's lines), agent groups with a staffing
plan per interval, handle times, patience and a callback offer. The "what if" knobs are these
fields: change one and run again."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from acd.core import callbacks, tiers


@dataclass(frozen=True)
class Service:
    """Handle time (talk) in seconds: exponential, or lognormal with this mean and coefficient
    of variation; after-call work is the queue's `wrapup`, added as a constant."""

    aht: float = 180.0
    dist: Literal["exp", "lognormal"] = "exp"
    cv: float = 1.0

    def draw(self, rng: random.Random) -> float:
        if self.dist == "exp":
            return rng.expovariate(1.0 / self.aht)
        sigma2 = math.log(1.0 + self.cv * self.cv)
        return rng.lognormvariate(math.log(self.aht) - sigma2 / 2.0, math.sqrt(sigma2))


@dataclass(frozen=True)
class QueueSpec:
    """One queue as the config has it (acd/config.py Queue): line, overflow, T, wrap-up, max wait."""

    name: str
    line: int = 1
    overflow_to: str | None = None
    overflow_after: float = 30.0
    service_level: float = 20.0
    wrapup: float = 0.0
    service: Service = Service()
    max_wait: float = math.inf  # Queue()'s timeout: the caller goes on to the dialplan's fallback
    ring_timeout: float = 15.0  # seconds an unanswered agent rings before app_queue gives up
    retry: float = 1.0  # seconds before the caller is offered again

    def as_line(self) -> tiers.Line:
        return tiers.Line(self.name, self.line, self.overflow_to, self.overflow_after)


@dataclass(frozen=True)
class AgentGroup:
    """Agents with the same skills (queue names); `staffing[i]`: how many are logged in during
    interval i (the last value holds after the plan ends)."""

    name: str
    skills: tuple[str, ...]
    staffing: tuple[int, ...]

    def at(self, interval: int) -> int:
        return self.staffing[min(interval, len(self.staffing) - 1)]


@dataclass(frozen=True)
class CallbackOffer:
    """Callers still waiting after `after` seconds take a callback with probability `share`
    (only when the core's expected wait is at least `min_ewt`); they keep their place, and
    when an agent takes it the customer is dialled (`ring` seconds, answers with probability
    `answer_rate`); what happens after a failed attempt is acd/core/callbacks.py's."""

    after: float = 60.0
    share: float = 0.3
    answer_rate: float = 0.8
    ring: float = 20.0
    min_ewt: float = 0.0
    rules: callbacks.Rules = field(default_factory=callbacks.Rules)


@dataclass(frozen=True)
class Scenario:
    queues: tuple[QueueSpec, ...]
    groups: tuple[AgentGroup, ...]
    interval: float = 900.0  # seconds per interval (the figures' 15 minutes)
    intervals: int = 1
    patience: float | None = None  # mean seconds (exponential) before a caller gives up
    ring: float = 0.0  # seconds an agent's phone rings before the answer
    callback: CallbackOffer | None = None
    no_answer: float = 0.0  # share of rings an agent lets go unanswered (ring_timeout, retry)
    repeat_share: float = 0.0  # callers with a last agent (an agent who answered earlier that day)
    last_agent_ring: float = 8.0  # seconds the last agent rings first (config routing.last_agent_ring)

    def queue(self, name: str) -> QueueSpec:
        return next(q for q in self.queues if q.name == name)

    def lines(self) -> list[tiers.Line]:
        return [q.as_line() for q in self.queues]


def one_queue(
    agents: Sequence[int], aht: float = 180.0, patience: float | None = None, interval: float = 900.0
) -> Scenario:
    """A single queue served by one group (the textbook case; `agents` per interval)."""
    queue = QueueSpec("q", service=Service(aht))
    group = AgentGroup("all", ("q",), tuple(agents))
    return Scenario((queue,), (group,), interval=interval, intervals=len(agents), patience=patience)
