"""The simulator's mechanics and its "what if" knobs, each in the direction it must move."""

from __future__ import annotations

import random

from acd.sim import arrivals, center, engine, stats
from acd.sim.scenario import AgentGroup, CallbackOffer, QueueSpec, Scenario, Service, one_queue


def day(knobs: center.Knobs, seed: int = 3, replications: int = 4) -> list[engine.Result]:
    scenario, feed = center.build(knobs)
    return stats.replicate(scenario, feed, seed, replications)


def sl(results: list[engine.Result], first: int = 0, last: int | None = None) -> float:
    estimate = stats.summary(results, first, last)["service_level"]
    assert estimate is not None
    return estimate.mean


BUSY = center.Knobs(calls=(100.0,) * 8, agents=(20,), aht=180.0)  # 0.93 of 20 agents


def test_the_same_seed_gives_the_same_day_and_another_seed_another():
    first, again, other = day(BUSY, seed=5), day(BUSY, seed=5), day(BUSY, seed=6)
    assert [r.tallies for r in first] == [r.tallies for r in again]
    assert [r.busy for r in first] == [r.busy for r in again]
    assert [r.tallies for r in first] != [r.tallies for r in other]


def test_an_earlier_overflow_to_a_second_line_raises_the_service_level():
    base = center.Knobs(calls=(110.0,) * 8, agents=(20,), aht=180.0, second_line=(4,))
    late = sl(day(center.Knobs(**{**base.__dict__, "overflow_after": 60.0})))
    early = sl(day(center.Knobs(**{**base.__dict__, "overflow_after": 10.0})))
    alone = sl(day(center.Knobs(**{**base.__dict__, "second_line": ()})))
    assert alone < late < early


def test_more_agents_in_one_interval_lift_that_interval():
    plan = [20] * 8
    more = [*plan[:4], 24, *plan[5:]]
    before = day(center.Knobs(calls=(100.0,) * 8, agents=tuple(plan)))
    after = day(center.Knobs(calls=(100.0,) * 8, agents=tuple(more)))
    assert sl(after, 4, 4) > sl(before, 4, 4) + 0.05


def test_vip_callers_are_served_first():
    scenario = Scenario(
        (QueueSpec("q", service=Service(180.0)),), (AgentGroup("a", ("q",), (20,)),), intervals=8
    )
    rng = random.Random(2)
    calls = list(arrivals.poisson(rng, {"q": [100.0] * 8}, vip_share=0.1))
    waits = {0: [], 10: []}
    sim = engine.Simulation(scenario, calls, rng)
    answer = sim._connect

    def watched(agent, call):
        waits[call.priority].append(sim.now - call.arrival)
        answer(agent, call)

    sim._connect = watched  # type: ignore[method-assign]
    sim.run()
    assert sum(waits[10]) / len(waits[10]) < sum(waits[0]) / len(waits[0]) / 3


def test_a_callback_offer_turns_abandons_into_callbacks():
    base = center.Knobs(calls=(110.0,) * 8, agents=(20,), patience=120.0)
    without = stats.summary(day(base))
    offered = day(center.Knobs(**{**base.__dict__, "callback_after": 30.0, "callback_share": 0.5}))
    booked = sum(r.tally().callbacks for r in offered)
    done = sum(r.tally().callbacks_done for r in offered)
    assert booked > 100 and done > 0.5 * booked
    assert stats.summary(offered)["abandoned"].mean < without["abandoned"].mean


def test_failed_callbacks_follow_the_cores_rules():
    offer = CallbackOffer(after=20.0, share=1.0, answer_rate=0.0, ring=10.0)
    scenario = Scenario(
        (QueueSpec("q", service=Service(180.0)),),
        (AgentGroup("a", ("q",), (10,)),),
        intervals=3,
        callback=offer,
    )
    rng = random.Random(1)
    result = engine.simulate(scenario, arrivals.poisson(rng, {"q": [60.0, 60.0]}), rng)
    tally = result.tally()
    assert tally.callbacks > 0 and tally.callbacks_done == 0
    assert tally.callbacks_given_up == tally.callbacks  # nobody answers: each one given up after 3 tries


def test_a_recorded_day_is_replayed_as_it_happened():
    day_ = [(30.0, "q", 0), (10.0, "q", 0), (1000.0, "q", 5), (5.0, "q", 0)]
    scenario = one_queue([1, 1], aht=60.0)
    result = engine.simulate(scenario, arrivals.recorded(day_, start=8.0), random.Random(1))
    assert result.tally(0, 0).offered == 2 and result.tally(1, 1).offered == 1
    assert result.tally().answered == 3


def test_wrap_up_adds_to_occupancy_and_waits():
    plain = day(center.Knobs(calls=(80.0,) * 8, agents=(20,)))
    wrapped = day(center.Knobs(calls=(80.0,) * 8, agents=(20,), wrapup=30.0))
    assert stats.summary(wrapped)["occupancy"].mean > stats.summary(plain)["occupancy"].mean + 0.1
    assert sl(wrapped) < sl(plain)


def test_logged_out_agents_take_no_more_calls_and_callers_give_up():
    scenario = one_queue([5, 0], aht=60.0, patience=60.0)
    rng = random.Random(4)
    result = engine.simulate(scenario, arrivals.poisson(rng, {"q": [20.0, 20.0]}), rng)
    later = result.tally(1)  # their abandons may fall in the interval after
    assert later.answered == 0 and later.abandoned == later.offered > 0


def test_lognormal_talk_keeps_its_mean():
    draws = [Service(300.0, "lognormal", 1.5).draw(random.Random(i)) for i in range(20000)]
    assert abs(sum(draws) / len(draws) - 300.0) < 15.0


def test_the_queues_max_wait_sends_callers_on():
    queue = QueueSpec("q", service=Service(180.0), max_wait=60.0)
    scenario = Scenario((queue,), (AgentGroup("a", ("q",), (5,)),), intervals=4)
    rng = random.Random(3)
    tally = engine.simulate(scenario, arrivals.poisson(rng, {"q": [60.0] * 4}), rng).tally()
    assert tally.timed_out > 50 and tally.answered + tally.timed_out == tally.offered
    assert tally.wait_sum / tally.answered <= 60.0
