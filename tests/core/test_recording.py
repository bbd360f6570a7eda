"""The recording policy (shares per agent, queue, new agents) and one take's pauses."""

from __future__ import annotations

import datetime as dt

from acd.core.recording import Policy, Take, always_recorded, choose, retention_cutoff, share_for

TODAY = dt.date(2026, 12, 1)
POLICY = Policy(
    share=0.1,
    queues={"support-3": 1.0, "sales": 0.0},
    lines={2: 0.3},
    agents={"1004": 0.25},
    new_agents=0.5,
    new_agent_days=90,
    retention_days=30,
    line_of={"support": 1, "support-2": 2, "support-3": 3, "sales": 1, "billing-2": 2},
)


def test_the_agents_own_share_wins():
    assert share_for(POLICY, "support-3", "1004", None, TODAY) == (0.25, "agent 1004")


def test_the_queue_share_then_the_line_then_the_default():
    assert share_for(POLICY, "support-3", "1001", None, TODAY) == (1.0, "queue support-3")
    assert share_for(POLICY, "billing-2", "1001", None, TODAY) == (0.3, "line 2")
    assert share_for(POLICY, "support", "1001", None, TODAY) == (0.1, "all calls")
    assert share_for(POLICY, "sales", "1001", None, TODAY) == (0.0, "queue sales")


def test_new_agents_are_sampled_more():
    recent, old = TODAY - dt.timedelta(days=10), TODAY - dt.timedelta(days=400)
    assert share_for(POLICY, "support", "2003", recent, TODAY) == (0.5, "new agent")
    assert share_for(POLICY, "support", "2003", old, TODAY) == (0.1, "all calls")
    assert share_for(POLICY, "support-3", "2003", recent, TODAY) == (1.0, "queue support-3")  # never less
    assert share_for(POLICY, "support", "2003", TODAY - dt.timedelta(days=90), TODAY)[1] == "all calls"


def test_the_draw_decides_inside_the_share():
    assert choose(POLICY, "support", "1001", None, TODAY, draw=0.05).record
    assert not choose(POLICY, "support", "1001", None, TODAY, draw=0.1).record
    assert choose(POLICY, "support-3", "1001", None, TODAY, draw=0.999).record
    assert not choose(POLICY, "sales", "1001", None, TODAY, draw=0.0).record


def test_queues_recorded_whoever_answers():
    """What the dialplan records on its own while the daemon is down."""
    assert always_recorded(POLICY, ["support", "support-3", "sales"]) == ["support-3"]
    assert always_recorded(Policy(share=1.0, queues={"sales": 0.2}), ["support", "sales"]) == ["support"]


def test_retention_cutoff():
    assert retention_cutoff(100 * 86400.0, 30) == 70 * 86400.0


def test_pauses_add_up_and_repeat_presses_change_nothing():
    take = Take("t", "call", "1001", "PJSIP/1001-1", "x.wav", 0.0, "queue support")
    paused = take.pause(10.0)
    assert paused.paused and paused.pause(11.0) == paused
    resumed = paused.resume(14.0)
    assert (resumed.paused, resumed.paused_s) == (False, 4.0) and resumed.resume(15.0) == resumed
    assert resumed.pause(20.0).paused_until(22.5) == 6.5  # a pause still running at the end
