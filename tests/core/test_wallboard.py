"""The wallboard's figures, each by its written definition (acd/core/wallboard.py), replayed
from one scripted day through the same bus order as the daemon's."""

from __future__ import annotations

import datetime as dt

import pytest

from acd.config_journal import Days
from acd.core import events as ev
from acd.core.agent_book import AGENT_BOOK_EVENTS, AgentBook, seats
from acd.core.bus import Bus
from acd.core.center import CENTER_EVENTS, CallCenter
from acd.core.journal import Sequencer
from acd.core.wallboard import WALLBOARD_EVENTS, Wallboard

BERLIN = Days("Europe/Berlin")
MORNING = BERLIN.midnight(dt.date(2026, 12, 2)) + 9 * 3600  # 09:00 local
WRAPUP = 30.0


class Center:
    """The center, the agents book and the wall on one bus, as acd/service.py wires them."""

    def __init__(self, days: Days = BERLIN, short_abandon: float = 5.0) -> None:
        self.center = CallCenter({"support": 20.0, "sales": 30.0}, lines={"support": 1, "sales": 2})
        self.book = AgentBook(seats([("1001", "1001"), ("1002", "1002")]), {"support": WRAPUP})
        self.wall = Wallboard(self.center, self.book, days, short_abandon=short_abandon)
        self.bus = Bus(lambda name, entry, exc: (_ for _ in ()).throw(exc))
        self.bus.subscribe("core", self.center.apply, CENTER_EVENTS, model=True)
        self.bus.subscribe("agents", self.book.apply, AGENT_BOOK_EVENTS, model=True)
        self.bus.subscribe("wallboard", self.wall.apply, WALLBOARD_EVENTS, model=True)
        self.sequence = Sequencer()
        self.entries: list = []

    def apply(self, *events: ev.Event) -> None:
        for event in events:
            entry = self.sequence.next(event)
            self.entries.append(entry)
            self.bus.publish(entry)

    def snapshot(self, now: float) -> dict:
        return self.wall.snapshot(now, self.center.lines, ["1001", "1002"])


def members(at: float) -> list[ev.Event]:
    return [
        ev.MemberChanged(at, queue, agent, f"PJSIP/{agent}", "not_in_use", False, False, 0)
        for queue in ("support", "sales")
        for agent in ("1001", "1002")
    ]


def answered_call(t: float, call: str, agent: str, wait: float, talk: float, queue="support") -> list:
    return [
        ev.CallerJoined(t, call, queue, "0301234", 1),
        ev.AgentRung(t + wait - 2, call, queue, agent),
        ev.CallAnswered(t + wait, call, queue, agent, wait, 2.0),
        ev.CallerLeft(t + wait, call, queue),
        ev.CallCompleted(t + wait + talk, call, queue, agent, wait, talk, "caller"),
    ]


def abandoned_call(t: float, call: str, wait: float, queue="support") -> list:
    return [ev.CallerJoined(t, call, queue, "0309999", 1), ev.CallerAbandoned(t + wait, call, queue, wait)]


@pytest.fixture
def day() -> Center:
    """support, T = 20 s: one call answered in 10 s (talk 100, wrap-up 30), one in 40 s (talk
    200, wrap-up 12 until the agent paused), a short abandon (3 s), an abandon (30 s), a timeout."""
    made = Center()
    made.apply(*members(MORNING - 60))
    made.apply(*answered_call(MORNING, "c1", "1001", 10, 100))
    made.apply(ev.AgentWrappedUp(MORNING + 110 + WRAPUP, "1001"))
    made.apply(*answered_call(MORNING + 200, "c2", "1002", 40, 200))
    made.apply(ev.AgentPaused(MORNING + 440 + 12, "1002", "break"))
    made.apply(*abandoned_call(MORNING + 500, "c3", 3))
    made.apply(*abandoned_call(MORNING + 600, "c4", 30))
    made.apply(ev.CallerJoined(MORNING + 700, "c5", "support", "0305555", 1))
    made.apply(ev.QueueExited(MORNING + 760, "c5", "support", "TIMEOUT"))
    return made


