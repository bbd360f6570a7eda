"""Opening hours: is the line open at a given instant? The clock is passed in."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from ivr.menu import WEEKDAYS, Hours


def is_open(hours: Hours, at: float) -> bool:
    """Open on a working day between its opening and closing minute, the closing one excluded
    (as in "08:00" to "18:00"): a day open to its end closes at "24:00", not "23:59", which
    would shut the line for the day's last minute."""
    local = dt.datetime.fromtimestamp(at, zoneinfo.ZoneInfo(hours.timezone))
    if local.date() in hours.holidays:
        return False
    span = hours.open.get(WEEKDAYS[local.weekday()])
    if span is None:
        return False
    start, end = span
    return start <= local.strftime("%H:%M") < end
