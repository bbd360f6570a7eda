"""One key's counters over one interval, and every figure docs/metrics.md defines from them.

Counters only add up (sums, and `longest_wait`, a maximum), so a line is the sum of its
queues, the center the sum of every queue, and 30 and 60 minutes the sums of 15: the figures
always agree with each other. Every rate is None when there is nothing to divide by.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

# the figures, in the order reports show them (the counters first, then the rates)
FIGURE_NAMES = (
    "offered",
    "answered",
    "answered_in_sl",
    "abandoned",
    "short_abandoned",
    "timed_out",
    "escalated",
    "callbacks",
    "service_level",
    "sl1",
    "sl2",
    "sl_offered",
    "answer_rate",
    "abandon_rate",
    "asa",
    "longest_wait",
    "aht",
    "talk",
    "acw",
    "occupancy",
    "fcr",
    "resolution_rate",
    "closed_here",
    "escalation_rate",
    "callback_rate",
    "survey_score",
    "surveys",
    "conversion_rate",
)


@dataclass(slots=True)
class Tally:
    offered: int = 0  # joined the queue (an escalated call is offered again at the next line)
    answered: int = 0
    answered_in_sl: int = 0  # answered with a wait of at most T
    abandoned: int = 0  # hung up waiting, after at least the short-abandon threshold
    short_abandoned: int = 0
    abandoned_after_sl: int = 0  # of `abandoned`: waited longer than T
    abandoned_in_sl: int = 0  # every abandon (short ones too) within T: Asterisk's SL2 counts them
    timed_out: int = 0  # the queue's rules sent them on (max wait, no agents)
    escalated: int = 0  # sent from this queue to the next line
    callbacks: int = 0  # booked a callback instead of waiting
    answer_wait: float = 0.0  # seconds, over answered calls
    longest_wait: float = 0.0  # the longest wait of an answered or abandoned caller (a maximum)
    completed: int = 0  # calls whose talk ended
    talk: float = 0.0  # seconds: Asterisk's talk time (the bridge, hold included)
    acw: float = 0.0  # seconds of after-call work (the agent's wrap-up)
    coded: int = 0  # calls the agent wrapped up on their desk
    resolved: int = 0  # of `coded`: marked resolved
    first_contact: int = 0  # of `resolved`: no repeat contact from the customer within the window
    sale_coded: int = 0  # coded calls of a sales queue
    sales: int = 0  # of those: a sale's disposition
    survey_total: int = 0  # the scores, summed
    surveys: int = 0  # answers to the survey's questions
    available: float = 0.0  # agent seconds ready or ringing
    busy: float = 0.0  # agent seconds on a call or in after-call work
    paused: float = 0.0

    def add(self, other: Tally) -> None:
        for name in _SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.longest_wait = max(self.longest_wait, other.longest_wait)

    def figures(self) -> dict[str, Any]:
        """Every figure of docs/metrics.md, by its name."""
        closed = self.answered + self.abandoned
        asterisk_closed = self.answered + self.abandoned + self.short_abandoned
        return {
            "offered": self.offered,
            "answered": self.answered,
            "answered_in_sl": self.answered_in_sl,
            "abandoned": self.abandoned,
            "short_abandoned": self.short_abandoned,
            "timed_out": self.timed_out,
            "escalated": self.escalated,
            "callbacks": self.callbacks,
            "service_level": share(self.answered_in_sl, self.answered + self.abandoned_after_sl),
            "sl1": share(self.answered_in_sl, self.answered),
            "sl2": share(self.answered_in_sl + self.abandoned_in_sl, asterisk_closed),
            "sl_offered": share(self.answered_in_sl, self.offered - self.short_abandoned),
            "answer_rate": share(self.answered, self.offered - self.short_abandoned),
            "abandon_rate": share(self.abandoned, closed),
            "asa": share(self.answer_wait, self.answered, 1),
            "longest_wait": round(self.longest_wait, 1),
            "aht": share(self.talk + self.acw, self.completed, 1),
            "talk": round(self.talk, 1),
            "acw": round(self.acw, 1),
            "occupancy": share(self.busy, self.busy + self.available),
            "fcr": share(self.first_contact, self.coded),
            "resolution_rate": share(self.resolved, self.coded),
            "closed_here": share(self.answered - self.escalated, self.answered),
            "escalation_rate": share(self.escalated, self.answered),
            "callback_rate": share(self.callbacks, self.offered - self.short_abandoned),
            "survey_score": share(self.survey_total, self.surveys, 2),
            "surveys": self.surveys,
            "conversion_rate": share(self.sales, self.sale_coded),
        }


_SUMMED = tuple(f.name for f in fields(Tally) if f.name != "longest_wait")


def share(part: float, whole: float, digits: int = 4) -> float | None:
    return round(part / whole, digits) if whole > 0 else None
