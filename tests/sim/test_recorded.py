"""A recorded day from the journal's events, replayed through the simulator."""

from __future__ import annotations

import random

from acd.core import events as ev
from acd.sim import arrivals, engine, recorded
from acd.sim.scenario import one_queue

T0 = 1_764_748_800.0  # a midnight


def journal_day() -> list[ev.Event]:
    made: list[ev.Event] = []
    for n in range(4):
        at, call = T0 + 100 + n * 600, f"c{n}"
        made += [
            ev.CallRouted(at, call, "+4930", "100", "support", priority=10 if n == 2 else 0),
            ev.CallerJoined(at, call, "support", "+4930", 1),
            ev.CallCompleted(at + 200, call, "support", "1001", 1.0, 120.0 + 60 * n, "agent"),
        ]
    made += [  # c1 escalated to the second line: the same call, not a new one
        ev.CallerJoined(T0 + 900, "c1", "support-2", "+4930", 1),
        ev.CallerJoined(T0 + 950, "c9", "acd-agent-1001", "+4931", 1),  # a last-agent wait
        ev.CallerJoined(T0 + 960, "c9", "sales", "+4931", 1),
    ]
    return made


def test_each_call_once_at_its_first_join_with_its_priority():
    day = recorded.from_events(journal_day())
    assert [(at - T0, queue, p) for at, queue, p in day.calls] == [
        (100.0, "support", 0),
        (700.0, "support", 0),
        (960.0, "sales", 0),
        (1300.0, "support", 10),
        (1900.0, "support", 0),
    ]
    assert day.talk == {"support": 210.0} and day.aht() == 210.0
    assert recorded.per_interval(day.calls, T0) == [2, 2, 1]


def test_only_the_queues_asked_for():
    day = recorded.from_events(journal_day(), queues=["sales"])
    assert [q for _, q, _ in day.calls] == ["sales"] and day.aht() is None


def test_the_recorded_day_replays_through_the_simulator():
    day = recorded.from_events(journal_day(), queues=["support"])
    calls = [(at, "q", p) for at, _, p in day.calls]
    result = engine.simulate(
        one_queue([1, 1, 1], aht=60.0), arrivals.recorded(calls, start=T0), random.Random(1)
    )
    assert [result.tally(i, i).offered for i in range(3)] == [2, 1, 1]
    assert result.tally().answered == 4
