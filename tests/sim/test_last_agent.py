"""Repeat callers: the last agent rings first when the core's routing.last_agent_queue says so
(that agent ready), for the configured ring, then the line's queue in the caller's place."""

from __future__ import annotations

import dataclasses
import random

from acd.core import events as ev
from acd.core import routing, tiers
from acd.sim import arrivals, center, engine, stats
from acd.sim.scenario import AgentGroup, QueueSpec, Scenario, Service

FIXED = Service(100.0, "lognormal", 0.0)  # every talk exactly 100 s


def two_agents(**knobs: float) -> Scenario:
    return Scenario((QueueSpec("q", service=FIXED),), (AgentGroup("all", ("q",), (2,)),), **knobs)  # type: ignore[arg-type]


def answers(scenario: Scenario, calls: list[arrivals.Arrival]) -> tuple[list[ev.CallAnswered], engine.Result]:
    trace: list[ev.Event] = []
    result = engine.simulate(scenario, calls, random.Random(1), trace)
    return [e for e in trace if isinstance(e, ev.CallAnswered)], result


def test_the_core_offers_the_last_agent_only_when_ready():
    assert routing.last_agent_queue("1001", lambda a: a == "1001") == tiers.personal_queue("1001")
    assert routing.last_agent_queue("1001", lambda a: False) is None
    assert routing.last_agent_queue(None, lambda a: True) is None


def test_an_idle_last_agent_takes_the_caller_a_busy_one_is_skipped_at_once():
    calls = [
        arrivals.Arrival(0.0, "q"),  # all-1 (longest idle) until 100
        arrivals.Arrival(200.0, "q", last_agent="all-1"),  # all-2 idles longest, but all-1 is ready
        arrivals.Arrival(210.0, "q", last_agent="all-1"),  # all-1 busy: all-2 at once, no wait
    ]
    got, result = answers(two_agents(), calls)
    assert [(e.agent, e.hold_time) for e in got] == [("all-1", 0.0), ("all-1", 0.0), ("all-2", 0.0)]
    tally = result.tally()
    assert (tally.offered, tally.answered, tally.repeat, tally.last_agent_answered) == (3, 3, 2, 1)


def test_without_a_last_agent_the_longest_idle_agent_answers():
    calls = [arrivals.Arrival(0.0, "q"), arrivals.Arrival(200.0, "q")]
    got, _ = answers(two_agents(), calls)
    assert [e.agent for e in got] == ["all-1", "all-2"]


def test_a_last_agent_who_does_not_answer_in_time_passes_the_caller_on_in_their_place():
    calls = [arrivals.Arrival(0.0, "q"), arrivals.Arrival(200.0, "q", last_agent="all-1")]
    # a 10 s ring outlasts the 8 s personal offer: 8 s on all-1, then all-2 rings 10 s
    got, result = answers(two_agents(ring=10.0, last_agent_ring=8.0), calls)
    assert [(e.agent, e.hold_time) for e in got] == [("all-1", 10.0), ("all-2", 18.0)]
    assert result.tally().last_agent_answered == 0


def test_a_last_agent_who_logged_out_is_not_waited_for():
    calls = [arrivals.Arrival(0.0, "q", last_agent="gone-7")]
    got, result = answers(two_agents(), calls)
    assert [e.agent for e in got] == ["all-1"] and result.tally().repeat == 1


def test_a_recorded_day_names_the_last_agent():
    day = [(200.0, "q", 0, "all-2"), (0.0, "q", 0)]
    replayed = list(arrivals.recorded(day))
    assert [(a.time, a.last_agent) for a in replayed] == [(0.0, None), (200.0, "all-2")]


def test_with_one_agent_every_repeat_caller_gets_their_last_agent():
    scenario = Scenario(
        (QueueSpec("q", service=Service(60.0)),),
        (AgentGroup("a", ("q",), (1,)),),
        intervals=4,
        repeat_share=1.0,
    )
    rng = random.Random(3)
    tally = engine.simulate(scenario, arrivals.poisson(rng, {"q": [8.0] * 4}), rng).tally()
    assert tally.answered == tally.offered > 5
    assert tally.repeat == tally.last_agent_answered == tally.answered - 1  # the first had none yet


def test_share_zero_draws_nothing_and_changes_nothing():
    knobs = center.Knobs(calls=(100.0,) * 4, agents=(20,), aht=180.0, patience=200.0, no_answer=0.2)
    runs = [
        stats.replicate(*center.build(k), 5, 2) for k in (knobs, dataclasses.replace(knobs, repeat_share=0.0))
    ]
    assert [r.tallies for r in runs[0]] == [r.tallies for r in runs[1]]
    assert all(t.repeat == 0 for r in runs[0] for t in r.tallies.values())


def test_a_share_of_repeat_callers_are_answered_by_their_last_agent_deterministically():
    knobs = center.Knobs(calls=(60.0,) * 8, agents=(12,), aht=120.0, repeat_share=0.4)
    first, again = (stats.replicate(*center.build(knobs), 2, 3) for _ in range(2))
    assert [r.tallies for r in first] == [r.tallies for r in again]
    day = stats.summary(first)
    repeat, answered = day["repeat"], day["last_agent_answered"]
    assert repeat is not None and answered is not None
    assert 0.3 < repeat.mean / day["offered"].mean < 0.5  # type: ignore[union-attr]
    assert 0 < answered.mean <= repeat.mean
