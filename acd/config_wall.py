"""The wallboard's settings (`wallboard:` in config/acd.yaml): its definitions' thresholds,
the intervals of its charts, its colours, and how often it may change on the wall."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from acd.config_types import _Section


class Band(_Section):
    """A figure's colours: green until it crosses `warn`, amber until `alarm`, red beyond.
    Which way is worse is the figure's own (a service level falls, a wait grows)."""

    warn: float = Field(ge=0)
    alarm: float = Field(ge=0)


class Wallboard(_Section):
    short_abandon: float = Field(5.0, ge=0, le=120)  # seconds: a caller gone sooner is not counted
    interval: Literal[15, 30, 60] = 15  # minutes per bar of the day's charts
    updates_per_second: float = Field(4.0, gt=0, le=20)  # fresh snapshots at most, however busy
    max_viewers: int = Field(16, ge=1, le=5000)  # open walls at once; more get 503
    max_per_kiosk: int = Field(4, ge=1, le=5000)  # one kiosk link's walls at once; more get 429
    max_per_person: int = Field(4, ge=1, le=5000)  # one signed-in person's walls at once; more get 429
    service_level: Band = Band(warn=0.8, alarm=0.6)  # shares: lower is worse
    abandon_rate: Band = Band(warn=0.05, alarm=0.1)  # shares: higher is worse
    longest_wait: Band = Band(warn=30, alarm=60)  # seconds
    waiting: Band = Band(warn=3, alarm=6)  # callers

    @model_validator(mode="after")
    def _bands_point_the_right_way(self) -> Wallboard:
        if not (self.service_level.warn > self.service_level.alarm and self.service_level.warn <= 1):
            raise ValueError("wallboard.service_level: warn must be above alarm (shares, at most 1)")
        for name in ("abandon_rate", "longest_wait", "waiting"):
            band: Band = getattr(self, name)
            if band.warn >= band.alarm:
                raise ValueError(f"wallboard.{name}: warn must be below alarm")
        if self.abandon_rate.alarm > 1:
            raise ValueError("wallboard.abandon_rate: shares, at most 1")
        return self
