"""First, second and third line: who is a member of which queue, with which penalty, and who
may take a caller after how long.

An agent is a member, at penalty 0, of the queues of their own skills, and at penalty 1 of
every queue that overflows into one of them. A caller starts at QUEUE_MAX_PENALTY 0; the
queue's penalty rule raises it to 1 after `overflow_after` seconds, so the next line's
agents widen the pool while the caller keeps their place (no re-queueing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

OWN, OVERFLOW = 0, 1
PERSONAL = "acd-agent-"


def personal_queue(agent: str) -> str:
    """The agent's own queue: a repeat caller waits here a few seconds for their last agent."""
    return PERSONAL + agent


@dataclass(frozen=True)
class Line:
    queue: str
    line: int
    overflow_to: str | None = None
    overflow_after: float = 30.0


def memberships(skills: Iterable[str], lines: Iterable[Line]) -> dict[str, int]:
    """queue -> penalty for an agent with these skills (queue names)."""
    own = {queue: OWN for queue in skills}
    widened = {line.queue: OVERFLOW for line in lines if line.overflow_to in own and line.queue not in own}
    return {**widened, **own}


def max_penalty(line: Line, waited: float) -> int:
    """The highest penalty a caller who waited `waited` seconds may be offered to."""
    if line.overflow_to is not None and waited >= line.overflow_after:
        return OVERFLOW
    return OWN


def eligible(agent_penalties: Mapping[str, int], line: Line, waited: float) -> bool:
    penalty = agent_penalties.get(line.queue)
    return penalty is not None and penalty <= max_penalty(line, waited)


def penalty_rule(line: Line) -> list[str]:
    """queuerules.conf lines for the queue's overflow (empty when it has none)."""
    if line.overflow_to is None:
        return []
    return [f"[acd-overflow-{line.queue}]", f"penaltychange => {int(line.overflow_after)},{OVERFLOW}", ""]
