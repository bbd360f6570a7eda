"""A past day's figures, folded from its journal by the same code as the live ones."""

from __future__ import annotations

from collections.abc import Iterable

from acd.core import events as ev
from acd.core.agent_book import AGENT_BOOK_EVENTS, AgentBook
from acd.core.figures import FIGURES_EVENTS, Figures, Spec
from acd.core.wallboard import LocalDays

_BOOK = frozenset(AGENT_BOOK_EVENTS)


def fold_day(
    day: Iterable[ev.Event], after: Iterable[ev.Event], book: AgentBook, days: LocalDays, spec: Spec
) -> Figures:
    """A past day's figures: its events through the book and the figures as the daemon has them
    (so live, restart and report agree), then the window after it for repeat contacts only.
    An agent the book does not know (added to the staff table on an earlier day) is enrolled
    as they log in, as the daemon had them. (acd/store/figures.py folds the day before first,
    so the agents are as midnight found them.)"""
    figures = Figures(book, days, spec)
    fold(day, figures)
    count_repeats(after, figures)
    return figures


def fold(events: Iterable[ev.Event], figures: Figures, start: float | None = None) -> None:
    """`events` through the figures' book and the figures; the day holding `start`, when given,
    begun first (a report's day after its eve, whose agents carry on)."""
    book = figures.book
    if start is not None:
        figures.begin(start)
    for event in events:
        if isinstance(event, ev.AgentLoggedIn) and book.get(event.agent) is None:
            book.apply(ev.AgentEnrolled(event.at, event.agent))
        if type(event) in _BOOK:
            book.apply(event)
        if type(event) in FIGURES_EVENTS:
            figures.apply(event)


def count_repeats(after: Iterable[ev.Event], figures: Figures) -> None:
    """The window after the day: its routed calls, for the day's repeat contacts only."""
    for event in after:
        if isinstance(event, ev.CallRouted):
            figures.repeat_contact(event)