def test_each_figure_names_its_numerator_and_denominator(day):
    support = day.snapshot(MORNING + 900)["queues"]["support"]
    assert support["offered"] == 5
    assert (support["answered"], support["answered_in_sl"]) == (2, 1)
    assert (support["abandoned"], support["short_abandoned"], support["timed_out"]) == (1, 1, 1)
    assert support["service_level"] == round(1 / 3, 4)  # in T / (answered + abandoned after T)
    assert support["sl1"] == 0.5  # in T / answered
    assert support["sl2"] == 0.5  # (in T + the 3 s abandon) / (answered + every abandon)
    assert support["sl_offered"] == 0.25  # in T / (offered - short abandons)
    assert support["abandon_rate"] == round(1 / 3, 4)  # abandoned / (answered + abandoned)
    assert support["asa"] == 25.0  # (10 + 40) / 2
    assert support["aht"] == (100 + WRAPUP + 200 + 12) / 2  # (talk + after-call work) / completed


def test_a_short_abandon_threshold_of_zero_counts_every_abandon():
    made = Center(short_abandon=0.0)
    made.apply(*abandoned_call(MORNING, "c1", 1))
    assert made.snapshot(MORNING + 10)["queues"]["support"]["abandoned"] == 1


def test_waiting_now_and_the_longest_wait_come_from_the_queue():
    made = Center()
    made.apply(ev.CallerJoined(MORNING, "c1", "sales", "0301", 1))
    made.apply(ev.CallerJoined(MORNING + 20, "c2", "sales", "0302", 2))
    sales = made.snapshot(MORNING + 50)["queues"]["sales"]
    assert (sales["waiting"], sales["longest_wait"]) == (2, 50.0)
    assert [c["caller_id"] for c in sales["callers"]] == ["0301", "0302"]
    assert made.snapshot(MORNING + 50)["lines"]["2"]["waiting"] == 2


def test_a_caller_found_again_by_a_resync_is_offered_once():
    made = Center()
    made.apply(ev.CallerJoined(MORNING, "c1", "sales", "0301", 1))
    made.apply(ev.ResyncStarted(MORNING + 5), ev.CallerWaiting(MORNING + 5, "c1", "sales", "0301", 1, 5.0))
    made.apply(ev.ResyncFinished(MORNING + 5, ("sales",)))
    assert made.snapshot(MORNING + 6)["queues"]["sales"]["offered"] == 1


def test_agents_by_state_and_the_grid(day):
    snap = day.snapshot(MORNING + 900)
    assert snap["queues"]["support"]["agents"]["ready"] == 1
    assert snap["queues"]["support"]["agents"]["paused"] == 1
    grid = {a["number"]: a for a in snap["agents"]}
    assert grid["1002"]["state"] == "paused" and grid["1002"]["reason"] == "break"
    assert grid["1002"]["in_state"] == 900 - 452
    assert (grid["1001"]["handled"], grid["1002"]["handled"]) == (1, 1)


def test_the_wrap_up_countdown_is_shown_while_it_runs():
    made = Center()
    made.apply(*members(MORNING - 60), *answered_call(MORNING, "c1", "1001", 5, 60))
    agent = next(a for a in made.snapshot(MORNING + 75)["agents"] if a["number"] == "1001")
    assert agent["state"] == "wrap_up" and agent["wrap_up_left"] == WRAPUP - 10


def test_lines_and_the_center_count_each_agent_once_by_state(day):
    lines = day.snapshot(MORNING + 900)["lines"]
    # 1001 and 1002 serve support (line 1) and sales (line 2): each counts once per line and once
    # for the center, not once per queue
    for key in ("1", "2", "all"):
        assert lines[key]["agents"]["ready"] == 1 and lines[key]["agents"]["paused"] == 1
        assert sum(lines[key]["agents"].values()) == 2


