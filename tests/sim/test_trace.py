"""A simulated day counted by the engine's own figures (acd/core/figures.py, the fold that
`acd report` and the wallboard use): the simulator's tallies are the engine's, figure by
figure, per queue and interval."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from acd.config_journal import Days
from acd.core import events as ev
from acd.core.agent_book import AgentBook
from acd.core.figures import Figures, Spec
from acd.sim import center, engine

MIDNIGHT = Days("UTC").midnight(dt.date(2026, 12, 3))
EIGHT = MIDNIGHT + 8 * 3600


def test_the_engines_figures_count_a_simulated_day_as_the_simulator_does():
    knobs = center.Knobs(
        calls=(60.0, 110.0, 110.0, 60.0),
        agents=(14, 18),
        aht=240.0,
        patience=150.0,
        second_line=(3,),
        overflow_after=20.0,
        callback_after=60.0,
        callback_share=0.3,
        ring=2.0,
        no_answer=0.05,
        vip_share=0.1,
    )
    scenario, feed = center.build(knobs)
    queues = tuple(dataclasses.replace(q, max_wait=100.0) for q in scenario.queues)
    scenario = dataclasses.replace(scenario, queues=queues)
    rng, trace = random.Random(11), []
    result = engine.simulate(scenario, feed(rng), rng, trace, epoch=EIGHT)
    spec = Spec(
        {q.name: q.service_level for q in scenario.queues}, {q.name: q.line for q in scenario.queues}, 0.0
    )
    figures = Figures(AgentBook({}), Days("UTC"), spec)
    for event in sorted(trace, key=lambda e: e.at):
        figures.apply(event)
    compared = 0
    for queue, slots in figures.day.queues.items():
        for slot, theirs in slots.items():
            ours = result.tally(slot - 32, slot - 32, queue)  # 08:00 is the day's slot 32
            assert (theirs.offered, theirs.answered, theirs.answered_in_sl) == (
                ours.offered,
                ours.answered,
                ours.answered_in_sl,
            )
            assert (theirs.abandoned, theirs.abandoned_after_sl) == (ours.abandoned, ours.abandoned_after_sl)
            assert (theirs.timed_out, theirs.callbacks) == (ours.timed_out, ours.callbacks)
            ours_sl = ours.figures()["service_level"]
            assert theirs.figures()["service_level"] == (None if ours_sl is None else round(ours_sl, 4))
            compared += 1
    assert compared >= 5
    total = result.tally()
    assert total.abandoned > 0 and total.timed_out > 0 and total.callbacks > 0
    assert isinstance(trace[0], ev.CallerJoined)
