"""The core's call-center state, driven by hand-made events with explicit times."""

from __future__ import annotations

import pytest

from acd.core import events as ev
from acd.core.center import CallCenter
from acd.core.model import Outcome
from acd.core.snapshot import snapshot


def center() -> CallCenter:
    return CallCenter({"support": 20.0, "sales": 30.0})


def answered_call(c: CallCenter, call: str = "c1", hold: float = 5.0, talk: float = 60.0) -> None:
    c.apply(ev.CallRouted(100.0, call, "+4930123", "100", "support"))
    c.apply(ev.CallerJoined(100.5, call, "support", "+4930123", 1))
    c.apply(ev.CallerLeft(100.5 + hold, call, "support"))
    c.apply(ev.CallAnswered(100.5 + hold, call, "support", "1001", hold, 2.0))
    c.apply(ev.CallCompleted(100.5 + hold + talk, call, "support", "1001", hold, talk, "caller"))


def test_answered_call_has_queue_agent_wait_and_talk():
    """Join, answer and complete give the call its queue, agent, wait and talk time."""
    c = center()
    answered_call(c, hold=5.0, talk=60.0)
    call = c.calls["c1"]
    assert (call.queue, call.agent, call.wait, call.talk) == ("support", "1001", 5.0, 60.0)
    assert call.outcome is Outcome.COMPLETED and call.routed and call.hung_up_by == "caller"
    assert call.joined_at == 100.5 and call.answered_at == 105.5 and call.ended_at == 165.5


def test_service_level_counts_answers_within_threshold_and_abandons_against():
    """SL = answered within the queue's threshold / (answered + abandoned + timed out)."""
    c = center()
    answered_call(c, "fast", hold=10.0)
    answered_call(c, "slow", hold=25.0)  # over support's 20 s
    c.apply(ev.CallerJoined(200.0, "gone", "support", "5551", 1))
    c.apply(ev.CallerAbandoned(230.0, "gone", "support", 30.0))
    stats = c.queues["support"].stats
    assert (stats.offered, stats.answered, stats.abandoned) == (3, 2, 1)
    assert stats.service_level() == pytest.approx(1 / 3)
    assert stats.average_wait() == pytest.approx(17.5)
    assert stats.abandon_rate() == pytest.approx(1 / 3)
    assert stats.average_talk() == pytest.approx(60.0)
    assert c.calls["gone"].outcome is Outcome.ABANDONED and c.calls["gone"].wait == 30.0


def test_empty_queue_has_no_ratios():
    """With nothing finished, rates are unknown (None), not zero."""
    stats = center().queues["sales"].stats
    assert stats.service_level() is None and stats.average_wait() is None


@pytest.mark.parametrize("status, timed_out", [("TIMEOUT", 1), ("LEAVEEMPTY", 1), ("CONTINUE", 0), ("", 0)])
def test_queue_exit_status_decides_timeout(status, timed_out):
    """Only Queue() results meaning 'left unanswered by the rules' count as timed out."""
    c = center()
    c.apply(ev.CallerJoined(10.0, "c1", "sales", "5551", 1))
    c.apply(ev.CallerLeft(70.0, "c1", "sales"))
    c.apply(ev.QueueExited(70.0, "c1", "sales", status))
    assert c.queues["sales"].stats.timed_out == timed_out
    assert (c.calls["c1"].outcome is Outcome.TIMED_OUT) == bool(timed_out)
    if timed_out:
        assert c.calls["c1"].wait == 60.0


def test_positions_shift_when_someone_ahead_leaves():
    """Callers behind a leaving caller move up one place."""
    c = center()
    for i, call in enumerate(("a", "b", "c"), start=1):
        c.apply(ev.CallerJoined(float(i), call, "support", "", i))
    c.apply(ev.CallerLeft(5.0, "a", "support"))
    assert [(x.id, x.position) for x in c.waiting("support")] == [("b", 1), ("c", 2)]


def test_waited_grows_with_now_while_waiting():
    """A waiting caller's wait is measured against the time asked about."""
    c = center()
    c.apply(ev.CallerJoined(100.0, "c1", "support", "", 1))
    assert c.calls["c1"].waited(112.5) == 12.5