def test_lines_and_the_center_add_their_queues_up(day):
    day.apply(*answered_call(MORNING + 800, "s1", "1001", 5, 50, queue="sales"))
    lines = day.snapshot(MORNING + 1000)["lines"]
    assert lines["1"]["offered"] == 5 and lines["2"]["offered"] == 1
    assert lines["all"]["offered"] == 6 and lines["all"]["answered_in_sl"] == 2
    assert lines["all"]["service_level"] == 0.5


def test_intervals_are_fifteen_minutes_from_local_midnight(day):
    series = day.snapshot(MORNING + 900)["intervals"]
    assert len(series["starts"]) == 9 * 4 + 2  # 00:00 .. 09:15, now 09:15
    at_nine = 9 * 4
    assert series["starts"][at_nine] == 9 * 3600
    assert series["support"]["offered"][at_nine] == 5
    assert series["support"]["answered"][at_nine] == 2
    assert series["support"]["service_level"][at_nine] == round(1 / 3, 4)
    assert series["all"]["offered"][at_nine - 1] == 0
    assert series["support"]["service_level"][0] is None  # nothing to divide by


def test_a_call_counts_in_the_interval_it_happened_in():
    made = Center()
    made.apply(*answered_call(MORNING + 890, "c1", "1001", 20, 60))  # joins 09:14:50, answered 09:15:10
    series = made.snapshot(MORNING + 1000)["intervals"]["support"]
    assert series["offered"][36:38] == [1, 0] and series["answered"][36:38] == [0, 1]


def test_the_day_starts_again_at_local_midnight_not_utc():
    made = Center()
    before = BERLIN.midnight(dt.date(2026, 12, 3)) - 300  # 23:55 local, 22:55 UTC
    made.apply(*answered_call(before, "late", "1001", 5, 60))
    assert made.snapshot(before + 100)["queues"]["support"]["offered"] == 1
    after = before + 600  # 00:05 next day
    assert made.snapshot(after)["queues"]["support"]["offered"] == 0  # a new day, no event yet
    made.apply(*abandoned_call(after, "early", 10))
    snap = made.snapshot(after + 60)
    assert snap["queues"]["support"]["offered"] == 1 and snap["queues"]["support"]["answered"] == 0
    assert snap["day_start"] == BERLIN.midnight(dt.date(2026, 12, 3))
    assert snap["intervals"]["support"]["offered"] == [1]
    handled = {a["number"]: a["handled"] for a in snap["agents"]}
    assert handled["1001"] == 0


def test_on_the_day_the_clocks_go_back_intervals_follow_the_wall_clock():
    autumn = BERLIN.midnight(dt.date(2026, 10, 25))  # 25 hours; 02:00-03:00 twice
    made = Center()
    made.apply(*abandoned_call(autumn + 2.5 * 3600, "first", 10))  # 02:30 CEST
    made.apply(*abandoned_call(autumn + 3.5 * 3600, "again", 10))  # 02:30 CET
    made.apply(*abandoned_call(autumn + 13 * 3600, "noon", 10))  # 12:00 CET
    series = made.snapshot(autumn + 13 * 3600 + 60)["intervals"]
    assert len(series["starts"]) == 12 * 4 + 1
    assert series["support"]["offered"][10] == 2  # both 02:30s
    assert series["support"]["offered"][48] == 1


def test_replaying_the_journal_folds_the_same_wall_back():
    """A restart replays the day into fresh models (Bus.replay): the same wall, figure for figure."""
    live = Center()
    live.apply(*members(MORNING - 60), *answered_call(MORNING, "c1", "1001", 10, 100))
    live.apply(*abandoned_call(MORNING + 300, "c2", 30))
    again = Center()
    for entry in live.entries:
        again.bus.replay(entry)
    assert again.snapshot(MORNING + 900) == live.snapshot(MORNING + 900)


def test_the_hosts_zone_when_none_is_configured():
    made = Center(days=Days())
    made.apply(*abandoned_call(MORNING, "c1", 10))
    snap = made.snapshot(MORNING + 60)
    assert snap["day_start"] == Days().start(MORNING)
