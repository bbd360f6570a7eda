"""The routing decision for one waiting caller: which agents may take them now, in which
order, and how long the caller should expect to wait. Pure; the roster is built once per
login/logout, the decision runs per caller and per announcement."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from acd.core import ewt, tiers


@dataclass(frozen=True)
class Decision:
    agents: tuple[str, ...]  # who may take the caller now, best first
    expected_wait: float | None  # seconds; None when nobody ever could


class Roster:
    """queue -> {agent: penalty}, from every logged-in agent's skills."""

    def __init__(self, lines: Iterable[tiers.Line]) -> None:
        self.lines = {line.queue: line for line in lines}
        self.members: dict[str, dict[str, int]] = {q: {} for q in self.lines}

    def log_in(self, agent: str, skills: Iterable[str]) -> None:
        for queue, penalty in tiers.memberships(skills, self.lines.values()).items():
            self.members[queue][agent] = penalty

    def log_out(self, agent: str) -> None:
        for members in self.members.values():
            members.pop(agent, None)

    def decide(
        self, queue: str, waited: float, position: int, free_in: Mapping[str, float], handle_time: float
    ) -> Decision:
        """`free_in`: seconds until each busy agent is free (absent: free now; paused agents
        are left out of the roster's callers by the caller of this function)."""
        ceiling = tiers.max_penalty(self.lines[queue], waited)
        able = [
            (penalty, free_in.get(agent, 0.0), agent)
            for agent, penalty in self.members[queue].items()
            if penalty <= ceiling
        ]
        able.sort()
        now = tuple(agent for _, free, agent in able if free <= 0.0)
        wait = ewt.expected_wait(position, [free for _, free, _ in able], handle_time)
        return Decision(now, wait)
