"""A forecast from history: the calls and AHT per interval for a weekday, as the mean of that
weekday's past days, and its peaks (docs/planning.md).

Deliberately plain: the same weekday's mean is what a center of this size plans by, and a
reader can check it by hand against `acd report`. The history comes from the journal's
figures or an imported queue_log; this module only sees numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Observed:
    """One interval of one past day (several per interval add up: e.g. one per queue)."""

    day: dt.date
    minute: int  # the interval's start, minutes after midnight
    offered: float
    answered: float = 0.0
    aht: float | None = None  # of the answered calls, seconds


@dataclass(frozen=True)
class Forecast:
    weekday: int  # 0 is Monday
    days: int  # past days of that weekday the means are over
    minutes: int
    starts: tuple[int, ...]  # minutes after midnight, every interval from the first to the last call
    calls: tuple[float, ...]
    aht: tuple[float | None, ...]  # None where nothing was answered in that interval, ever
    peaks: tuple[tuple[int, int], ...]  # (start, end) minutes of each run above the peak threshold


def busiest_weekday(history: Iterable[Observed]) -> int:
    """The weekday with the most calls per day seen: what a plan must cover first."""
    calls: dict[int, float] = {}
    days: dict[int, set[dt.date]] = {}
    for seen in history:
        calls[seen.day.weekday()] = calls.get(seen.day.weekday(), 0.0) + seen.offered
        days.setdefault(seen.day.weekday(), set()).add(seen.day)
    if not calls:
        raise ValueError("no history: no calls in the range")
    return max(calls, key=lambda w: (calls[w] / len(days[w]), -w))


def forecast(history: Iterable[Observed], weekday: int, minutes: int, peak_margin: float = 0.2) -> Forecast:
    """Means per interval over the past `weekday`s; peaks are the runs of intervals at least
    `peak_margin` above the open day's mean (0.2: the seeds' 09-10 and 14-15 stand out)."""
    if minutes <= 0 or 1440 % minutes or not 0 <= weekday < 7:
        raise ValueError("need a weekday 0-6 and an interval that divides the day")
    mine = [s for s in history if s.day.weekday() == weekday]
    days = {s.day for s in mine}
    offered: dict[int, float] = {}
    answered: dict[int, float] = {}
    handled: dict[int, float] = {}
    for seen in mine:
        if seen.minute % minutes or not 0 <= seen.minute < 1440:
            raise ValueError(f"{seen.day} {seen.minute}: not the start of a {minutes}-minute interval")
        offered[seen.minute] = offered.get(seen.minute, 0.0) + seen.offered
        if seen.aht is not None and seen.answered > 0:
            answered[seen.minute] = answered.get(seen.minute, 0.0) + seen.answered
            handled[seen.minute] = handled.get(seen.minute, 0.0) + seen.answered * seen.aht
    busy = [m for m, n in offered.items() if n > 0]
    if not busy:
        raise ValueError(f"no calls on a {WEEKDAYS[weekday]} in the history")
    starts = tuple(range(min(busy), max(busy) + minutes, minutes))
    calls = tuple(offered.get(m, 0.0) / len(days) for m in starts)
    aht = tuple(handled[m] / answered[m] if answered.get(m) else None for m in starts)
    return Forecast(
        weekday, len(days), minutes, starts, calls, aht, _peaks(starts, calls, minutes, peak_margin)
    )


def _peaks(
    starts: tuple[int, ...], calls: tuple[float, ...], minutes: int, margin: float
) -> tuple[tuple[int, int], ...]:
    threshold = (1.0 + margin) * sum(calls) / len(calls)
    runs: list[tuple[int, int]] = []
    for start, n in zip(starts, calls, strict=True):
        if n < threshold:
            continue
        if runs and runs[-1][1] == start:
            runs[-1] = (runs[-1][0], start + minutes)
        else:
            runs.append((start, start + minutes))
    return tuple(runs)


def clock(minute: int) -> str:
    return f"{minute // 60 % 24:02d}:{minute % 60:02d}"
