"""The interval figures, each by docs/metrics.md's definition, from scripted events through the
same bus order as the daemon's (the book before the figures)."""

from __future__ import annotations

import datetime as dt

import pytest

from acd.config_journal import Days
from acd.core import checkpoint
from acd.core import events as ev
from acd.core.agent_book import AGENT_BOOK_EVENTS, AgentBook, seats
from acd.core.bus import Bus
from acd.core.figures import FIGURES_EVENTS, Figures, Spec
from acd.core.figures_counts import FIGURE_NAMES
from acd.core.journal import Sequencer

BERLIN = Days("Europe/Berlin")
NINE = BERLIN.midnight(dt.date(2026, 12, 2)) + 9 * 3600  # 09:00 local
SPEC = Spec(
    service_levels={"support": 20.0, "support-2": 30.0, "sales": 30.0},
    lines={"support": 1, "support-2": 2, "sales": 1},
    short_abandon=5.0,
    repeat_window=3600.0,
    sales_queues=frozenset({"sales"}),
    sale_codes=frozenset({"sold"}),
)


class Center:
    def __init__(self, days: Days = BERLIN) -> None:
        self.book = AgentBook(seats([("1001", ""), ("1002", "")]), {"support": 30.0})
        self.figures = Figures(self.book, days, SPEC)
        self.bus = Bus(lambda name, entry, exc: (_ for _ in ()).throw(exc))
        self.bus.subscribe("agents", self.book.apply, AGENT_BOOK_EVENTS, model=True)
        self.bus.subscribe("figures", self.figures.apply, FIGURES_EVENTS, model=True)
        self.sequence = Sequencer()
        self.entries: list = []

    def apply(self, *events: ev.Event) -> None:
        for event in events:
            entry = self.sequence.next(event)
            self.entries.append(entry)
            self.bus.publish(entry)

    def total(self, by: str = "queue", key: str = "support") -> dict:
        return self.figures.totals(by)[key]


def call(c: Center, at: float, call_id: str, wait: float, talk: float, agent: str = "1001", **kw) -> None:
    """A caller routed, queued, answered after `wait`, talking `talk` seconds."""
    queue = kw.get("queue", "support")
    c.apply(
        ev.CallRouted(at, call_id, kw.get("caller", "+4930123"), "100", queue, kw.get("customer")),
        ev.CallerJoined(at, call_id, queue, kw.get("caller", "+4930123"), 1),
        ev.AgentRung(at + wait - 1, call_id, queue, agent),
        ev.CallAnswered(at + wait, call_id, queue, agent, wait, 1.0),
        ev.CallCompleted(at + wait + talk, call_id, queue, agent, wait, talk, "agent"),
    )


def abandon(c: Center, at: float, call_id: str, wait: float, queue: str = "support") -> None:
    c.apply(
        ev.CallerJoined(at, call_id, queue, "+4930999", 1),
        ev.CallerAbandoned(at + wait, call_id, queue, wait),
    )


def logged_in(c: Center, at: float, *agents: str) -> None:
    for agent in agents:
        c.apply(ev.AgentLoggedIn(at, agent, f"PJSIP/{agent}"))


def test_every_service_level_variant_by_its_definition():
    c = Center()
    logged_in(c, NINE - 60, "1001")
    call(c, NINE, "a", wait=10, talk=60)  # in T
    call(c, NINE + 200, "b", wait=40, talk=60)  # after T
    abandon(c, NINE + 400, "c", wait=2)  # short: apart, out of every rate
    abandon(c, NINE + 500, "d", wait=15)  # long, within T
    abandon(c, NINE + 600, "e", wait=50)  # long, after T
    t = c.total()
    assert (t["offered"], t["answered"], t["answered_in_sl"]) == (5, 2, 1)
    assert (t["abandoned"], t["short_abandoned"]) == (2, 1)
    assert t["service_level"] == 0.3333  # 1 / (2 answered + 1 abandoned after T)
    assert t["sl1"] == 0.5  # Asterisk's ServiceLevelPerf: in T / answered
    assert t["sl2"] == 0.6  # ServiceLevelPerf2: (1 answered + 2 abandoned in T) / (2 + 3 abandoned)
    assert t["sl_offered"] == 0.25  # 1 / (5 offered - 1 short)
    assert t["answer_rate"] == 0.5
    assert t["abandon_rate"] == 0.5  # 2 / (2 + 2): short ones left out
    assert t["asa"] == 25.0
    assert t["longest_wait"] == 50.0


