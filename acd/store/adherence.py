"""A day's plan and what its agents did, from the journal: what /api/reports/plan reads.

The plan comes from history: the same weekday's calls and AHT over the HISTORY_WEEKS weeks
before the day (each folded like `acd report`'s, acd/store/figures.py), through Erlang and
the shift plan (acd/planning). The day's own fold gives the agents' time and the calls
offered. The arithmetic is acd/planning/adherence.py's; this only reads.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from acd.config import Config
from acd.core.figures import Figures
from acd.planning import adherence
from acd.planning.forecast import WEEKDAYS, Observed, forecast
from acd.planning.staffing import Targets
from acd.store.figures import day_figures
from acd.store.journal import Journal

HISTORY_WEEKS = 4  # the same weekday this many weeks back: a month's habits, not a season's


def targets(config: Config) -> Targets:
    """What the plan is for: the `planning:` section (acd staffing's defaults)."""
    planning = config.planning
    return Targets(
        service_level=planning.service_level,
        within=planning.within,
        max_occupancy=planning.max_occupancy,
        shrinkage=planning.shrinkage,
        patience=planning.patience,
    )


def history_days(day: dt.date) -> list[dt.date]:
    return [day - dt.timedelta(weeks=n) for n in range(HISTORY_WEEKS, 0, -1)]


def observed(figures: Figures, at: float, day: dt.date, minutes: int) -> list[Observed]:
    """The center's intervals of a folded day, as the forecast takes them."""
    return [
        Observed(
            day=day,
            minute=int(row["label"][:2]) * 60 + int(row["label"][3:5]),
            offered=float(row["offered"] or 0),
            answered=float(row["answered"] or 0),
            aht=None if row["aht"] is None else float(row["aht"]),
        )
        for row in figures.rows("center", minutes, now=at)
    ]


def day_plan(
    config: Config, day: dt.date, minutes: int, journal: Journal | None = None
) -> tuple[adherence.Plan | None, str]:
    """The plan for `day` from its weekday's history, or None; and a line saying where it
    came from (or why there is none)."""
    own = journal is None
    journal = journal or Journal(config.store.url)
    try:
        history: list[Observed] = []
        for past in history_days(day):
            history += observed(*day_figures(config, journal, past), past, minutes)
    finally:
        if own:
            journal.engine.dispose()
    weekday = WEEKDAYS[day.weekday()]
    first, last = history_days(day)[0], history_days(day)[-1]
    try:
        made = forecast(history, day.weekday(), minutes)
        plan = adherence.make_plan(made, targets(config))
    except ValueError as why:
        return None, f"no plan: {why} ({HISTORY_WEEKS} {weekday}s, {first} to {last})"
    return plan, f"plan: the mean of {made.days} {weekday}(s) from {first} to {last}"


def day_actuals(
    figures: Figures, at: float, minutes: int
) -> tuple[dict[int, adherence.Actual], dict[int, int]]:
    """The agents' average states and the calls offered per interval of a folded (or the
    live) day, as read at `at`."""
    offered: dict[int, int] = {}
    for row in figures.rows("center", minutes, now=at):
        minute = int(row["label"][:2]) * 60 + int(row["label"][3:5])
        offered[minute] = offered.get(minute, 0) + int(row["offered"] or 0)
    return adherence.actuals(figures.agents_until(at), minutes), offered


def past_actuals(
    config: Config, day: dt.date, minutes: int, journal: Journal | None = None
) -> tuple[dict[int, adherence.Actual], dict[int, int]]:
    """A past day's, folded from its journal."""
    own = journal is None
    journal = journal or Journal(config.store.url)
    try:
        return day_actuals(*day_figures(config, journal, day), minutes)
    finally:
        if own:
            journal.engine.dispose()


def report(
    plan: adherence.Plan | None,
    source: str,
    actual: dict[int, adherence.Actual],
    offered: dict[int, int],
    minutes: int,
) -> dict[str, Any]:
    """The answer's body (without the day and the interval the caller adds)."""
    notes = [source, *(plan.notes if plan is not None else ())]
    return {
        "notes": notes,
        "rows": adherence.rows(plan, actual, offered, minutes),
        "totals": adherence.totals(plan, actual, offered, minutes),
    }
