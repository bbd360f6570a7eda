"""The agents: who is logged in (a staffing plan per interval), who is idle and since when
(app_queue's `leastrecent`: the longest-idle eligible agent rings first), and the seconds
each interval had agents staffed and busy (occupancy)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from acd.core import dispatch, ewt, tiers
from acd.sim.scenario import AgentGroup, Scenario


@dataclass(eq=False, slots=True)
class Agent:
    id: str
    group: str
    penalties: dict[str, int]  # queue -> penalty (tiers.memberships)
    since: float  # logged in at
    answered_at: float = 0.0  # the current call's answer (for the expected wait)
    busy: bool = False
    leaving: bool = False  # logs out when the current call and its wrap-up end


@dataclass
class Seconds:
    """Per interval: agent-seconds logged in, and on a call or in wrap-up."""

    interval: float
    staffed: list[float] = field(default_factory=list)
    busy: list[float] = field(default_factory=list)

    def add(self, bucket: list[float], start: float, end: float) -> None:
        i = int(start // self.interval)
        if i < len(bucket) and end <= (i + 1) * self.interval and i * self.interval <= start:
            bucket[i] += end - start  # within one interval: the common case, kept fast
            return
        while start < end:
            i = int(start // self.interval)
            if (i + 1) * self.interval <= start:  # float division put a boundary instant below it
                i += 1
            cut = min(end, (i + 1) * self.interval)
            while len(bucket) <= i:
                bucket.append(0.0)
            bucket[i] += cut - start
            start = cut


class Pool:
    def __init__(self, scenario: Scenario) -> None:
        self.roster = dispatch.Roster(scenario.lines())
        self.groups = {g.name: g for g in scenario.groups}
        self.members: dict[str, list[Agent]] = {g.name: [] for g in scenario.groups}
        self.idle: dict[Agent, None] = {}  # insertion order: the longest idle first
        self.by_id: dict[str, Agent] = {}  # logged in
        self.seconds = Seconds(scenario.interval)
        self.made = 0

    def staff(self, group: AgentGroup, wanted: int, now: float) -> list[Agent]:
        """Log agents in or out to reach `wanted`; the new idle agents, to be dispatched."""
        agents = [a for a in self.members[group.name] if not a.leaving]
        for agent in (a for a in self.members[group.name] if a.leaving):
            if len(agents) >= wanted:
                break
            agent.leaving = False  # still here: stays on rather than a new login
            agents.append(agent)
        fresh = [self._log_in(group, now) for _ in range(wanted - len(agents))]
        for agent in sorted(agents, key=lambda a: a.busy)[: max(0, len(agents) - wanted)]:
            self.leave(agent, now)
        return fresh

    def _log_in(self, group: AgentGroup, now: float) -> Agent:
        self.made += 1
        name = f"{group.name}-{self.made}"
        self.roster.log_in(name, group.skills)
        penalties = {q: m[name] for q, m in self.roster.members.items() if name in m}
        agent = Agent(name, group.name, penalties, now)
        self.members[group.name].append(agent)
        self.by_id[name] = agent
        return agent

    def leave(self, agent: Agent, now: float) -> None:
        """Log out now if idle, else after the call."""
        if agent.busy:
            agent.leaving = True
            return
        self.idle.pop(agent, None)
        self.members[agent.group].remove(agent)
        self.by_id.pop(agent.id, None)
        self.roster.log_out(agent.id)
        self.seconds.add(self.seconds.staffed, agent.since, now)

    def close(self, now: float) -> None:
        for agents in self.members.values():
            for agent in agents:
                self.seconds.add(self.seconds.staffed, agent.since, max(now, agent.since))

    def longest_idle(self, line: tiers.Line, waited: float) -> Agent | None:
        """The longest-idle agent the core lets take a caller of `line` who waited `waited`."""
        for agent in self.idle:
            if tiers.eligible(agent.penalties, line, waited):
                return agent
        return None

    def ready(self, agent: str) -> bool:
        """Logged in and idle: what the daemon asks (the agent book's READY) before a last-agent ring."""
        found = self.by_id.get(agent)
        return found is not None and found in self.idle

    def free_in(self, now: float, aht: float) -> dict[str, float]:
        """Each busy agent's expected seconds left, as the live engine estimates them."""
        return {a.id: ewt.remaining_for(now - a.answered_at, aht) for a in self.busy_agents()}

    def busy_agents(self) -> Iterator[Agent]:
        return (a for agents in self.members.values() for a in agents if a.busy)
