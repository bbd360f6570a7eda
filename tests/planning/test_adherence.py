"""Adherence by hand: two agents over three half-hours, one call with its wrap-up and a pause
across 09:30, folded through the day's figures as the daemon has them; then the plan's need,
seats and shifts, the rows and the day's agent-hours."""

from __future__ import annotations

import datetime as dt

import pytest

from acd.config_journal import Days
from acd.core import events as ev
from acd.core.agent_book import AgentBook, seats
from acd.core.figures import Spec
from acd.core.figures_fold import fold_day
from acd.planning.adherence import Actual, Plan, Planned, actuals, make_plan, rows, totals
from acd.planning.forecast import Forecast
from acd.planning.staffing import Targets

UTC = Days("UTC")
NINE = UTC.midnight(dt.date(2026, 12, 2)) + 9 * 3600
SPEC = Spec(service_levels={"support": 20.0}, lines={"support": 1})
M = 60.0  # a minute


def day() -> list[ev.Event]:
    """1001: in at 09:00, rung 09:05, talks 09:05:10-09:10:10, wraps up 30 s, paused
    09:20-09:40, out at 10:15. 1002: in at 09:10, paused at 09:50, out at 10:00."""
    return [
        ev.AgentLoggedIn(NINE, "1001", "PJSIP/1001"),
        ev.CallerJoined(NINE + 5 * M, "c1", "support", "+49301", 1),
        ev.AgentRung(NINE + 5 * M, "c1", "support", "1001"),
        ev.CallAnswered(NINE + 5 * M + 10, "c1", "support", "1001", 10, 10),
        ev.AgentLoggedIn(NINE + 10 * M, "1002", "PJSIP/1002"),
        ev.CallCompleted(NINE + 10 * M + 10, "c1", "support", "1001", 10, 300, "agent"),
        ev.AgentWrappedUp(NINE + 10 * M + 40, "1001"),
        ev.AgentPaused(NINE + 20 * M, "1001", "break"),
        ev.AgentResumed(NINE + 40 * M, "1001"),
        ev.AgentPaused(NINE + 50 * M, "1002", "break"),
        ev.AgentLoggedOut(NINE + 60 * M, "1002"),
        ev.AgentLoggedOut(NINE + 75 * M, "1001"),
    ]


def folded(events: list[ev.Event]):
    book = AgentBook(seats([("1001", ""), ("1002", "")]), {"support": 30.0})
    return fold_day(events, [], book, UTC, SPEC)


def test_agent_seconds_per_half_hour_by_hand():
    got = actuals(folded(day()).agents_until(None), 30)
    assert set(got) == {540, 570, 600}
    # 09:00-09:30: 1001 ready 310 s (10 s of it ringing) + 560 s, on the call 300 s + wrap-up 30 s,
    # paused 600 s (09:20-09:30); 1002 ready 1200 s (09:10-09:30). Over 1800 s:
    assert got[540].ready == pytest.approx((310 + 560 + 1200) / 1800)
    assert got[540].on_calls == pytest.approx(330 / 1800)
    assert got[540].paused == pytest.approx(600 / 1800)
    assert got[540].logged_in == pytest.approx(3000 / 1800)
    # 09:30-10:00: 1001 paused 600 s (the pause's second half), ready 1200 s; 1002 ready 1200 s,
    # paused 600 s: two agents logged in all along
    assert got[570] == Actual(pytest.approx(2400 / 1800), 0.0, pytest.approx(1200 / 1800))
    assert got[570].logged_in == pytest.approx(2.0)
    # 10:00-10:30: 1001 ready until 10:15
    assert got[600] == Actual(pytest.approx(0.5), 0.0, 0.0)


def test_the_same_seconds_per_15_and_60_minutes():
    agents = folded(day()).agents_until(None)
    quarter = actuals(agents, 15)
    assert quarter[555].paused == pytest.approx(600 / 900)  # 09:15-09:30: 1001's pause from 09:20
    assert quarter[570].paused == pytest.approx(600 / 900)  # 09:30-09:45: until 09:40
    hour = actuals(agents, 60)
    assert hour[540].logged_in == pytest.approx((3000 + 3600) / 3600)
    assert hour[600].logged_in == pytest.approx(900 / 3600)
    with pytest.raises(ValueError):
        actuals(agents, 20)


