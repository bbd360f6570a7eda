"""Adherence: the plan against what the agents did, per interval (docs/planning.md).

The plan is the forecast's calls (forecast.py), the agents Erlang asks for them and the seats
with shrinkage (staffing.py), and the agents on shift in the cheapest 12/8/6 h shift plan that
covers the seats (shifts.py). What the agents did is their time as the day's figures count it
(acd/core/figures.py, cut at interval boundaries): ready is ready or ringing, on calls is a call
or its after-call work, paused is any pause; logged in is the three together. Seconds in a
state over the interval's length are the average agents in it. Adherence is logged in over
scheduled: the plan has no names (nobody is assigned a shift), so it is the team's, not each
agent's; above 1 more agents were there than planned. Coverage is ready plus on calls over
the agents needed: whether the phones had what Erlang asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from acd.core.figures_counts import Tally, share
from acd.planning.forecast import Forecast, clock
from acd.planning.shifts import plan_shifts
from acd.planning.staffing import Targets, plan_day

SLOT_MINUTES = 15  # the figures' base interval: the plan's intervals are sums of these


@dataclass(frozen=True)
class Actual:
    """One interval: the average agents in each state."""

    ready: float
    on_calls: float
    paused: float

    @property
    def logged_in(self) -> float:
        return self.ready + self.on_calls + self.paused


@dataclass(frozen=True)
class Planned:
    minute: int  # the interval's start, minutes after midnight
    calls: float  # forecast
    aht: float
    agents: int  # needed on the phones (Erlang)
    seats: int  # with shrinkage
    scheduled: int | None  # on shift in the shift plan; None when there is no plan of shifts


@dataclass(frozen=True)
class Plan:
    minutes: int
    intervals: tuple[Planned, ...]
    notes: tuple[str, ...] = ()


def actuals(agents: Mapping[str, Mapping[int, Tally]], minutes: int) -> dict[int, Actual]:
    """Interval start (minutes after midnight) -> average agents ready, on calls and paused,
    from each agent's seconds per 15-minute slot (Figures.agents_until)."""
    if minutes % SLOT_MINUTES or minutes <= 0:
        raise ValueError(f"an interval of whole {SLOT_MINUTES} minutes, not {minutes}")
    width, seconds = minutes // SLOT_MINUTES, minutes * 60.0
    sums: dict[int, list[float]] = {}
    for slots in agents.values():
        for slot, tally in slots.items():
            got = sums.setdefault(slot // width * minutes, [0.0, 0.0, 0.0])
            got[0] += tally.available
            got[1] += tally.busy
            got[2] += tally.paused
    return {
        minute: Actual(ready / seconds, busy / seconds, paused / seconds)
        for minute, (ready, busy, paused) in sorted(sums.items())
        if ready + busy + paused > 0
    }


def make_plan(made: Forecast, targets: Targets) -> Plan:
    """Agents and seats per interval for the forecast, and the shift plan covering the seats.
    An interval the history never answered a call in takes the forecast's mean AHT."""
    known = [(calls, aht) for calls, aht in zip(made.calls, made.aht, strict=True) if aht is not None]
    weight = sum(calls for calls, _ in known)
    if not known or weight <= 0:
        raise ValueError("no answered call in the history: no AHT to plan with")
    mean = sum(calls * aht for calls, aht in known) / weight
    ahts = [mean if aht is None else aht for aht in made.aht]
    plans = plan_day(list(zip(made.calls, ahts, strict=True)), made.minutes * 60.0, targets)
    notes: list[str] = []
    scheduled: Sequence[int | None]
    try:
        scheduled = plan_shifts([p.scheduled for p in plans], made.minutes).scheduled
    except ValueError as why:
        scheduled, notes = [None] * len(plans), [f"no shift plan: {why}"]
    return Plan(
        made.minutes,
        tuple(
            Planned(minute, p.calls, p.aht, p.agents, p.scheduled, on_shift)
            for minute, p, on_shift in zip(made.starts, plans, scheduled, strict=True)
        ),
        tuple(notes),
    )


def rows(
    plan: Plan | None, actual: Mapping[int, Actual], offered: Mapping[int, float], minutes: int
) -> list[dict[str, Any]]:
    """One row per interval that is planned, staffed or called, in time order: the forecast
    and the calls offered, agents needed, seats, scheduled, the average agents in each state,
    adherence (logged in / scheduled) and coverage ((ready + on calls) / needed)."""
    planned = {p.minute: p for p in plan.intervals} if plan is not None else {}
    minutes_seen = set(planned) | set(actual) | {m for m, n in offered.items() if n}
    out: list[dict[str, Any]] = []
    for minute in sorted(minutes_seen):
        want, got = planned.get(minute), actual.get(minute, Actual(0.0, 0.0, 0.0))
        scheduled = None if want is None else want.scheduled
        out.append(
            {
                "minute": minute,
                "label": clock(minute),
                "forecast": None if want is None else round(want.calls, 1),
                "offered": offered.get(minute, 0),
                "aht": None if want is None else round(want.aht, 1),
                "needed": None if want is None else want.agents,
                "seats": None if want is None else want.seats,
                "scheduled": scheduled,
                "logged_in": round(got.logged_in, 2),
                "ready": round(got.ready, 2),
                "on_calls": round(got.on_calls, 2),
                "paused": round(got.paused, 2),
                "adherence": None if scheduled is None else share(got.logged_in, scheduled),
                "coverage": None if want is None else share(got.ready + got.on_calls, want.agents),
            }
        )
    return out


def totals(
    plan: Plan | None, actual: Mapping[int, Actual], offered: Mapping[int, float], minutes: int
) -> dict[str, Any]:
    """The day in agent-hours: needed, seats, scheduled and logged in; the day's adherence is
    the hours logged in over the hours scheduled (overtime outside the plan counts in)."""
    hours = minutes / 60.0
    intervals = plan.intervals if plan is not None else ()
    planned = bool(intervals) and all(p.scheduled is not None for p in intervals)
    scheduled = sum(p.scheduled or 0 for p in intervals) * hours
    logged_in = sum(a.logged_in for a in actual.values()) * hours
    return {
        "forecast": round(sum(p.calls for p in intervals), 1),
        "offered": sum(offered.values()),
        "needed_hours": round(sum(p.agents for p in intervals) * hours, 2),
        "seat_hours": round(sum(p.seats for p in intervals) * hours, 2),
        "scheduled_hours": round(scheduled, 2) if planned else None,
        "logged_in_hours": round(logged_in, 2),
        "ready_hours": round(sum(a.ready for a in actual.values()) * hours, 2),
        "on_calls_hours": round(sum(a.on_calls for a in actual.values()) * hours, 2),
        "paused_hours": round(sum(a.paused for a in actual.values()) * hours, 2),
        "adherence": share(logged_in, scheduled) if planned else None,
    }
