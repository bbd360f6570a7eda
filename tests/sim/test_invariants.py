"""Whatever the knobs, every caller ends once: answered, abandoned, timed out or booked (and
a booked callback done or given up); no wait is negative and no agent is busier than staffed;
repeat callers first offered to their last agent change none of this."""

from __future__ import annotations

import random
from collections import Counter

from hypothesis import example, given, settings
from hypothesis import strategies as st

from acd.core import events as ev
from acd.sim import arrivals, engine
from acd.sim.scenario import AgentGroup, CallbackOffer, QueueSpec, Scenario, Service

knobs = st.fixed_dictionaries(
    {
        "calls": st.lists(st.floats(0.0, 200.0), min_size=1, max_size=4),
        "first": st.lists(st.integers(0, 8), min_size=1, max_size=4),
        "second": st.integers(0, 3),
        "overflow_after": st.floats(1.0, 120.0),
        "patience": st.one_of(st.none(), st.floats(5.0, 600.0)),
        "max_wait": st.floats(10.0, 1200.0),
        "callback": st.booleans(),
        "ring": st.floats(0.0, 10.0),
        "wrapup": st.floats(0.0, 60.0),
        "vip": st.floats(0.0, 0.5),
        "no_answer": st.sampled_from([0.0, 0.2, 0.6]),
        "repeat": st.sampled_from([0.0, 0.5, 1.0]),
        "seed": st.integers(0, 10_000),
    }
)


ENDS = (ev.CallAnswered, ev.CallerAbandoned, ev.QueueExited, ev.CallbackBooked)


def build(k: dict) -> Scenario:
    service = Service(120.0, "lognormal", 1.2)
    first = QueueSpec("a", 1, "b", k["overflow_after"], 20.0, k["wrapup"], service, k["max_wait"])
    second = QueueSpec("b", 2, None, 30.0, 30.0, k["wrapup"], service, k["max_wait"])
    groups = (AgentGroup("a", ("a",), tuple(k["first"])), AgentGroup("b", ("b",), (k["second"],)))
    offer = CallbackOffer(after=15.0, share=0.5, answer_rate=0.5, ring=5.0) if k["callback"] else None
    return Scenario(
        (first, second),
        groups,
        900.0,
        len(k["calls"]),
        k["patience"],
        k["ring"],
        offer,
        k["no_answer"],
        k["repeat"],
        last_agent_ring=8.0,
    )


FOUND = {  # what hypothesis found: a booked callback only the next line could take, left
    # waiting (its overflow moment was skipped as past the caller's patience); a caller rung
    # at once whose ring went unanswered and who gave up before the retry (no abandon moment)
    "calls": [71.0, 25.0],
    "first": [0],
    "second": 3,
    "overflow_after": 17.0,
    "patience": 5.0,
    "max_wait": 17.0,
    "callback": True,
    "ring": 0.0,
    "wrapup": 0.0,
    "vip": 0.0,
    "no_answer": 0.0,
    "repeat": 0.0,
    "seed": 0,
}


@settings(max_examples=300, deadline=None)
@given(knobs)
@example(FOUND)
@example(
    {**FOUND, "calls": [192.0], "overflow_after": 12.0, "patience": 73.0, "no_answer": 0.2, "seed": 1083}
)
def test_every_caller_ends_once(k):
    rng = random.Random(k["seed"])
    feed = arrivals.poisson(rng, {"a": k["calls"], "b": k["calls"][:1]}, vip_share=k["vip"])
    trace: list[ev.Event] = []
    sim = engine.Simulation(build(k), feed, rng, trace)
    clock = [0.0]

    def in_order(handler):
        def checked(subject):
            assert sim.now >= clock[0], "the clock went back"
            clock[0] = sim.now
            handler(subject)

        return checked

    sim.handlers = {kind: in_order(handler) for kind, handler in sim.handlers.items()}
    result = sim.run()
    ends = Counter(e.call_id for e in trace if isinstance(e, ENDS))
    assert not ends or max(ends.values()) == 1, "a caller ended twice"
    staying = {"a": k["first"][-1] + k["second"], "b": k["second"]}  # who serves each at the end
    for queue, agents in staying.items():
        t = result.tally(queue=queue)
        waiting_forever = t.offered - (t.answered + t.abandoned + t.timed_out + t.callbacks)
        assert waiting_forever >= 0
        if agents > 0:  # someone stays logged in: nobody is left behind
            assert waiting_forever == 0 and t.callbacks == t.callbacks_done + t.callbacks_given_up
        assert t.wait_sum >= 0.0 and t.abandon_wait_sum >= 0.0
        assert t.answered_in_sl <= t.answered and t.abandoned_after_sl <= t.abandoned
        assert t.last_agent_answered <= min(t.answered, t.repeat) and t.repeat <= t.offered
    for staffed, busy in zip(result.staffed, result.busy):
        assert busy <= staffed + 1e-6
