"""A call's story for the store, decided in the core: segments and the interaction's end."""

from __future__ import annotations

from acd.core import events as ev
from acd.core.center import CallCenter
from acd.core.journeys import Close, End, Join, Open, writes


def told(*events: ev.Event) -> list:
    """The writes for each event, with the core's call as it is after the event."""
    center = CallCenter({"support": 20.0, "support-2": 30.0})
    found = []
    for event in events:
        center.apply(event)
        found.extend(writes(event, center.calls.get(getattr(event, "call_id", ""))))
    return found


def test_a_call_answered_and_completed():
    assert told(
        ev.CallerJoined(10.0, "c1", "support", "5551", 1),
        ev.CallAnswered(14.0, "c1", "support", "1001", 4.0, 1.0),
        ev.CallCompleted(60.0, "c1", "support", "1001", 4.0, 46.0, "caller"),
    ) == [
        Join("c1", "5551", "support", 10.0),
        Close("c1", "queue", "support", 14.0, "answered"),
        Open("c1", "agent", "1001", 14.0),
        Close("c1", "agent", "1001", 60.0, "completed"),
        End("c1", 60.0, "completed"),
    ]


def test_abandoned_timed_out_transferred():
    assert told(ev.CallerJoined(1.0, "a", "support", "", 1), ev.CallerAbandoned(9.0, "a", "support", 8.0))[
        1:
    ] == [Close("a", "queue", "support", 9.0, "abandoned"), End("a", 9.0, "abandoned")]
    assert told(ev.CallerJoined(1.0, "t", "support", "", 1), ev.QueueExited(9.0, "t", "support", "TIMEOUT"))[
        1:
    ] == [Close("t", "queue", "support", 9.0, "timeout"), End("t", 9.0, "timed_out")]
    assert told(ev.QueueExited(9.0, "t", "support", "CONTINUE")) == []
    done = told(ev.CallCompleted(9.0, "x", "support", "1001", 1.0, 5.0, "transfer"))
    assert done[-1] == End("x", 9.0, "transferred")


def test_escalated_the_agent_segment_closes_the_interaction_goes_on():
    found = told(
        ev.CallerJoined(1.0, "e", "support", "5551", 1),
        ev.CallAnswered(2.0, "e", "support", "1001", 1.0, 1.0),
        ev.CallEscalated(30.0, "e", "support", "support-2", "1001", "complaint"),
        ev.CallCompleted(30.5, "e", "support", "1001", 1.0, 28.5, "agent"),
        ev.CallerJoined(31.0, "e", "support-2", "5551", 1),
        ev.CallAnswered(40.0, "e", "support-2", "2001", 9.0, 1.0),
        ev.CallCompleted(90.0, "e", "support-2", "2001", 9.0, 50.0, "caller"),
    )
    assert Close("e", "agent", "1001", 30.5, "escalated") in found
    assert [w for w in found if isinstance(w, End)] == [End("e", 90.0, "completed")]


def test_escalated_when_the_agent_leg_s_end_comes_first():
    """The route applies CallEscalated after its Redirect, so the agent leg's AgentComplete
    (AMI) can be applied before it: the segment still ends "escalated" (seen on the real PBX,
    tests/e2e/test_lines.py, where it ended "completed")."""
    found = told(
        ev.CallerJoined(1.0, "e", "support", "5551", 1),
        ev.CallAnswered(2.0, "e", "support", "1001", 1.0, 1.0),
        ev.CallCompleted(30.0, "e", "support", "1001", 1.0, 28.0, "agent"),
        ev.CallEscalated(30.2, "e", "support", "support-2", "1001", "complaint"),
        ev.CallerJoined(31.0, "e", "support-2", "5551", 1),
    )
    closes = [w for w in found if isinstance(w, Close) and w.kind == "agent"]
    assert closes[-1] == Close("e", "agent", "1001", 30.2, "escalated")


def test_a_hang_up_ends_only_the_callers_own_leg_and_only_if_open():
    assert told(ev.ChannelHungUp(5.0, "c1", "PJSIP/trunk-1", "c1")) == [
        End("c1", 5.0, "hung_up", if_open=True)
    ]
    assert told(ev.ChannelHungUp(5.0, "agent-leg", "PJSIP/1001-2", "c1")) == []


def test_a_caller_found_waiting_by_a_resync_waits_since_the_pbx_says():
    assert told(ev.CallerWaiting(100.0, "w", "support", "5551", 1, 40.0)) == [
        Join("w", "5551", "support", 60.0)
    ]
