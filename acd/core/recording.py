"""Which calls are recorded, and the life of one recording (pauses included).

MixMonitor records; this decides. A policy gives a share of calls to record: an agent's own
share wins, else the queue's, else its line's (first, second, third), else the default for
all calls; raised for agents hired recently, since quality teams listen to new agents more.
The draw is passed in, so a decision is a pure function of its inputs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Policy:
    share: float = 0.0  # of every call
    queues: Mapping[str, float] = field(default_factory=dict)
    lines: Mapping[int, float] = field(default_factory=dict)
    agents: Mapping[str, float] = field(default_factory=dict)
    new_agents: float = 0.0  # share for agents hired recently...
    new_agent_days: int = 90  # ...within this many days
    retention_days: int = 90
    line_of: Mapping[str, int] = field(default_factory=dict)  # queue -> its line

    def queue_share(self, queue: str) -> tuple[float, str]:
        if queue in self.queues:
            return self.queues[queue], f"queue {queue}"
        line = self.line_of.get(queue)
        if line is not None and line in self.lines:
            return self.lines[line], f"line {line}"
        return self.share, "all calls"


@dataclass(frozen=True)
class Choice:
    record: bool
    share: float
    why: str


def share_for(
    policy: Policy, queue: str, agent: str, hired: dt.date | None, today: dt.date
) -> tuple[float, str]:
    if agent in policy.agents:
        return policy.agents[agent], f"agent {agent}"
    share, why = policy.queue_share(queue)
    recent = hired is not None and (today - hired).days < policy.new_agent_days
    if recent and policy.new_agents > share:
        return policy.new_agents, "new agent"
    return share, why


def choose(
    policy: Policy, queue: str, agent: str, hired: dt.date | None, today: dt.date, draw: float
) -> Choice:
    """Record when the draw (uniform in [0, 1)) falls inside the share."""
    share, why = share_for(policy, queue, agent, hired, today)
    return Choice(draw < share, share, why)


def always_recorded(policy: Policy, queues: list[str]) -> list[str]:
    """Queues whose every call is recorded whoever answers: what the dialplan still records
    when the daemon is down (it cannot know agents' own shares)."""
    return [q for q in queues if policy.queue_share(q)[0] >= 1.0]


def retention_cutoff(now: float, retention_days: int) -> float:
    """Recordings started before this moment are past their retention."""
    return now - retention_days * 86400


@dataclass(frozen=True)
class Take:
    """One recording in progress on an agent's leg of a call."""

    id: str
    call_id: str  # the journey (linkedid)
    agent: str
    channel: str  # the agent's channel MixMonitor listens on
    path: str  # relative to the recordings folder
    started_at: float
    why: str
    paused_since: float | None = None
    paused_s: float = 0.0

    @property
    def paused(self) -> bool:
        return self.paused_since is not None

    def pause(self, at: float) -> Take:
        return self if self.paused else replace(self, paused_since=at)

    def resume(self, at: float) -> Take:
        since = self.paused_since
        if since is None:
            return self
        return replace(self, paused_since=None, paused_s=self.paused_s + max(0.0, at - since))

    def paused_until(self, at: float) -> float:
        """Seconds paused in all, counting a pause still running at `at`."""
        return self.resume(at).paused_s