def resync(c: CallCenter, at: float, *relisted: ev.Event) -> None:
    c.apply(ev.ResyncStarted(at))
    for event in relisted:
        c.apply(event)
    c.apply(ev.ResyncFinished(at, ("support", "sales")))


def member(agent: str, queue: str = "support", in_call: bool = False) -> ev.MemberChanged:
    return ev.MemberChanged(
        50.0, queue, agent, f"PJSIP/{agent}", "in_use" if in_call else "not_in_use", False, in_call, 0
    )


def test_resync_keeps_relisted_and_forgets_the_rest():
    """After a resync only what the PBX listed remains; relisted callers are not counted twice."""
    c = center()
    c.apply(member("1001"))
    c.apply(member("1002"))
    c.apply(ev.CallerJoined(10.0, "stay", "support", "", 1))
    c.apply(ev.CallerJoined(11.0, "gone", "support", "", 2))
    resync(c, 50.0, member("1001"), ev.CallerWaiting(50.0, "stay", "support", "", 1, 40.0))
    assert set(c.queues["support"].members) == {"1001"}
    assert set(c.calls) == {"stay"}
    assert c.queues["support"].stats.offered == 2  # not 3
    assert c.resyncs == 1


def test_resync_adds_callers_who_joined_meanwhile():
    """A caller first seen in a resync joined `wait` seconds before it."""
    c = center()
    resync(c, 100.0, ev.CallerWaiting(100.0, "new", "sales", "5551", 1, 42.0))
    assert c.calls["new"].joined_at == 58.0 and c.calls["new"].outcome is Outcome.WAITING
    assert c.queues["sales"].stats.offered == 1


def test_resync_names_the_channel_of_a_caller_known_from_queue_log():
    """queue_log names no channel: the resync's census does, and escalation and the state need it."""
    c = center()
    c.apply(ev.CallerJoined(50.0, "down", "sales", "5551", 1))
    resync(c, 100.0, ev.CallerWaiting(100.0, "down", "sales", "5551", 1, 50.0, "PJSIP/trunk-00000003"))
    assert c.calls["down"].channel == "PJSIP/trunk-00000003" and c.calls["down"].joined_at == 50.0
    assert c.queues["sales"].stats.offered == 1


def test_resync_drops_talks_that_ended_meanwhile():
    """A call believed in progress is dropped when its agent is no longer on a call."""
    c = center()
    c.apply(ev.CallAnswered(10.0, "talk1", "support", "1001", 1.0, 1.0))
    c.apply(ev.CallAnswered(10.0, "talk2", "support", "1002", 1.0, 1.0))
    resync(c, 50.0, member("1001", in_call=True), member("1002", in_call=False))
    assert set(c.calls) == {"talk1"}


def test_ended_calls_beyond_the_limit_are_forgotten():
    """Memory stays bounded: only the newest `keep_ended` ended calls are kept."""
    c = CallCenter({"support": 20.0}, keep_ended=2)
    for i in range(5):
        answered_call(c, f"c{i}")
    assert set(c.calls) == {"c3", "c4"}
    assert c.queues["support"].stats.completed == 5


def test_unknown_queue_is_created_and_unknown_event_refused():
    """Events for a queue missing from the config still count; a foreign event type is an error."""
    c = center()
    c.apply(ev.CallerJoined(1.0, "c1", "overflow", "", 1))
    assert c.queues["overflow"].stats.offered == 1
    with pytest.raises(TypeError):
        c.apply(ev.Event(1.0))


def test_member_removed_and_snapshot_shape():
    """The snapshot reports queues, agents and calls as plain data."""
    c = center()
    c.apply(member("1001"))
    c.apply(member("1003", queue="sales", in_call=True))
    c.apply(ev.MemberRemoved(60.0, "support", "1002"))
    c.apply(ev.CallerJoined(100.0, "w1", "support", "5551", 1))
    answered_call(c, "done")
    data = snapshot(c, now=110.0)
    support = data["queues"]["support"]
    assert support["waiting"] == 1 and support["longest_wait"] == 10.0
    assert support["callers"] == [{"call_id": "w1", "caller_id": "5551", "position": 1, "waited": 10.0}]
    assert support["available"] == 1 and support["members"] == 1
    assert data["agents"]["1003"]["in_call"] is True and data["agents"]["1003"]["queues"] == ["sales"]
    assert [call["id"] for call in data["recent_calls"]] == ["done"]
    assert [call["id"] for call in data["calls"]] == ["w1"]


