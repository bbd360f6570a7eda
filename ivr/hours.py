"""Opening hours: is the line open at a given instant? The clock is passed in."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from ivr.menu import WEEKDAYS, Hours


def is_open(hours: Hours, at: float) -> bool:
    """Open on a working day between its opening and closing minute (closing one excluded)."""
    local = dt.datetime.fromtimestamp(at, zoneinfo.ZoneInfo(hours.timezone))
    if local.date() in hours.holidays:
        return False
    span = hours.open.get(WEEKDAYS[local.weekday()])
    if span is None:
        return False
    start, end = span
    return start <= local.strftime("%H:%M") < end