def test_aht_is_talk_plus_after_call_work_and_occupancy_is_busy_over_staffed_time():
    c = Center()
    logged_in(c, NINE, "1001")
    call(c, NINE + 100, "a", wait=10, talk=120)  # 09:01:50-09:03:50 on the call, then 30 s wrap-up
    c.apply(ev.AgentWrappedUp(NINE + 260, "1001"))
    c.apply(ev.AgentLoggedOut(NINE + 600, "1001"))
    t = c.total()
    assert t["talk"] == 120.0 and t["acw"] == 30.0 and t["aht"] == 150.0
    agent = c.total("agent", "1001")
    # on the call from the answer (09:01:50) to its end (09:03:50), wrap-up 30 s; logged in 600 s
    assert agent["occupancy"] == pytest.approx(150 / 600, abs=1e-4)
    assert c.total("center", "all")["occupancy"] == agent["occupancy"]


def test_agent_time_is_cut_at_interval_boundaries_and_live_rows_count_time_so_far():
    c = Center()
    logged_in(c, NINE + 800, "1001")  # 100 s before 09:15
    rows = c.figures.rows("agent", 15, now=NINE + 1000)
    assert [r["label"] for r in rows] == ["09:00", "09:15"]
    assert [r["occupancy"] for r in rows] == [0.0, 0.0]
    c.apply(ev.AgentLoggedOut(NINE + 1000, "1001"))
    assert c.figures.rows("agent", 30)[0]["label"] == "09:00"


def test_a_call_spanning_intervals_counts_each_fact_where_it_happened():
    c = Center()
    logged_in(c, NINE, "1001")
    call(c, NINE + 890, "a", wait=20, talk=100)  # joined 09:14:50, answered 09:15:10
    rows = {r["label"]: r for r in c.figures.rows("queue", 15)}
    assert rows["09:00"]["offered"] == 1 and rows["09:00"]["answered"] == 0
    assert rows["09:15"]["answered"] == 1 and rows["09:15"]["offered"] == 0
    (half,) = c.figures.rows("queue", 30)
    assert (half["offered"], half["answered"], half["label"]) == (1, 1, "09:00")


def test_an_escalated_call_is_offered_at_each_line_and_not_closed_at_the_first():
    c = Center()
    logged_in(c, NINE, "1001", "1002")
    c.apply(
        ev.CallRouted(NINE, "x", "+4930123", "100", "support"),
        ev.CallerJoined(NINE, "x", "support", "+4930123", 1),
        ev.AgentRung(NINE + 4, "x", "support", "1001"),
        ev.CallAnswered(NINE + 5, "x", "support", "1001", 5, 1),
        ev.CallEscalated(NINE + 60, "x", "support", "support-2", "1001", "technical"),
        ev.CallCompleted(NINE + 61, "x", "support", "1001", 5, 56, "transfer"),
        ev.CallerJoined(NINE + 62, "x", "support-2", "+4930123", 1),
        ev.AgentRung(NINE + 70, "x", "support-2", "1002"),
        ev.CallAnswered(NINE + 72, "x", "support-2", "1002", 10, 1),
        ev.CallCompleted(NINE + 300, "x", "support-2", "1002", 10, 228, "agent"),
    )
    first, second = c.total("line", "1"), c.total("line", "2")
    assert (first["offered"], first["escalated"], first["closed_here"]) == (1, 1, 0.0)
    assert (second["offered"], second["escalated"], second["closed_here"]) == (1, 0, 1.0)
    assert first["escalation_rate"] == 1.0
    assert c.total("center", "all")["offered"] == 2


def test_fcr_is_taken_back_when_the_customer_calls_again_within_the_window():
    c = Center()
    logged_in(c, NINE, "1001")
    call(c, NINE, "a", wait=5, talk=60, customer=7)
    c.apply(ev.CallWrappedUp(NINE + 70, "a", "1001", "fixed", True, False))
    call(c, NINE + 100, "b", wait=5, talk=60, customer=8, caller="+4930555")
    c.apply(ev.CallWrappedUp(NINE + 170, "b", "1001", "fixed", True, False))
    assert c.total()["fcr"] == 1.0
    call(c, NINE + 1800, "c", wait=5, talk=60, customer=7)  # 7 again within the hour
    t = c.total()
    assert (t["fcr"], t["resolution_rate"]) == (0.5, 1.0)  # 1 of 2 coded; c is not coded yet
    call(c, NINE + 9000, "d", wait=5, talk=60, customer=8, caller="+4930555")  # after the window
    assert c.total()["fcr"] == 0.5


def test_a_wrap_up_of_a_call_the_agent_did_not_answer_counts_nothing():
    c = Center()
    logged_in(c, NINE, "1001")
    call(c, NINE, "a", wait=5, talk=60)
    c.apply(ev.CallWrappedUp(NINE + 70, "a", "1002", "fixed", True, False))
    c.apply(ev.CallWrappedUp(NINE + 71, "a", "1001", "fixed", False, True))
    c.apply(ev.CallWrappedUp(NINE + 72, "a", "1001", "fixed", True, False))  # coded twice: once
    t = c.total()
    assert (t["resolution_rate"], t["fcr"]) == (0.0, 0.0)


