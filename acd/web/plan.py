"""`GET /api/reports/plan?day=YYYY-MM-DD[&interval=15|30|60]`: the day's plan against what its
agents did, per interval (docs/planning.md's adherence), for supervisors and admins.

The plan is folded from the weekday's history on a thread (acd/store/adherence.py) and kept:
it reads only days before the one asked for, so it does not change through the day (no plan
yet is asked again). Today's
agents come from the live figures (read here, on the reactor), an earlier day's from its
journal on a thread. Input is checked where it enters, as /api/reports checks it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from twisted.web import resource

from acd.config import Config
from acd.core.figures import Figures
from acd.web.auth import StaffLogin
from acd.web.base import HttpError
from acd.web.report_api import ReportApi
from acd.web.status import NotFound

if TYPE_CHECKING:
    from acd.planning.adherence import Plan

KEPT = 32  # plans remembered (day, interval): a month of days at one interval


class PlanApi(ReportApi):
    def __init__(
        self, login: StaffLogin, config: Config, live: Figures, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(login, config, live, clock)
        self.plans: dict[tuple[dt.date, int], tuple[Plan | None, str]] = {}

    async def get(self, request) -> object:
        from acd.store import adherence  # numpy and scipy: asked for here, not at every start

        self.reader(request)
        if request.postpath not in ([], [b""]):
            raise HttpError(404, "not found")
        day = self.day(request, "day", self.today())
        minutes = self.interval(request, self.config.planning.interval)
        if day == self.today():
            if self.live.day.start == self.days.midnight(day):
                actual, offered = adherence.day_actuals(self.live, self.clock(), minutes)
            else:  # no event yet today: the live figures are still yesterday's
                actual, offered = {}, {}
        else:
            actual, offered = await asyncio.to_thread(adherence.past_actuals, self.config, day, minutes)
        plan, source = await self._plan(day, minutes)
        answer = adherence.report(plan, source, actual, offered, minutes)
        for row in answer["rows"]:  # for charts: when the interval starts (as /api/reports has it)
            row["start"] = self.days.wall(day, row["minute"] * 60)
        return {"day": day.isoformat(), "interval": minutes, "weekday": day.strftime("%a").lower(), **answer}

    async def _plan(self, day: dt.date, minutes: int) -> tuple[Plan | None, str]:
        from acd.store import adherence

        key = (day, minutes)
        found = self.plans.get(key)
        if found is None:
            found = await asyncio.to_thread(adherence.day_plan, self.config, day, minutes)
            if found[0] is not None:  # none yet may become one (a queue_log imported, say)
                if len(self.plans) >= KEPT:
                    del self.plans[next(iter(self.plans))]
                self.plans[key] = found
        return found


class ReportsBranch(resource.Resource):
    """/api/reports (the figures, `reports`) with /api/reports/plan under it."""

    def __init__(self, reports: resource.Resource, plan: PlanApi) -> None:
        super().__init__()
        self.reports = reports
        self.putChild(b"plan", plan)

    def getChild(self, path: bytes, request) -> resource.Resource:
        return self.reports if path == b"" else NotFound()

    def render(self, request) -> object:
        return self.reports.render(request)
