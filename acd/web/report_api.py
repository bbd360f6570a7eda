"""What the report APIs share: who may read them, and their arguments, checked where they enter
(dates as YYYY-MM-DD, from the journal's retention up to today; an interval from INTERVALS)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from acd.config import Config
from acd.config_journal import Days
from acd.core.figures import INTERVALS, Figures
from acd.core.people import Person
from acd.web.auth import Forbidden, StaffLogin
from acd.web.base import AsyncJson, HttpError

ROLES = ("supervisor", "admin")


class ReportApi(AsyncJson):
    def __init__(
        self, login: StaffLogin, config: Config, live: Figures, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(login)
        self.config, self.live, self.clock = config, live, clock
        self.days = Days(config.timezone)

    def reader(self, request) -> Person:
        """The signed-in person, if their role may read reports."""
        person = self.person(request)
        if person.role not in ROLES:
            raise Forbidden(f"role {person.role!r} may not read reports")
        return person

    def today(self) -> dt.date:
        return self.days.date(self.clock())

    def day(self, request, name: str, default: dt.date) -> dt.date:
        try:
            day = dt.date.fromisoformat(arg(request, name, default.isoformat()))
        except ValueError:
            raise HttpError(400, f"{name}: a date as YYYY-MM-DD") from None
        today = self.today()
        if day > today:
            raise HttpError(400, f"{name}: not after today")
        if day < today - dt.timedelta(days=self.config.journal.retention_days):
            raise HttpError(400, f"{name}: within the journal's {self.config.journal.retention_days} days")
        return day

    def interval(self, request, default: int) -> int:
        interval = arg(request, "interval", str(default))
        if not interval.isdigit() or int(interval) not in INTERVALS:
            raise HttpError(400, "interval: 15, 30 or 60 (minutes)")
        return int(interval)


def arg(request, name: str, default: str) -> str:
    """The query's first `name`, else `default` (bytes that are not ASCII become U+FFFD)."""
    return (request.args.get(name.encode()) or [default.encode()])[0].decode("ascii", "replace")