def test_routed_caller_keeps_the_normalised_number():
    """A withheld caller routed as "" is not renamed by the queue's raw caller ID."""
    c = center()
    c.apply(ev.CallRouted(1.0, "c1", "", "100", "support"))
    c.apply(ev.CallerJoined(1.5, "c1", "support", "anonymous", 1))
    c.apply(ev.CallerJoined(1.5, "c2", "support", "5551", 1))
    assert (c.calls["c1"].caller_id, c.calls["c2"].caller_id) == ("", "5551")


def test_caller_joining_ahead_moves_the_others_back():
    """A priority caller or a kept place joins at position 1 or 2: those behind move back."""
    from acd.core import events as ev
    from acd.core.center import CallCenter

    center = CallCenter({"support": 20.0})
    center.apply(ev.CallerJoined(1.0, "a", "support", "1", 1))
    center.apply(ev.CallerJoined(2.0, "c", "support", "3", 2))
    center.apply(ev.CallerJoined(3.0, "b", "support", "2", 2))
    assert [(c.id, c.position) for c in center.waiting("support")] == [("a", 1), ("b", 2), ("c", 3)]


def test_share_closed_per_line_counts_escalated_calls_where_they_end():
    from acd.core import events as ev
    from acd.core.center import CallCenter

    center = CallCenter({"support": 20.0, "support-2": 30.0}, lines={"support": 1, "support-2": 2})
    for call_id in ("a", "b", "c"):
        center.apply(ev.CallerJoined(1.0, call_id, "support", "1", 1))
        center.apply(ev.CallAnswered(2.0, call_id, "support", "1001", 1.0, 0.0))
    center.apply(ev.CallEscalated(3.0, "c", "support", "support-2", "1001", "complaint"))
    for call_id in ("a", "b", "c"):
        center.apply(ev.CallCompleted(4.0, call_id, "support", "1001", 1.0, 2.0, "agent"))
    center.apply(ev.CallerJoined(5.0, "c", "support-2", "1", 1))
    center.apply(ev.CallAnswered(6.0, "c", "support-2", "2001", 1.0, 0.0))
    center.apply(ev.CallCompleted(9.0, "c", "support-2", "2001", 1.0, 3.0, "agent"))
    assert center.closed_per_line() == {1: 2 / 3, 2: 1 / 3}
    assert center.queues["support"].stats.escalated == 1


def test_the_counters_are_the_days_they_restart_with_the_first_event_after_midnight():
    day = 1000.0  # a "day" of 1000 PBX seconds, ending at each multiple of 1000
    c = CallCenter({"support": 20.0}, day_end=lambda at: (at // day + 1) * day)
    answered_call(c, "c1")  # 100.0 .. 165.5
    c.apply(ev.CallRouted(900.0, "c2", "+4930124", "100", "support"))
    c.apply(ev.CallerJoined(900.0, "c2", "support", "+4930124", 1))
    assert (c.queue("support").stats.offered, c.queue("support").stats.completed) == (2, 1)
    c.apply(ev.CallerLeft(1010.0, "c2", "support"))  # midnight passed while c2 waited
    c.apply(ev.CallAnswered(1010.0, "c2", "support", "1001", 110.0, 2.0))
    stats = c.queue("support").stats
    assert (stats.offered, stats.answered, stats.completed) == (0, 1, 0)
    assert c.calls["c2"].outcome is Outcome.TALKING  # calls carry on across midnight
    c.apply(ev.CallRouted(1500.0, "c3", "+4930125", "100", "support"))
    assert c.queue("support").stats.answered == 1  # the same day: nothing reset


def test_without_a_day_the_counters_never_restart():
    c = center()
    answered_call(c, "c1")
    c.apply(ev.CallRouted(10 * 86400.0, "c2", "+4930124", "100", "support"))
    assert c.queue("support").stats.offered == 1


def test_a_caller_routed_again_while_queued_waits_in_the_new_queue():
    c = center()
    c.apply(ev.CallerJoined(1.0, "c1", "support", "+4930123", 1))
    c.apply(ev.CallRouted(2.0, "c1", "+4930123", "100", "sales"))
    assert [x.id for x in c.waiting("sales")] == ["c1"] and c.waiting("support") == []
