"""Agents and trunk channels per interval from the calls offered (docs/planning.md).

Agents: the fewest that meet the service level (Erlang C, or Erlang A when callers' patience
is given) without passing the occupancy cap, then grossed up for shrinkage (breaks,
training, absence: the scheduled seats are raw / (1 - shrinkage)). Lines: a caller holds a
channel while in the IVR, while waiting and while talking, so the trunks carry more than the
agents' load; Erlang B at the blocking target sizes them, times the headroom."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from acd.planning import erlang


@dataclass(frozen=True)
class Targets:
    """What the plan must meet; the defaults are the engine's practice (config_planning)."""

    service_level: float = 0.8  # share of calls answered...
    within: float = 20.0  # ...within this many seconds
    max_occupancy: float = 0.9  # agents above it burn out; more seats even if the SL is met
    shrinkage: float = 0.3  # share of paid time not on the phones
    patience: float | None = None  # mean seconds before a caller hangs up: Erlang A; None: C
    ivr_seconds: float = 0.0  # mean time a caller spends in the IVR before the queue
    blocking: float = 0.01  # share of call attempts that may find every channel busy
    trunk_headroom: float = 1.5  # channels = Erlang B's x this (the practice asks >= 1.5)
    trunk_limit: int | None = None  # channels the carrier gives; None: not checked

    def __post_init__(self) -> None:
        if not 0 < self.service_level < 1 or self.within < 0:
            raise ValueError("target service level must be a share in (0, 1), within >= 0 s")
        if not 0 < self.max_occupancy <= 1:
            raise ValueError("max occupancy must be a share in (0, 1]")
        if not 0 <= self.shrinkage < 1:
            raise ValueError("shrinkage must be a share in [0, 1)")
        if self.patience is not None and not self.patience > 0:
            raise ValueError("patience must be positive seconds")
        if self.ivr_seconds < 0 or not 0 < self.blocking < 1 or self.trunk_headroom < 1:
            raise ValueError("need ivr seconds >= 0, blocking in (0, 1) and trunk headroom >= 1")
        if self.trunk_limit is not None and self.trunk_limit < 1:
            raise ValueError("trunk limit must be at least 1 channel")


@dataclass(frozen=True)
class Figures:
    """What `agents` achieve at a load: the shares over all offered calls."""

    service_level: float
    asa: float  # mean wait of the answered calls, seconds (Erlang C: of all calls)
    mean_wait: float  # over every caller, the abandoned included: what holds a line
    occupancy: float
    abandon: float | None  # None under Erlang C, which has no abandonment


@dataclass(frozen=True)
class IntervalPlan:
    calls: float
    aht: float
    erlangs: float
    agents: int  # on the phones
    scheduled: int  # with shrinkage
    figures: Figures
    trunk_erlangs: float
    trunks: int  # channels, headroom included
    over_limit: bool  # more channels needed than the trunks' limit


def figures(agents: int, erlangs: float, aht: float, targets: Targets) -> Figures:
    """Service level, ASA, occupancy and abandonment of `agents` at `erlangs`."""
    if erlangs == 0:
        return Figures(1.0, 0.0, 0.0, 0.0, None if targets.patience is None else 0.0)
    if targets.patience is None:
        asa = erlang.asa(agents, erlangs, aht)
        sl = erlang.service_level(agents, erlangs, aht, targets.within)
        return Figures(sl, asa, asa, erlang.occupancy(agents, erlangs), None)
    a = erlang.erlang_a(agents, erlangs, aht, targets.patience, targets.within)
    return Figures(a.service_level, a.asa, a.mean_wait, a.occupancy, a.p_abandon)


def agents_needed(erlangs: float, aht: float, targets: Targets) -> int:
    """The fewest agents meeting both the service level and the occupancy cap: both improve
    with each agent added, so a galloping search then bisection (thousands of agents in a
    few dozen evaluations)."""
    if erlangs == 0:
        return 0
    if targets.patience is None:  # no steady state at or below the load; occupancy is A / n
        low = max(math.floor(erlangs) + 1, math.ceil(erlangs / targets.max_occupancy - 1e-9))
    else:  # the answered are at most n / A of the offered, so fewer cannot meet the target
        low = max(1, math.floor(targets.service_level * erlangs))

    def enough(agents: int) -> bool:
        shown = figures(agents, erlangs, aht, targets)
        return shown.service_level >= targets.service_level and shown.occupancy <= targets.max_occupancy

    if enough(low):
        return low
    step, high = 1, low + 1
    while not enough(high):
        low, step = high, step * 2
        high = low + step
    while high - low > 1:  # enough(high), not enough(low)
        middle = (low + high) // 2
        low, high = (low, middle) if enough(middle) else (middle, high)
    return high


def channels_needed(erlangs: float, blocking: float) -> int:
    """The fewest channels whose Erlang B blocking is at most `blocking` (the recursion, one
    channel at a time: B(c) = A B(c-1) / (c + A B(c-1)))."""
    if erlangs == 0:
        return 0
    channels, b = 0, 1.0
    while b > blocking:
        channels += 1
        b = erlangs * b / (channels + erlangs * b)
    return channels


def plan_interval(calls: float, aht: float, interval_seconds: float, targets: Targets) -> IntervalPlan:
    """Agents, seats and trunks for one interval with `calls` offered at `aht` seconds."""
    if calls < 0 or not math.isfinite(calls) or not aht > 0 or not interval_seconds > 0:
        raise ValueError(f"need calls >= 0, AHT > 0 and an interval > 0 (got {calls}, {aht})")
    erlangs = calls * aht / interval_seconds
    agents = agents_needed(erlangs, aht, targets)
    shown = figures(agents, erlangs, aht, targets)
    talk = aht * (1.0 - (shown.abandon or 0.0))  # the abandoned hold a line but never talk
    trunk_erlangs = calls * (talk + shown.mean_wait + targets.ivr_seconds) / interval_seconds
    trunks = math.ceil(channels_needed(trunk_erlangs, targets.blocking) * targets.trunk_headroom - 1e-9)
    return IntervalPlan(
        calls=calls,
        aht=aht,
        erlangs=erlangs,
        agents=agents,
        scheduled=math.ceil(agents / (1.0 - targets.shrinkage) - 1e-9),
        figures=shown,
        trunk_erlangs=trunk_erlangs,
        trunks=trunks,
        over_limit=targets.trunk_limit is not None and trunks > targets.trunk_limit,
    )


def plan_day(
    intervals: Sequence[tuple[float, float]], interval_seconds: float, targets: Targets
) -> list[IntervalPlan]:
    """One plan per (calls, AHT) interval, in order."""
    return [plan_interval(calls, aht, interval_seconds, targets) for calls, aht in intervals]
