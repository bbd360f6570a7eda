"""A recorded day from the journal's events: who joined which queue when, at which priority,
and how long the answered talked. Pure: the events in (acd/core/events.py, as the journal
holds them), tuples out for arrivals.recorded; the CLI reads the journal."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from acd.core import events as ev
from acd.core import tiers


@dataclass(frozen=True)
class Day:
    calls: list[tuple[float, str, int]]  # (epoch seconds, queue, priority), in time order
    talk: dict[str, float]  # queue -> mean talk seconds of the completed calls

    def aht(self) -> float | None:
        """The mean talk of all completed calls, weighted by the queues' calls."""
        if not self.talk:
            return None
        weights = {q: sum(1 for _, queue, _ in self.calls if queue == q) or 1 for q in self.talk}
        return sum(self.talk[q] * w for q, w in weights.items()) / sum(weights.values())


def from_events(events: Iterable[ev.Event], queues: Iterable[str] | None = None) -> Day:
    """Each call once, at its first join (an escalation's join at the next line is the same
    call; a repeat caller's wait in an agent's own queue is not an arrival); `queues` keeps
    only those queues' calls."""
    wanted = None if queues is None else set(queues)
    priority: dict[str, int] = {}
    joined: dict[str, tuple[float, str]] = {}
    talks: dict[str, list[float]] = {}
    for event in events:
        if isinstance(event, ev.CallRouted):
            priority[event.call_id] = event.priority
        elif isinstance(event, ev.CallerJoined) and not event.queue.startswith(tiers.PERSONAL):
            if event.call_id not in joined and (wanted is None or event.queue in wanted):
                joined[event.call_id] = (event.at, event.queue)
        elif isinstance(event, ev.CallCompleted) and (wanted is None or event.queue in wanted):
            talks.setdefault(event.queue, []).append(event.talk_time)
    calls = sorted((at, queue, priority.get(call, 0)) for call, (at, queue) in joined.items())
    return Day(calls, {q: statistics.fmean(t) for q, t in talks.items()})


def per_interval(calls: Iterable[tuple[float, str, int]], start: float, interval: float = 900.0) -> list[int]:
    """How many calls each interval from `start` had (empty intervals included)."""
    counts: list[int] = []
    for at, _, _ in calls:
        if at < start:
            continue
        i = int((at - start) // interval)
        counts += [0] * (i + 1 - len(counts))
        counts[i] += 1
    return counts
