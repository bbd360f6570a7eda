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


def watch_connections(sim: engine.Simulation) -> list[tuple[str, str, float]]:
    """(agent's group, call's queue, the call's wait) for every call an agent takes."""
    seen: list[tuple[str, str, float]] = []
    answer = sim._connect

    def watched(agent, call):
        seen.append((agent.group, call.queue, sim.now - call.arrival))
        answer(agent, call)

    sim._connect = watched  # type: ignore[method-assign]
    return seen


def test_the_second_line_takes_a_first_line_caller_only_past_the_overflow():
    scenario, feed = center.build(center.Knobs(calls=(110.0,) * 6, agents=(20,), second_line=(3,)))
    rng = random.Random(5)
    sim = engine.Simulation(scenario, feed(rng), rng)
    seen = watch_connections(sim)
    sim.run()
    helped = [wait for group, queue, wait in seen if group == center.SECOND and queue == center.FIRST]
    assert len(helped) > 50 and min(helped) >= 30.0


def test_the_longest_idle_agent_takes_the_next_caller():
    scenario = one_queue([3], aht=100.0)
    calls = [arrivals.Arrival(t, "q") for t in (0.0, 10.0, 20.0, 900.0)]
    sim = engine.Simulation(scenario, calls, random.Random(1))
    taken: list[str] = []
    freed: list[str] = []
    answer, free = sim._connect, sim._free
    sim._connect = lambda agent, call: (taken.append(agent.id), answer(agent, call))[1]  # type: ignore[method-assign]
    sim.handlers[engine.FREE] = lambda agent: (freed.append(agent.id), free(agent))[1]
    sim.run()
    assert taken[:3] == ["all-1", "all-2", "all-3"]  # logged in in this order, all idle since 0
    assert len(freed) >= 3 and taken[3] == freed[0]  # at 900 s the first to have freed


def test_a_callback_is_offered_only_when_the_cores_expected_wait_is_long_enough():
    def booked(min_ewt: float) -> int:
        offer = CallbackOffer(after=20.0, share=1.0, min_ewt=min_ewt)
        scenario = Scenario(
            (QueueSpec("q", service=Service(180.0)),),
            (AgentGroup("a", ("q",), (20,)),),
            intervals=4,
            callback=offer,
        )
        rng = random.Random(7)
        return engine.simulate(scenario, arrivals.poisson(rng, {"q": [110.0] * 4}), rng).tally().callbacks

    assert booked(0.0) > booked(60.0) > booked(100_000.0) == 0


def test_the_ring_counts_in_the_wait_not_in_p_wait():
    quiet = stats.summary(day(center.Knobs(calls=(20.0,) * 4, agents=(20,), ring=5.0)))
    assert quiet["p_wait"].mean == 0.0 and abs(quiet["asa"].mean - 5.0) < 1e-9


def test_a_caller_may_hang_up_while_the_agent_rings():
    scenario = Scenario(
        (QueueSpec("q", service=Service(60.0)),), (AgentGroup("a", ("q",), (5,)),), patience=8.0, ring=10.0
    )
    rng = random.Random(1)
    tally = engine.simulate(scenario, arrivals.poisson(rng, {"q": [20.0]}), rng).tally()
    assert tally.abandoned > 10 and tally.answered > 0  # patience 8 s on average, a 10 s ring
    assert tally.answered + tally.abandoned == tally.offered


def test_unanswered_rings_cost_service_level_and_callers_keep_their_place():
    def run(no_answer: float) -> engine.Result:
        scenario = Scenario(
            (QueueSpec("q", service=Service(180.0), ring_timeout=15.0, retry=1.0),),
            (AgentGroup("a", ("q",), (20,)),),
            intervals=8,
            no_answer=no_answer,
        )
        rng = random.Random(9)
        return engine.simulate(scenario, arrivals.poisson(rng, {"q": [90.0] * 8}), rng)

    always, often = run(0.0).tally(), run(0.3).tally()
    assert often.answered == often.offered and always.answered == always.offered
    assert often.answered_in_sl / often.answered < always.answered_in_sl / always.answered - 0.1
