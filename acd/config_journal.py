"""acd.yaml's `journal` section and `timezone`: how long the event journal is kept, and where
the center's day begins (the day's counters restart at local midnight, not at a restart).
Kept beside acd/config.py, which embeds them."""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field

from acd.config_types import _Section


def _known_zone(name: str) -> str:
    if name:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name[:60]!r}") from None
    return name


TimeZone = Annotated[str, Field(max_length=60), AfterValidator(_known_zone)]  # "" = the host's


class Journal(_Section):
    """Events older than `retention_days` are deleted (at start, then daily), and checkpoints
    with them. A checkpoint of the read model is taken every `checkpoint_every` entries or
    `checkpoint_minutes` (whichever comes first, if anything was applied) and at a clean stop;
    the last `checkpoints_kept` are kept. A start folds the newest valid one and the tail.
    `sweep_at`: the local time of the collector's nightly full sweep (acd/garbage.py), written
    "HH:MM" in quotes (YAML reads an unquoted 03:30 as the number 210)."""

    retention_days: int = Field(90, ge=1, le=3650)
    checkpoint_every: int = Field(20_000, ge=100, le=10_000_000)
    checkpoint_minutes: float = Field(5.0, ge=0.1, le=1440.0)
    checkpoints_kept: int = Field(3, ge=1, le=50)
    sweep_at: str = Field("03:30", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")

    def sweep_time(self) -> dt.time:
        return dt.time.fromisoformat(self.sweep_at)


class Days:
    """Local days in a zone (the host's when the name is empty, DST-aware through the C
    library): what the center's day roll-over and the restart's fold are measured in."""

    def __init__(self, name: str = "") -> None:
        self.tz = ZoneInfo(name) if name else None

    def date(self, at: float) -> dt.date:
        return dt.datetime.fromtimestamp(at, self.tz).date()

    def midnight(self, day: dt.date) -> float:
        if self.tz is None:
            return time.mktime((day.year, day.month, day.day, 0, 0, 0, 0, 0, -1))
        return dt.datetime.combine(day, dt.time(), self.tz).timestamp()

    def wall(self, day: dt.date, seconds: float) -> float:
        """The instant the day's wall clock reads `seconds` past midnight (not midnight plus
        them on a day of 23 or 25 hours; in a named zone, the first of two readings when the
        clocks go back)."""
        whole = int(seconds)
        local = dt.datetime.combine(day, dt.time(whole // 3600, whole % 3600 // 60, whole % 60))
        if self.tz is None:
            return time.mktime(local.timetuple()) + seconds - whole
        return local.replace(tzinfo=self.tz).timestamp() + seconds - whole

    def start(self, at: float) -> float:
        """Local midnight on the day holding `at`."""
        return self.midnight(self.date(at))

    def clock(self, at: float) -> float:
        """Seconds past midnight on the local wall clock (what the wall's intervals are named by)."""
        local = dt.datetime.fromtimestamp(at, self.tz)
        return local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6

    def end(self, at: float) -> float:
        """The second the day holding `at` ends (23 or 25 hours on a DST day)."""
        return self.midnight(self.date(at) + dt.timedelta(days=1))
