"""Staff and line planning's defaults (`planning:` in config/acd.yaml): what `acd staffing`
plans for when its flags do not say otherwise (docs/planning.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from acd.config_types import _Section


class Planning(_Section):
    service_level: float = Field(0.8, gt=0, lt=1)  # share of calls answered...
    within: float = Field(20.0, ge=0, le=3600)  # ...within this many seconds
    shrinkage: float = Field(0.3, ge=0, lt=1)  # paid time off the phones: breaks, training, absence
    max_occupancy: float = Field(0.9, gt=0, le=1)  # beyond it agents burn out, whatever the SL
    interval: Literal[15, 30, 60] = 30  # minutes per planned interval
    patience: float | None = Field(None, gt=0, le=86400)  # mean seconds before hanging up: Erlang A
    ivr_seconds: float = Field(0.0, ge=0, le=3600)  # mean time in the IVR, holding a line
    blocking: float = Field(0.01, gt=0, lt=1)  # share of attempts that may find every line busy
    trunk_headroom: float = Field(1.5, ge=1.5, le=10)  # the practice: at least 1.5x Erlang B's lines
    trunk_channels: int | None = Field(None, ge=1, le=100000)  # what the carrier gives; None: unchecked
