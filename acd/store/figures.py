"""A past day's (or today's) figures from the journal: what `acd report` and /api/reports read.

The day's entries are folded through the same models as the daemon's (acd/core/figures_fold.py),
so a report of today equals the live figures, before and after a restart.
"""

from __future__ import annotations

import copy
import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

from acd.config import Config
from acd.config_journal import Days
from acd.core.agent_book import AgentBook, seats
from acd.core.figures import Figures, Spec
from acd.core.figures_counts import Tally
from acd.core.figures_fold import count_repeats, fold
from acd.store.journal import Journal

MAX_DAYS = 62  # a range longer than this is refused: a report is read at once, in memory


def figures_spec(config: Config) -> Spec:
    metrics = config.metrics
    return Spec(
        service_levels={q.name: float(q.service_level) for q in config.queues},
        lines={q.name: q.line for q in config.queues},
        short_abandon=float(config.wallboard.short_abandon),
        repeat_window=metrics.repeat_window_hours * 3600.0,
        sales_queues=frozenset(metrics.sales_queues),
        sale_codes=frozenset(metrics.sale_dispositions),
    )


def new_book(config: Config) -> AgentBook:
    return AgentBook(
        seats((a.number, a.phone) for a in config.agents), {q.name: float(q.wrapup) for q in config.queues}
    )


def day_figures(config: Config, journal: Journal, day: dt.date) -> tuple[Figures, float]:
    """The day's figures and the moment they are read at (the day's end, or now for today)."""
    figures, at, _ = _day_figures(config, journal, day, None)
    return figures, at


def _day_figures(
    config: Config, journal: Journal, day: dt.date, eve: Figures | None
) -> tuple[Figures, float, Figures]:
    """The day's figures, when they are read, and the models as the day's end left them (the
    next day's eve, before this day's repeat contacts). `eve`: the previous day's, so a range
    reads each day once; None: the previous day is folded here, from an empty book."""
    days, spec = Days(config.timezone), figures_spec(config)
    start, end = days.midnight(day), days.midnight(day + dt.timedelta(days=1))
    if eve is None:
        eve = Figures(new_book(config), days, spec)
        fold((e.event for e in journal.iter_between(days.midnight(day - dt.timedelta(days=1)), start)), eve)
    fold((entry.event for entry in journal.iter_between(start, end)), eve, start)
    ended = copy.deepcopy(eve)
    later = journal.iter_between(end, min(end + spec.repeat_window, time.time() + 1))
    count_repeats((entry.event for entry in later), eve)
    return eve, min(end, time.time()), ended


def each_day(
    config: Config, first: dt.date, last: dt.date, journal: Journal | None = None
) -> Iterator[tuple[dt.date, Figures, float]]:
    """Every day from `first` to `last` (both included): its figures and when they are read."""
    if last < first or (last - first).days >= MAX_DAYS:
        raise ValueError(f"a report covers 1 to {MAX_DAYS} days, from the first to the last")
    own = journal is None
    journal = journal or Journal(config.store.url)
    try:
        day, eve = first, None
        while day <= last:
            figures, at, eve = _day_figures(config, journal, day, eve)
            yield day, figures, at
            day += dt.timedelta(days=1)
    finally:
        if own:
            journal.engine.dispose()


def report_rows(
    config: Config, first: dt.date, last: dt.date, by: str, minutes: int, journal: Journal | None = None
) -> list[dict[str, Any]]:
    """Every interval's row of every day of the range, in time order."""
    return [
        {"day": day.isoformat(), **row}
        for day, figures, at in each_day(config, first, last, journal)
        for row in figures.rows(by, minutes, now=at)
    ]


def report_totals(
    config: Config, first: dt.date, last: dt.date, by: str, journal: Journal | None = None
) -> dict[str, dict[str, Any]]:
    """The range's figures per key: each day's counters added up, then divided."""
    sums: dict[str, Tally] = {}
    for _, figures, at in each_day(config, first, last, journal):
        for key, tally in figures.tallies(by, now=at).items():
            sums.setdefault(key, Tally()).add(tally)
    return {key: tally.figures() for key, tally in sorted(sums.items())}
