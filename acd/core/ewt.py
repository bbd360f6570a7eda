"""Expected wait time from the live model, not app_queue's running average of past holds.

A caller at position p (1 = next) is answered when p agents have become free. With n agents
who can take the call and a mean handle time h, agents free up at about n/h per second, and
those already on a call are part-way through it. The estimate: the p-th agent-free
instant, found by walking the agents' expected release times (each agent frees every h
seconds after its current call ends).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable


def expected_wait(
    position: int, remaining: Iterable[float], handle_time: float, wrapup: float = 0.0
) -> float | None:
    """Seconds until the caller at `position` is answered.

    `remaining`: for each agent who may take the call, the seconds until they are free
    (0 for an idle agent, about handle_time - talked for one on a call). None when no agent
    can take the call at all (the estimate would be infinite).
    """
    frees = [max(0.0, r) for r in remaining]
    if position < 1:
        raise ValueError("position starts at 1")
    if not frees:
        return None
    cycle = max(handle_time + wrapup, 1.0)
    heapq.heapify(frees)
    at = 0.0
    for _ in range(position):
        at = heapq.heappop(frees)
        heapq.heappush(frees, at + cycle)
    return at


def remaining_for(talked: float, handle_time: float) -> float:
    """An on-call agent's expected seconds left: the mean, but never below a few seconds
    once they have run over (a long call is likely to end soon, not now)."""
    return max(handle_time - talked, min(10.0, handle_time * 0.1))
