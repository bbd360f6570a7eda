"""Who calls when: Poisson arrivals at a rate constant within each interval, or a recorded
day replayed as it happened. Both are iterators in time order, drawn lazily (a long
steady-state run never holds its calls in memory)."""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Arrival:
    time: float  # seconds since the simulation's start
    queue: str
    priority: int = 0  # higher is served first (a VIP's priority in app_queue)
    last_agent: str | None = None  # a repeat caller's last agent (a recorded day's)


def poisson(
    rng: random.Random,
    calls: Mapping[str, Sequence[float]],
    interval: float = 900.0,
    vip_share: float = 0.0,
    vip_priority: int = 10,
) -> Iterator[Arrival]:
    """`calls[queue][i]`: the expected calls of interval i; a share of callers are VIPs."""
    streams = [
        _one_queue(rng, queue, counts, interval, vip_share, vip_priority) for queue, counts in calls.items()
    ]
    if len(streams) == 1:
        return streams[0]
    return heapq.merge(*streams, key=lambda a: a.time)


def _one_queue(
    rng: random.Random, queue: str, counts: Sequence[float], interval: float, vip_share: float, vip: int
) -> Iterator[Arrival]:
    for i, expected in enumerate(counts):
        rate, start, end = expected / interval, i * interval, (i + 1) * interval
        if rate <= 0.0:  # none expected (or so few the rate underflows)
            continue
        at = start + rng.expovariate(rate)
        while at < end:  # memoryless: restarting the clock at each boundary is exact
            priority = vip if vip_share and rng.random() < vip_share else 0
            yield Arrival(at, queue, priority)
            at += rng.expovariate(rate)


def recorded(
    day: Iterable[tuple[float, str, int] | tuple[float, str, int, str | None]], start: float = 0.0
) -> Iterator[Arrival]:
    """A recorded day: (time, queue, priority[, last agent]) in any order; times before `start`
    are dropped."""
    for time, queue, priority, *last in sorted(day, key=lambda c: c[:3]):
        if time >= start:
            yield Arrival(time - start, queue, priority, last[0] if last else None)


def seeds_day(total: float = 2000.0, intervals: int = 50) -> list[float]:
    """The issue's day: about `total` calls over 08:00-20:30 in 15-minute intervals, with peaks
    at 09-10 and 14-15 (a base load plus two bumps; the shape, not a forecast)."""
    shape = []
    for i in range(intervals):
        hour = 8.0 + (i + 0.5) / 4.0
        bump = 1.0 if 9.0 <= hour < 10.0 or 14.0 <= hour < 15.0 else 0.0
        shoulder = (
            0.5
            if 8.5 <= hour < 9.0 or 10.0 <= hour < 11.0 or 13.5 <= hour < 14.0 or 15.0 <= hour < 16.0
            else 0.0
        )
        evening = -0.35 if hour >= 18.0 else 0.0
        shape.append(1.0 + 0.5 * bump + 0.2 * shoulder + evening)
    scale = total / sum(shape)
    return [round(s * scale, 2) for s in shape]