def test_conversion_rate_on_sales_queues_only_and_survey_score_ignores_out_of_range():
    c = Center()
    logged_in(c, NINE, "1001")
    for n, code in enumerate(["sold", "no_sale", "sold", "sold"]):
        call(c, NINE + n * 200, f"s{n}", wait=5, talk=60, queue="sales", caller=f"+49301{n}")
        c.apply(ev.CallWrappedUp(NINE + n * 200 + 70, f"s{n}", "1001", code, True, False))
    c.apply(ev.SurveyAnswered(NINE + 80, "s0", "sales", "1001", 1, 4))
    c.apply(ev.SurveyAnswered(NINE + 81, "s0", "sales", "1001", 2, 5))
    c.apply(ev.SurveyAnswered(NINE + 82, "s0", "sales", "1001", 2, 9))
    sales = c.total("queue", "sales")
    assert sales["conversion_rate"] == 0.75
    assert (sales["survey_score"], sales["surveys"]) == (4.5, 2)
    assert c.total("agent", "1001")["survey_score"] == 4.5
    call(c, NINE + 3000, "p", wait=5, talk=60)
    c.apply(ev.CallWrappedUp(NINE + 3070, "p", "1001", "sold", True, False))
    assert c.total()["conversion_rate"] is None


def test_timed_out_and_callbacks_count_apart():
    c = Center()
    c.apply(
        ev.CallerJoined(NINE, "t", "support", "+4930123", 1),
        ev.QueueExited(NINE + 600, "t", "support", "TIMEOUT"),
        ev.CallerJoined(NINE + 10, "k", "support", "+4930124", 2),
        ev.CallbackBooked(NINE + 40, "k", "support", "cb-1"),
    )
    t = c.total()
    assert (t["offered"], t["timed_out"], t["callbacks"], t["callback_rate"]) == (2, 1, 1, 0.5)


def test_a_restart_mid_interval_gives_the_figures_of_a_straight_run():
    straight = Center()
    logged_in(straight, NINE, "1001")
    call(straight, NINE + 100, "a", wait=10, talk=100)
    half = len(straight.entries)
    abandon(straight, NINE + 400, "b", wait=30)
    call(straight, NINE + 500, "c", wait=25, talk=80)
    straight.apply(ev.CallWrappedUp(NINE + 700, "c", "1001", "fixed", True, False))

    restarted = Center()
    for entry in straight.entries[:half]:
        restarted.bus.publish(entry)
    last = straight.entries[half - 1]
    mark = checkpoint.mark_of(last)
    body = checkpoint.capture({"book": restarted.book, "figures": restarted.figures}, last.seq, mark)
    again = Center()
    checkpoint.restore({"book": again.book, "figures": again.figures}, body, last.seq, lambda seq: mark)
    for entry in straight.entries[half:]:
        again.bus.publish(entry)
    for by in ("queue", "line", "agent", "center"):
        assert again.figures.rows(by, 15) == straight.figures.rows(by, 15)


def test_a_new_day_starts_from_zero_and_every_row_has_every_figure():
    c = Center()
    call(c, NINE, "a", wait=5, talk=60)
    (row,) = c.figures.rows("queue", 60)
    assert set(FIGURE_NAMES) <= set(row) and row["label"] == "09:00"
    call(c, NINE + 86400, "b", wait=5, talk=60)
    assert c.total()["offered"] == 1
    with pytest.raises(ValueError):
        c.figures.rows("team", 15)


@pytest.mark.parametrize("day", [dt.date(2026, 3, 29), dt.date(2026, 10, 25)])  # 23 and 25 hours
def test_on_a_dst_day_agent_time_is_cut_at_the_wall_clocks_intervals(day):
    c = Center()
    eight = dt.datetime.combine(day, dt.time(8), BERLIN.tz).timestamp()
    logged_in(c, eight, "1001")
    c.apply(ev.AgentLoggedOut(eight + 3600, "1001"))  # ready 08:00-09:00 local
    slots = c.figures.day.agents["1001"]
    assert {slot: tally.available for slot, tally in slots.items()} == {32: 900, 33: 900, 34: 900, 35: 900}


@pytest.mark.parametrize("day", [dt.date(2026, 3, 29), dt.date(2026, 10, 25)])
def test_on_a_dst_day_a_rows_start_is_the_instant_its_label_names(day):
    c = Center()
    hours = [dt.datetime.combine(day, dt.time(h), BERLIN.tz).timestamp() for h in (1, 8, 23)]
    for i, at in enumerate(hours):
        call(c, at + 300, f"c{i}", wait=5, talk=60)
    rows = c.figures.rows("queue", 60)
    assert [(r["label"], r["start"], r["end"]) for r in rows] == [
        ("01:00", hours[0], hours[0] + 3600),
        ("08:00", hours[1], hours[1] + 3600),
        ("23:00", hours[2], hours[2] + 3600),  # the day's last hour, up to its midnight
    ]
