"""What the simulator counts per interval and queue, and the figures docs/metrics.md defines
from it. A fact counts in the interval it happened in (an offer when the caller arrived, an
answer when answered, an abandon when the caller hung up)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

FIGURES = (
    *("offered", "answered", "abandoned", "p_wait", "asa", "service_level", "sl_offered"),
    *("abandon_rate", "mean_wait", "timed_out", "repeat", "last_agent_answered"),
)


@dataclass(slots=True)
class Tally:
    offered: int = 0
    answered: int = 0
    answered_in_sl: int = 0
    abandoned: int = 0
    abandoned_after_sl: int = 0  # waited more than T before hanging up
    waited: int = 0  # answered or abandoned after a wait > 0
    wait_sum: float = 0.0  # the answered calls' waits
    abandon_wait_sum: float = 0.0  # the abandoned calls' waits
    callbacks: int = 0  # booked instead of waiting (not answered, not abandoned)
    callbacks_done: int = 0
    callbacks_given_up: int = 0
    timed_out: int = 0  # the queue's max_wait sent them on (neither answered nor abandoned)
    repeat: int = 0  # offered callers with a last agent
    last_agent_answered: int = 0  # repeat callers answered by their last agent (first ring or queue)

    def add(self, other: Tally) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def answer(self, wait: float, sl: float, queued: bool) -> None:
        """`queued`: the caller waited for an agent (beyond the answering phone's ring)."""
        self.answered += 1
        self.wait_sum += wait
        if wait <= sl:
            self.answered_in_sl += 1
        if queued:
            self.waited += 1

    def abandon(self, wait: float, sl: float) -> None:
        self.abandoned += 1
        self.abandon_wait_sum += wait
        if wait > sl:
            self.abandoned_after_sl += 1
        if wait > 0.0:
            self.waited += 1

    def figures(self) -> dict[str, float | None]:
        """The rates are None when their denominator is 0."""
        ended = self.answered + self.abandoned
        return {
            "offered": float(self.offered),
            "answered": float(self.answered),
            "abandoned": float(self.abandoned),
            "p_wait": _share(self.waited, ended),
            "asa": _share(self.wait_sum, self.answered),
            "service_level": _share(self.answered_in_sl, self.answered + self.abandoned_after_sl),
            "sl_offered": _share(self.answered_in_sl, ended),  # Erlang A's: over everyone who ended
            "abandon_rate": _share(self.abandoned, ended),
            "mean_wait": _share(self.wait_sum + self.abandon_wait_sum, ended),  # Lq / lambda
            "timed_out": float(self.timed_out),
            "repeat": float(self.repeat),
            "last_agent_answered": float(self.last_agent_answered),
        }


def _share(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def total(tallies: Iterable[Tally]) -> Tally:
    summed = Tally()
    for tally in tallies:
        summed.add(tally)
    return summed
