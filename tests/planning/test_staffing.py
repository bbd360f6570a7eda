"""Agents, seats and trunk channels per interval: the published 10-Erlang example's 14 agents
(20 with 30 % shrinkage), the occupancy cap, Erlang A's fewer agents, and the lines' load."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acd.planning import erlang
from acd.planning.staffing import Targets, agents_needed, channels_needed, figures, plan_day, plan_interval


def test_the_published_example_needs_fourteen_agents_and_twenty_seats():
    """100 calls per 30 min at 180 s, 80/20 (ErlangC 0.1.0's README, see test_erlang.py):
    13 agents give 79.6 %, 14 give 88.8 %; 14 / (1 - 0.3) = 20 seats."""
    plan = plan_interval(100, 180, 1800, Targets())
    assert (plan.erlangs, plan.agents, plan.scheduled) == (10.0, 14, 20)
    assert plan.figures.service_level == pytest.approx(0.88835, abs=5e-6)
    assert plan.figures.asa == pytest.approx(7.835937, abs=1e-6) and plan.figures.abandon is None


def test_the_occupancy_cap_adds_agents_the_service_level_does_not_need():
    """At 200 Erlangs 80/20 is met near 96 % occupancy; a 90 % cap asks for ceil(200/0.9)."""
    loose = agents_needed(200.0, 300, Targets(max_occupancy=1.0))
    assert erlang.occupancy(loose, 200.0) > 0.9
    assert agents_needed(200.0, 300, Targets()) == math.ceil(200 / 0.9)


def test_erlang_a_needs_no_more_agents_than_erlang_c():
    c = agents_needed(30.0, 300, Targets())
    a = agents_needed(30.0, 300, Targets(patience=120))
    assert a <= c
    shown = plan_interval(360, 300, 3600, Targets(patience=120)).figures
    assert shown.abandon is not None and 0 < shown.abandon < 0.1 and shown.service_level >= 0.8


def test_an_empty_interval_needs_nobody_and_no_line():
    plan = plan_interval(0, 300, 1800, Targets())
    assert (plan.agents, plan.scheduled, plan.trunks) == (0, 0, 0)


def test_trunks_carry_talk_wait_and_ivr_with_headroom():
    """load = calls (AHT + mean wait + IVR) / interval; Erlang B at 1 %, times 1.5."""
    targets = Targets(ivr_seconds=60, trunk_limit=40)
    plan = plan_interval(100, 180, 1800, targets)
    load = 100 * (180 + plan.figures.asa + 60) / 1800
    assert plan.trunk_erlangs == pytest.approx(load)
    raw = channels_needed(load, 0.01)
    assert erlang.erlang_b(raw, load) <= 0.01 < erlang.erlang_b(raw - 1, load)
    assert plan.trunks == math.ceil(raw * 1.5) and plan.over_limit == (plan.trunks > 40)
    assert plan_interval(100, 180, 1800, Targets(trunk_limit=200)).over_limit is False


def test_erlang_b_channels_against_the_table():
    """The table's 1 % column: 10 lines carry 4.46 E, 20 lines 12.03 E (a hair more needs one more)."""
    assert channels_needed(4.46, 0.01) == 10 and channels_needed(4.50, 0.01) == 11
    assert channels_needed(12.03, 0.01) == 20


@pytest.mark.parametrize(
    "bad",
    [
        {"service_level": 1.0},
        {"max_occupancy": 0},
        {"shrinkage": 1.0},
        {"patience": 0},
        {"trunk_headroom": 0.5},
        {"blocking": 0},
        {"trunk_limit": 0},
    ],
)
def test_targets_refuse_nonsense(bad):
    with pytest.raises(ValueError):
        Targets(**bad)


def test_a_day_is_planned_in_order():
    plans = plan_day([(50, 180), (100, 180), (0, 180)], 1800, Targets())
    assert [p.agents for p in plans] == [agents_needed(5.0, 180, Targets()), 14, 0]
    with pytest.raises(ValueError):
        plan_interval(-1, 180, 1800, Targets())


@settings(max_examples=40, deadline=None)
@given(calls=st.floats(1, 2000), aht=st.floats(60, 900), patience=st.one_of(st.none(), st.floats(20, 900)))
def test_the_plan_meets_its_targets_with_the_fewest_agents(calls, aht, patience):
    targets = Targets(patience=patience)
    plan = plan_interval(calls, aht, 1800, targets)
    assert plan.figures.service_level >= 0.8 and plan.figures.occupancy <= 0.9 + 1e-12
    fewer = plan_interval(calls, aht, 1800, targets).agents - 1
    if fewer >= 1 and (patience is not None or fewer > plan.erlangs):
        one_less = figures(fewer, plan.erlangs, aht, targets)
        assert one_less.service_level < 0.8 or one_less.occupancy > 0.9


@pytest.mark.parametrize("patience", [None, 45.0, 600.0])
def test_the_search_agrees_with_counting_up_one_agent_at_a_time(patience):
    targets = Targets(patience=patience)
    for erlangs in (0.3, 2.5, 10.0, 33.3, 120.0):
        agents = 1
        while True:
            shown = figures(agents, erlangs, 240, targets)
            if shown.service_level >= 0.8 and shown.occupancy <= 0.9:
                break
            agents += 1
        assert agents_needed(erlangs, 240, targets) == agents, erlangs


def test_a_very_large_center_is_planned_at_once():
    """3333 Erlangs (20000 calls per half hour at 300 s), Erlang A: a bisection, not a crawl."""
    plan = plan_interval(20000, 300, 1800, Targets(patience=300))
    assert plan.agents == 3704 and plan.figures.service_level >= 0.8
