"""An agent's own figures for today (acd/core/agent_day.py), from the same events the book
takes: calls, AHT with after-call work, wrap-ups submitted or timed out, the resolved share,
and a new day starting from nothing."""

from __future__ import annotations

import datetime as dt

from acd.config_journal import Days
from acd.core import events as ev
from acd.core.agent_book import AgentBook
from acd.core.agent_day import AgentDay
from tests.core.test_agent_book import SEATS, WRAPUPS, answered, completed, rung


def day(*events: ev.Event, day_end=None, day_start=None) -> AgentDay:
    book = AgentBook(SEATS, WRAPUPS)
    made = AgentDay(book, day_end, day_start)
    for event in events:
        book.apply(event)
        made.apply(event)
    return made


def sales(call: str, at: float, talk: float = 20.0) -> list[ev.Event]:
    return [
        rung(at, call, queue="sales"),
        answered(at + 1, call, queue="sales"),
        ev.CallCompleted(at + 1 + talk, call, "sales", "1001", 3.0, talk, "agent"),
    ]


def coded(at: float, call: str, resolved: bool = True, follow_up: bool = False) -> ev.CallWrappedUp:
    return ev.CallWrappedUp(at, call, "1001", "answered", resolved, follow_up)


def test_talk_and_wrap_up_make_the_handle_time_and_codes_the_resolved_share():
    made = day(
        *sales("c1", 100.0),  # ends at 121: wrap-up until submitted at 124
        coded(124.0, "c1"),
        *sales("c2", 200.0, talk=40.0),  # ends at 241: the 4 s wrap-up times out at 245
        ev.AgentWrappedUp(245.0, "1001"),
        coded(250.0, "c2", resolved=False, follow_up=True),  # coded after; counted once
        coded(251.0, "c2", resolved=False, follow_up=True),
    )
    figures = made.of("1001")
    assert (figures["calls"], figures["completed"], figures["talk_s"]) == (2, 2, 60.0)
    assert (figures["wrapups"], figures["wrapup_s"]) == (2, 7.0)
    assert figures["aht_s"] == (60.0 + 7.0) / 2
    assert (figures["submitted"], figures["resolved"], figures["resolved_share"], figures["follow_ups"]) == (
        2,
        1,
        0.5,
        1,
    )


def test_a_queue_without_wrap_up_counts_no_wrap_up():
    made = day(rung(10.0), answered(11.0), completed(31.0))
    assert (made.of("1001")["wrapups"], made.of("1001")["aht_s"]) == (0, 20.0)


def test_an_agent_with_nothing_today_has_no_averages():
    figures = day().of("1002")
    assert (figures["calls"], figures["aht_s"], figures["resolved_share"]) == (0, None, None)


def test_a_new_day_starts_from_nothing():
    made = day(*sales("c1", 100.0), coded(124.0, "c1"), day_end=lambda at: (at // 1000 + 1) * 1000)
    assert made.of("1001")["calls"] == 1
    book_event = rung(1500.0, "c2")
    made.book.apply(book_event)
    made.apply(book_event)
    assert made.of("1001")["calls"] == 0 and made.of("1001")["submitted"] == 0


def test_today_begins_at_local_midnight_on_a_day_of_23_or_25_hours():
    berlin = Days("Europe/Berlin")
    for date in (dt.date(2026, 3, 29), dt.date(2026, 10, 25)):
        midnight = berlin.midnight(date)
        made = day(*sales("c1", midnight + 36000), day_end=berlin.end, day_start=berlin.start)
        assert made.since(midnight + 36100) == midnight
        assert day(day_end=berlin.end, day_start=berlin.start).since(midnight + 36100) == midnight