def test_live_time_counts_up_to_now():
    """Today's report: an agent still logged in counts until the moment it is read."""
    figures = folded(day()[:4])  # 1001 on the call since 09:05:10
    got = actuals(figures.agents_until(NINE + 8 * M), 30)
    assert got[540].ready == pytest.approx(310 / 1800)
    assert got[540].on_calls == pytest.approx(170 / 1800)


PLAN = Plan(
    30,
    (
        Planned(540, 10.0, 180.0, agents=1, seats=2, scheduled=2),
        Planned(570, 12.0, 180.0, agents=2, seats=3, scheduled=2),
    ),
)


def test_rows_put_the_plan_beside_the_agents():
    actual = actuals(folded(day()).agents_until(None), 30)
    table = rows(PLAN, actual, {540: 1}, 30)
    assert [r["label"] for r in table] == ["09:00", "09:30", "10:00"]
    nine, half, ten = table
    assert (nine["forecast"], nine["offered"], nine["needed"], nine["seats"], nine["scheduled"]) == (
        10,
        1,
        1,
        2,
        2,
    )
    assert nine["logged_in"] == 1.67 and nine["ready"] == 1.15 and nine["on_calls"] == 0.18
    assert nine["paused"] == 0.33
    assert nine["adherence"] == pytest.approx(3000 / 1800 / 2, abs=1e-4)  # 0.8333
    assert nine["coverage"] == pytest.approx((2070 + 330) / 1800 / 1, abs=1e-4)  # 1.3333
    assert half["adherence"] == 1.0 and half["coverage"] == pytest.approx(2400 / 1800 / 2, abs=1e-4)
    assert ten["scheduled"] is None and ten["adherence"] is None and ten["logged_in"] == 0.5
    assert ten["forecast"] is None and ten["offered"] == 0


def test_the_day_in_agent_hours():
    actual = actuals(folded(day()).agents_until(None), 30)
    day_total = totals(PLAN, actual, {540: 1}, 30)
    assert day_total["scheduled_hours"] == 2.0 and day_total["needed_hours"] == 1.5
    assert day_total["seat_hours"] == 2.5
    assert day_total["logged_in_hours"] == round(7500 / 3600, 2)  # 3000 + 3600 + 900 s
    assert day_total["paused_hours"] == round(1800 / 3600, 2)
    assert day_total["adherence"] == round(7500 / 7200, 4)  # over the 2 x 2 x 30 min scheduled
    assert day_total["forecast"] == 22 and day_total["offered"] == 1
    nothing = totals(None, actual, {}, 30)
    assert nothing["scheduled_hours"] is None and nothing["adherence"] is None


def forecast(calls: list[float], aht: list[float | None]) -> Forecast:
    starts = tuple(480 + 30 * i for i in range(len(calls)))
    return Forecast(2, 4, 30, starts, tuple(calls), tuple(aht), ())


def test_the_plan_of_a_forecast():
    """100 calls per half-hour at 180 s is the worked example's 10 Erlangs: 14 agents at 80/20,
    20 seats at 30 % shrinkage; six hours of it is one 6 h shift of 20. An interval the history
    never answered takes the mean AHT."""
    made = make_plan(forecast([100.0] * 12, [180.0] * 11 + [None]), Targets(shrinkage=0.3))
    assert [(p.agents, p.seats, p.scheduled) for p in made.intervals] == [(14, 20, 20)] * 12
    assert made.intervals[-1].aht == 180.0 and made.intervals[0].minute == 480 and made.notes == ()


def test_a_day_shorter_than_a_shift_has_a_need_but_no_shifts():
    made = make_plan(forecast([100.0] * 4, [180.0] * 4), Targets(shrinkage=0.3))
    assert [p.scheduled for p in made.intervals] == [None] * 4
    assert [p.seats for p in made.intervals] == [20] * 4
    assert made.notes and "no shift plan" in made.notes[0]
    with pytest.raises(ValueError, match="no answered call"):
        make_plan(forecast([100.0] * 12, [None] * 12), Targets())
