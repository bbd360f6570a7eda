"""The routing decision: eligibility by line and wait, order, expected wait."""

from __future__ import annotations

from acd.core.dispatch import Roster
from acd.core.tiers import Line

LINES = [Line("support", 1, "support-2", 30), Line("support-2", 2), Line("sales", 1)]


def roster() -> Roster:
    r = Roster(LINES)
    r.log_in("a1", ["support"])
    r.log_in("a2", ["support"])
    r.log_in("b1", ["support-2"])
    return r


def test_first_line_only_before_overflow():
    d = roster().decide("support", 5, 1, {"a1": 40.0}, 180)
    assert d.agents == ("a2",) and d.expected_wait == 0.0


def test_second_line_joins_after_overflow_time_behind_the_first():
    d = roster().decide("support", 31, 1, {}, 180)
    assert d.agents == ("a1", "a2", "b1")


def test_everyone_busy_gives_the_expected_wait():
    d = roster().decide("support", 0, 2, {"a1": 40.0, "a2": 100.0}, 180)
    assert d.agents == () and d.expected_wait == 100.0


def test_logged_out_agents_are_gone_and_empty_queue_has_no_estimate():
    r = roster()
    r.log_out("b1")
    assert r.decide("support-2", 0, 1, {}, 180).expected_wait is None
