"""Each agent's own figures for today, from the stream: calls taken, talk and after-call work,
wrap-ups and how many calls they coded resolved.

A read model (pure, replayed on restart), subscribed after the agents book: wrap-up time is
the book's, measured from the agent's state leaving WRAP_UP (submitted or timed out), so the
figure is the hold the agent really had. AHT = (talk + wrap-up) / calls completed, the usual
definition (talk + hold + after-call work; hold is part of Asterisk's talk time here).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from acd.core import checkpoint
from acd.core import events as ev
from acd.core.agent_book import AGENT_BOOK_EVENTS, AgentBook
from acd.core.agents import State

AGENT_DAY_EVENTS: frozenset[type[ev.Event]] = frozenset(AGENT_BOOK_EVENTS)  # what moves agents


@dataclass(slots=True)
class Figures:
    answered: int = 0
    completed: int = 0
    talk_s: float = 0.0
    wrapups: int = 0  # wrap-up periods over (submitted or timed out)
    wrapup_s: float = 0.0
    submitted: int = 0  # calls coded on the wrap-up form
    resolved: int = 0
    follow_ups: int = 0

    def as_dict(self) -> dict[str, object]:
        handled = self.completed
        return {
            "calls": self.answered,
            "completed": self.completed,
            "talk_s": round(self.talk_s, 1),
            "aht_s": round((self.talk_s + self.wrapup_s) / handled, 1) if handled else None,
            "wrapups": self.wrapups,
            "wrapup_s": round(self.wrapup_s, 1),
            "submitted": self.submitted,
            "resolved": self.resolved,
            "resolved_share": round(self.resolved / self.submitted, 3) if self.submitted else None,
            "follow_ups": self.follow_ups,
        }


class AgentDay(checkpoint.Checkpointed):
    """`day_end(at)`: when the local day holding `at` ends; the figures restart then.
    `day_start(at)`: its local midnight (a day is 23 or 25 hours when the clocks change)."""

    STATE = ("figures", "day_ends", "_wrapping", "_coded")

    def __init__(
        self,
        book: AgentBook,
        day_end: Callable[[float], float] | None = None,
        day_start: Callable[[float], float] | None = None,
    ) -> None:
        self.book, self._day_end, self._day_start = book, day_end, day_start
        self.figures: dict[str, Figures] = {}
        self.day_ends = float("-inf") if day_end is not None else float("inf")
        self._wrapping: dict[str, float] = {}  # agent -> when their wrap-up began
        self._coded: set[tuple[str, str]] = set()  # (agent, call) counted once, however often sent

    def since(self, now: float) -> float | None:
        """When today's figures began (None when they never restart); before the day's first
        event `day_ends` is still -inf, so the day is the one holding `now`."""
        if self._day_end is None:
            return None
        if self._day_start is not None:
            return self._day_start(self.day_ends - 1.0 if math.isfinite(self.day_ends) else now)
        ends = self.day_ends if math.isfinite(self.day_ends) else self._day_end(now)
        return ends - 86400.0  # no local days given: days of 24 hours

    def of(self, number: str) -> dict[str, object]:
        return self.figures.get(number, Figures()).as_dict()

    def apply(self, event: ev.Event) -> None:
        if event.at >= self.day_ends:
            assert self._day_end is not None
            self.day_ends = self._day_end(event.at)
            self.figures, self._coded = {}, set()
        if isinstance(event, ev.CallAnswered):
            self._mine(event.agent).answered += 1
        elif isinstance(event, ev.CallCompleted):
            mine = self._mine(event.agent)
            mine.completed += 1
            mine.talk_s += max(0.0, event.talk_time)
        elif isinstance(event, ev.CallWrappedUp):
            self._code(event)
        if self.book.last is event:
            self._follow_wrap_ups(event.at)

    def _code(self, event: ev.CallWrappedUp) -> None:
        mine = self._mine(event.agent)
        key = (event.agent, event.call_id)
        if key in self._coded:
            return
        self._coded.add(key)
        mine.submitted += 1
        mine.resolved += event.resolved
        mine.follow_ups += event.follow_up

    def _follow_wrap_ups(self, at: float) -> None:
        """The book took the event first: who entered or left wrap-up with it."""
        for number in self.book.moved:
            state = self.book.agents[number].state
            began = self._wrapping.get(number)
            if state is State.WRAP_UP and began is None:
                self._wrapping[number] = self.book.agents[number].since
            elif state is not State.WRAP_UP and began is not None:
                del self._wrapping[number]
                mine = self._mine(number)
                mine.wrapups += 1
                mine.wrapup_s += max(0.0, at - began)

    def _mine(self, number: str) -> Figures:
        found = self.figures.get(number)
        if found is None:
            found = self.figures[number] = Figures()
        return found


checkpoint.register(Figures)
