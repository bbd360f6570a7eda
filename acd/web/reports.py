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
from typing import Any

from acd.core.figures import DIMENSIONS
from acd.store.figures import MAX_DAYS, report_rows
from acd.web.base import HttpError
from acd.web.pages import Frame
from acd.web.report_api import ROLES, ReportApi, arg


class ReportsApi(ReportApi):
    async def get(self, request) -> object:
        person = self.reader(request)
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
        first = self.day(request, "day", self.today())
        last = self.day(request, "to", first)
        by = arg(request, "by", "queue")
        if by not in DIMENSIONS:
            raise HttpError(400, f"by: one of {', '.join(DIMENSIONS)}")
        minutes = self.interval(request, 60)
        if last < first or (last - first).days >= MAX_DAYS:
            raise HttpError(400, f"a report covers 1 to {MAX_DAYS} days, from day to to")
        return first, last, by, minutes

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
