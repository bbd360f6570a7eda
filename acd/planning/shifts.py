"""A shift plan: how many agents start a 12-, 8- or 6-hour shift at each interval so that every
interval has at least the seats it needs, with the fewest agent-hours (docs/planning.md).

An integer program (scipy.optimize.milp, HiGHS): one variable per shift length and start,
coverage constraints per interval. Shifts lie within the planned day (a shift cannot start
before the first interval or run past the last), so a day shorter than the shortest shift
has no plan."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LENGTHS = (12.0, 8.0, 6.0)  # hours: the practice this engine was designed for interleaves these


@dataclass(frozen=True)
class Shift:
    start: int  # the first interval's index
    hours: float
    agents: int


@dataclass(frozen=True)
class ShiftPlan:
    shifts: tuple[Shift, ...]  # only those with agents, by start then length
    scheduled: tuple[int, ...]  # agents on shift per interval
    agent_hours: float
    need_hours: float  # the need's own agent-hours: no plan of whole shifts goes below it


def plan_shifts(need: Sequence[int], interval_minutes: int, lengths: Sequence[float] = LENGTHS) -> ShiftPlan:
    """The cheapest mix of shifts covering `need` (seats per interval, shrinkage included)."""
    if interval_minutes <= 0 or any(n < 0 for n in need) or not lengths:
        raise ValueError("need seats >= 0 per interval, a positive interval and shift lengths")
    spans: list[tuple[int, float, int]] = []  # start, hours, intervals covered
    for hours in lengths:
        width = round(hours * 60 / interval_minutes)
        if width <= 0 or abs(width * interval_minutes - hours * 60) > 1e-9:
            raise ValueError(f"a {hours:g} h shift is not a whole number of {interval_minutes} min intervals")
        spans.extend((start, hours, width) for start in range(len(need) - width + 1))
    need_hours = sum(need) * interval_minutes / 60
    if not any(need):
        return ShiftPlan((), tuple(0 for _ in need), 0.0, 0.0)
    if not spans:
        raise ValueError(f"the day ({len(need)} intervals) is shorter than the shortest shift")
    import numpy as np  # with scipy, half a second of imports: for the planning verbs only, not `acd run`
    from scipy.optimize import Bounds, LinearConstraint, milp  # type: ignore[import-untyped]

    cover = np.zeros((len(need), len(spans)))
    for column, (start, _, width) in enumerate(spans):
        cover[start : start + width, column] = 1.0
    result = milp(
        c=np.array([hours for _, hours, _ in spans]),
        constraints=LinearConstraint(cover, lb=np.asarray(need, dtype=float), ub=np.inf),
        integrality=np.ones(len(spans)),
        bounds=Bounds(0, np.inf),
    )
    if not result.success:
        raise ValueError(f"no shift plan: {result.message}")
    counts = np.rint(result.x).astype(int)
    shifts = tuple(
        sorted(
            (Shift(start, hours, int(n)) for (start, hours, _), n in zip(spans, counts, strict=True) if n),
            key=lambda s: (s.start, -s.hours),
        )
    )
    scheduled = tuple(int(v) for v in cover @ counts)
    return ShiftPlan(shifts, scheduled, float(sum(s.hours * s.agents for s in shifts)), need_hours)
