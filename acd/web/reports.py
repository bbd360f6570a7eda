"""`GET /api/reports` and the page `/reports`: docs/metrics.md's figures for a day or a range,
per interval and queue, line, agent or center, for supervisors and admins.

Today's rows are the live model's (acd/core/figures.py); a past day is the same fold over its
journal (acd/store/figures.py), read on a thread, never on the reactor. A supervisor sees every
queue and line, and of the agents their teams' only; an admin everything. Input is checked
where it enters: dates as YYYY-MM-DD, a range of at most MAX_DAYS, the dimension and interval
from their lists.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from acd.config import Config
from acd.config_journal import Days
from acd.core.figures import DIMENSIONS, INTERVALS, Figures
from acd.store.figures import MAX_DAYS, report_rows
from acd.web.auth import Forbidden, StaffLogin
from acd.web.base import AsyncJson, HttpError
from acd.web.pages import Frame

ROLES = ("supervisor", "admin")


class ReportsApi(AsyncJson):
    def __init__(
        self, login: StaffLogin, config: Config, live: Figures, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(login)
        self.config, self.live, self.clock = config, live, clock
        self.days = Days(config.timezone)

    async def get(self, request) -> object:
        person = self.person(request)
        if person.role not in ROLES:
            raise Forbidden(f"role {person.role!r} may not read reports")
        first, last, by, minutes = self._asked(request)
        rows = await self._rows(first, last, by, minutes)
        if by == "agent" and person.role != "admin":
            mine = set(self.login.staffing.of_teams(person.teams))
            rows = [row for row in rows if row["key"] in mine]
        return {
            "from": first.isoformat(),
            "to": last.isoformat(),
            "by": by,
            "interval": minutes,
            "rows": rows,
        }

    def _asked(self, request) -> tuple[dt.date, dt.date, str, int]:
        args = request.args
        one = lambda name, default: (args.get(name.encode()) or [default.encode()])[0].decode(
            "ascii", "replace"
        )
        today = self.days.date(self.clock())
        try:
            first = dt.date.fromisoformat(one("day", today.isoformat()))
            last = dt.date.fromisoformat(one("to", first.isoformat()))
        except ValueError:
            raise HttpError(400, "day and to: dates as YYYY-MM-DD") from None
        by, interval = one("by", "queue"), one("interval", "60")
        if by not in DIMENSIONS:
            raise HttpError(400, f"by: one of {', '.join(DIMENSIONS)}")
        if not interval.isdigit() or int(interval) not in INTERVALS:
            raise HttpError(400, "interval: 15, 30 or 60 (minutes)")
        if last < first or (last - first).days >= MAX_DAYS:
            raise HttpError(400, f"a report covers 1 to {MAX_DAYS} days, from day to to")
        if last > today:
            raise HttpError(400, "to: not after today")
        return first, last, by, int(interval)

    async def _rows(self, first: dt.date, last: dt.date, by: str, minutes: int) -> list[dict[str, Any]]:
        today = self.days.date(self.clock())
        rows: list[dict[str, Any]] = []
        if first < today:
            past = min(last, today - dt.timedelta(days=1))
            rows += await asyncio.to_thread(report_rows, self.config, first, past, by, minutes)
        if last == today and self.live.day.start == self.days.midnight(today):  # else still yesterday's
            now = self.clock()
            rows += [{"day": today.isoformat(), **row} for row in self.live.rows(by, minutes, now=now)]
        return rows


class ReportsPage(Frame):
    """`GET /reports`: static/reports.js asks /api/reports and draws the table and charts."""

    roles = ROLES
    template = "reports.html"
