"""Complaint cases (`cases:` in config/acd.yaml): what makes a call a complaint, how long its
owner has to resolve it, and how far up it goes when they do not (acd/core/cases.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from acd.config_types import Digits, Name, _Section

if TYPE_CHECKING:
    from acd.config import Config


class Cases(_Section):
    enabled: bool = True
    deadline_hours: float = Field(24.0, gt=0, le=24 * 31)  # each owner's time, at every level
    levels: int = Field(2, ge=0, le=5)  # the manager, then one higher: 2
    check_seconds: float = Field(60.0, gt=0, le=3600)  # how often deadlines are looked at
    categories: tuple[Name, ...] = ("complaint",)  # the IVR's (config/ivr.yaml)
    escalation_reasons: tuple[Name, ...] = ("complaint",)  # features.escalation_reasons' names
    dispositions: tuple[Name, ...] = ("complaint_logged",)  # desk.dispositions' codes
    unassigned: Digits | None = None  # owns the cases of callers no agent answered

    @property
    def deadline(self) -> float:
        return self.deadline_hours * 3600.0


def check_cases(config: Config) -> None:
    """Every name the section uses exists where it is defined (the IVR's categories are checked
    when the menu is loaded against the queues, not here)."""
    cases = config.cases
    reasons = set(config.features.escalation_reasons.values())
    if unknown := set(cases.escalation_reasons) - reasons:
        raise ValueError(f"cases.escalation_reasons: no escalation reason {sorted(unknown)[0]!r}")
    codes = {d.code for d in config.desk.dispositions}
    if unknown := set(cases.dispositions) - codes:
        raise ValueError(f"cases.dispositions: no disposition {sorted(unknown)[0]!r}")
    numbers = {a.number for a in config.agents} | {s.number for s in config.staff}
    managers = [(f"agents[{i}].manager", a.manager) for i, a in enumerate(config.agents)]
    managers += [(f"staff[{i}].manager", s.manager) for i, s in enumerate(config.staff)]
    managers.append(("cases.unassigned", cases.unassigned))
    for where, number in managers:
        if number is not None and number not in numbers:
            raise ValueError(f"{where}: nobody has number {number!r}")
