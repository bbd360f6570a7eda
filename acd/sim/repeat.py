"""Repeat callers: who had a last agent. A recorded day names them; else a share of callers,
drawn from the run's rng, are repeat callers of an agent who answered an earlier call that day
(drawn among them, in the order they first answered, so the same seed gives the same day).
Whether the caller rings that agent first is the core's decision (routing.last_agent_queue)."""

from __future__ import annotations

import random

from acd.sim.arrivals import Arrival


class Repeats:
    def __init__(self, share: float) -> None:
        self.share = share
        self.answered: list[str] = []  # agents who answered a call, in the order they first did
        self.seen: set[str] = set()

    def last_agent(self, arrival: Arrival, rng: random.Random) -> str | None:
        """The caller's last agent, if any (no draw at all when the share is 0)."""
        if arrival.last_agent is not None:
            return arrival.last_agent
        if self.share and rng.random() < self.share and self.answered:
            return rng.choice(self.answered)
        return None

    def noted(self, agent: str) -> None:
        if agent not in self.seen:
            self.seen.add(agent)
            self.answered.append(agent)
