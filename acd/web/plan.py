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
from acd.config_journal import Days
from acd.core.figures import INTERVALS, Figures
from acd.web.auth import Forbidden, StaffLogin
from acd.web.base import AsyncJson, HttpError
from acd.web.status import NotFound

if TYPE_CHECKING:
    from acd.planning.adherence import Plan

ROLES = ("supervisor", "admin")
KEPT = 32  # plans remembered (day, interval): a month of days at one interval


class PlanApi(AsyncJson):
    def __init__(
        self, login: StaffLogin, config: Config, live: Figures, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(login)
        self.config, self.live, self.clock = config, live, clock
        self.days = Days(config.timezone)
        self.plans: dict[tuple[dt.date, int], tuple[Plan | None, str]] = {}

    async def get(self, request) -> object:
        from acd.store import adherence  # numpy and scipy: asked for here, not at every start

        person = self.person(request)
        if person.role not in ROLES:
            raise Forbidden(f"role {person.role!r} may not read reports")
        if request.postpath not in ([], [b""]):
            raise HttpError(404, "not found")
        day, minutes = self._asked(request)
        if day == self.days.date(self.clock()):
            if self.live.day.start == self.days.midnight(day):
                actual, offered = adherence.day_actuals(self.live, self.clock(), minutes)
            else:  # no event yet today: the live figures are still yesterday's
                actual, offered = {}, {}
        else:
            actual, offered = await asyncio.to_thread(adherence.past_actuals, self.config, day, minutes)
        plan, source = await self._plan(day, minutes)
        answer = adherence.report(plan, source, actual, offered, minutes)
        midnight = self.days.midnight(day)
        for row in answer["rows"]:  # for charts: when the interval starts (as /api/reports has it)
            row["start"] = midnight + row["minute"] * 60
        return {"day": day.isoformat(), "interval": minutes, "weekday": day.strftime("%a").lower(), **answer}

    def _asked(self, request) -> tuple[dt.date, int]:
        args = request.args
        today = self.days.date(self.clock())
        one = lambda name, default: (args.get(name.encode()) or [default.encode()])[0].decode(
            "ascii", "replace"
        )
        try:
            day = dt.date.fromisoformat(one("day", today.isoformat()))
        except ValueError:
            raise HttpError(400, "day: a date as YYYY-MM-DD") from None
        interval = one("interval", str(self.config.planning.interval))
        if not interval.isdigit() or int(interval) not in INTERVALS:
            raise HttpError(400, "interval: 15, 30 or 60 (minutes)")
        if day > today:
            raise HttpError(400, "day: not after today")
        return day, int(interval)

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
