"""A day's report from the journal equals the live figures of the same events (one code path),
on SQLite and PostgreSQL; a repeat contact on the next day takes back a past day's FCR."""

from __future__ import annotations

import datetime as dt

import pytest

from acd import config as config_module
from acd.config_journal import Days
from acd.core import events as ev
from acd.core.figures import FIGURES_EVENTS, Figures
from acd.core.journal import Sequencer
from acd.store.figures import figures_spec, new_book, report_rows, report_totals
from acd.store.journal import Journal

CONFIG = config_module.load(write_secrets=False).model_copy(update={"timezone": "Europe/Berlin"})
DAY = dt.date(2026, 11, 20)
NINE = Days("Europe/Berlin").midnight(DAY) + 9 * 3600


def day_of_calls() -> list[ev.Event]:
    made: list[ev.Event] = [ev.AgentLoggedIn(NINE - 100, "1001", "PJSIP/1001")]
    for n in range(6):
        at, call = NINE + n * 700, f"c{n}"
        made += [
            ev.CallRouted(at, call, f"+49301{n}", "100", "support", customer_id=n),
            ev.CallerJoined(at, call, "support", f"+49301{n}", 1),
        ]
        if n == 4:
            made.append(ev.CallerAbandoned(at + 40, call, "support", 40))
            continue
        made += [
            ev.AgentRung(at + 5 * n, call, "support", "1001"),
            ev.CallAnswered(at + 5 * n + 1, call, "support", "1001", 5 * n + 1, 1),
            ev.CallCompleted(at + 300, call, "support", "1001", 5 * n + 1, 299 - 5 * n, "agent"),
            ev.CallWrappedUp(at + 310, call, "1001", "answered", True, False),
        ]
    return made


def journaled(url: str, events: list[ev.Event]) -> Journal:
    journal, numbers = Journal(url, delay=0.0), Sequencer()
    journal.start()
    for event in events:
        journal.append(numbers.next(event))
    assert journal.flush()
    return journal


def test_a_days_report_equals_the_live_figures_of_its_events(db_url):
    events = day_of_calls()
    book = new_book(CONFIG)
    live = Figures(book, Days("Europe/Berlin"), figures_spec(CONFIG))
    for event in events:
        book.apply(event)
        if type(event) in FIGURES_EVENTS:
            live.apply(event)
    journal = journaled(db_url, events)
    try:
        end = Days("Europe/Berlin").midnight(DAY + dt.timedelta(days=1))
        for by in ("queue", "line", "agent", "center"):
            for minutes in (15, 60):
                reported = report_rows(CONFIG, DAY, DAY, by, minutes, journal)
                assert [{k: v for k, v in r.items() if k != "day"} for r in reported] == live.rows(
                    by, minutes, now=end
                )
        totals = report_totals(CONFIG, DAY, DAY, "queue", journal)["support"]
        assert (totals["offered"], totals["answered"], totals["abandoned"]) == (6, 5, 1)
        assert totals["fcr"] == 1.0
    finally:
        journal.close()


def test_a_repeat_contact_the_next_morning_takes_back_the_days_fcr(db_url):
    again = ev.CallRouted(NINE + 86400, "next", "+493100", "100", "support", customer_id=0)
    journal = journaled(db_url, [*day_of_calls(), again])
    try:
        totals = report_totals(CONFIG, DAY, DAY, "queue", journal)["support"]
        assert (totals["fcr"], totals["resolution_rate"]) == (0.8, 1.0)  # 4 of 5 coded
        both = report_totals(CONFIG, DAY, DAY + dt.timedelta(days=1), "center", journal)["all"]
        assert both["offered"] == 6  # the next day's call was routed, never queued
    finally:
        journal.close()


def test_a_range_is_bounded():
    with pytest.raises(ValueError, match="1 to 62 days"):
        report_rows(CONFIG, DAY, DAY + dt.timedelta(days=62), "queue", 15)
    with pytest.raises(ValueError):
        report_rows(CONFIG, DAY, DAY - dt.timedelta(days=1), "queue", 15)


def test_an_agent_signed_in_over_midnight_has_their_time_after_it_in_the_days_report(db_url):
    midnight = Days("Europe/Berlin").midnight(DAY)
    events = [  # a night shift, 22:00 to 02:00: paused over midnight, back at 01:00
        ev.AgentLoggedIn(midnight - 7200, "1001", "PJSIP/1001"),
        ev.AgentPaused(midnight - 3600, "1001", "lunch"),
        ev.AgentResumed(midnight + 3600, "1001"),
        ev.AgentLoggedOut(midnight + 7200, "1001"),
    ]
    book = new_book(CONFIG)
    live = Figures(book, Days("Europe/Berlin"), figures_spec(CONFIG))
    for event in events:
        book.apply(event)
        live.apply(event)
    journal = journaled(db_url, events)
    try:
        reported = report_rows(CONFIG, DAY, DAY, "agent", 60, journal)
        assert [r["label"] for r in reported] == ["00:00", "01:00"]
        assert [{k: v for k, v in r.items() if k != "day"} for r in reported] == live.rows("agent", 60)
    finally:
        journal.close()


def test_in_a_range_an_agent_signed_in_for_days_keeps_their_time_every_day(db_url):
    """Signed in the evening before the range and through two midnights: each day of the range
    has their time, as the live figures carried them, and each day is read once (its eve is
    the day before it, as folded)."""
    days = Days("Europe/Berlin")
    midnight = days.midnight(DAY)
    events = [  # paused from 23:30 the evening before, back at 01:00 the day after the next
        ev.AgentLoggedIn(midnight - 3600, "1001", "PJSIP/1001"),
        ev.AgentPaused(midnight - 1800, "1001", "lunch"),
        ev.AgentResumed(midnight + 86400 + 3600, "1001"),
        ev.AgentLoggedOut(midnight + 86400 + 7200, "1001"),
    ]
    journal = journaled(db_url, events)
    read = []
    between = journal.iter_between
    journal.iter_between = lambda at_from, at_to: read.append(at_from) or between(at_from, at_to)  # type: ignore[method-assign]
    try:
        reported = report_rows(CONFIG, DAY, DAY + dt.timedelta(days=1), "agent", 60, journal)
        first = [r for r in reported if r["day"] == DAY.isoformat()]
        second = [r for r in reported if r["day"] != DAY.isoformat()]
        assert len(first) == 24  # a day without an event of theirs
        assert [r["label"] for r in second] == ["00:00", "01:00"]
        assert read.count(midnight) == 1  # the first day, not again as the second's eve
    finally:
        journal.close()
