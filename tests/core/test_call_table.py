"""The live call table stays bounded (finding 11): calls that end before queueing (a hang-up
in the IVR or the greeting, closed hours) leave it, and a sweep forgets what was never seen
to end."""

from __future__ import annotations

import time

from acd.core import center as center_module
from acd.core import events as ev
from acd.core.center import CallCenter
from acd.core.model import Outcome

PRE_QUEUE = 10_000


def routed(c: CallCenter, call_id: str, at: float) -> None:
    c.apply(ev.CallRouted(at, call_id, "+4930111", "200", "support"))


def hung_up(c: CallCenter, call_id: str, at: float) -> None:
    c.apply(ev.ChannelHungUp(at, call_id, f"PJSIP/trunk-{call_id}", call_id))


def join_time(c: CallCenter, at: float, rounds: int = 200) -> float:
    """Mean seconds for one caller to join and leave the queue, with the table as it is."""
    started = time.perf_counter()
    for i in range(rounds):
        c.apply(ev.CallerJoined(at, f"probe{i}", "support", "+4930999", 1))
        c.apply(ev.CallerAbandoned(at, f"probe{i}", "support", 0.0))
    return (time.perf_counter() - started) / rounds


def test_ten_thousand_calls_ending_before_the_queue_leave_the_table():
    c = CallCenter({"support": 20.0})
    for i in range(PRE_QUEUE):
        routed(c, f"ivr{i}", 100.0 + i * 0.01)
        hung_up(c, f"ivr{i}", 100.0 + i * 0.01 + 0.005)
    assert c.active_calls() == [] and len(c.calls) == 0
    # a route reported after its caller already hung up (the greeting) is not tracked either
    hung_up(c, "late", 300.0)
    routed(c, "late", 300.1)
    assert "late" not in c.calls


def test_a_hang_up_does_not_end_a_queued_or_connected_call():
    """Those end by the queue's own events (abandon, complete), which carry the figures."""
    c = CallCenter({"support": 20.0})
    routed(c, "w", 1.0)
    c.apply(ev.CallerJoined(2.0, "w", "support", "+4930111", 1))
    c.apply(ev.CallAnswered(3.0, "t", "support", "1001", 1.0, 1.0))
    hung_up(c, "w", 4.0)
    hung_up(c, "t", 4.0)
    assert {call.id: call.outcome for call in c.active_calls()} == {
        "w": Outcome.WAITING,
        "t": Outcome.TALKING,
    }


def test_the_sweep_forgets_calls_never_seen_to_end_by_age_then_by_count():
    c = CallCenter({"support": 20.0}, max_calls=100)
    routed(c, "lost", 0.0)  # its Hangup event was lost
    c.apply(ev.CallerJoined(0.0, "stuck", "support", "+4930111", 1))
    routed(c, "fresh", 3000.0)
    c.apply(ev.CallerJoined(3601.0, "other", "support", "+4930222", 2))
    assert "lost" not in c.calls and {"stuck", "fresh", "other"} <= set(c.calls)
    c.apply(ev.CallerJoined(center_module.MAX_AGE_ACTIVE + 1, "x", "support", "", 3))
    assert "stuck" not in c.calls and c.forgotten == 3  # lost, fresh (1 h), stuck (12 h)
    for i in range(150):
        routed(c, f"flood{i}", center_module.MAX_AGE_ACTIVE + 2)
    assert len(c.calls) <= 100 and {"other", "x"} <= set(c.calls)  # the pre-queue ones went first


def test_a_call_back_in_a_queue_after_an_escalation_is_not_dropped_with_the_ended():
    c = CallCenter({"support": 20.0, "support-2": 20.0}, keep_ended=2)
    c.apply(ev.CallAnswered(1.0, "e", "support", "1001", 1.0, 1.0))
    c.apply(ev.CallCompleted(2.0, "e", "support", "1001", 1.0, 1.0, "transfer"))
    c.apply(ev.CallerJoined(2.5, "e", "support-2", "+4930111", 1))
    for i in range(3):
        c.apply(ev.CallerAbandoned(3.0 + i, f"a{i}", "support", 0.0))
    assert c.calls["e"].outcome is Outcome.WAITING


def test_join_time_stays_flat_after_ten_thousand_pre_queue_calls(capsys):
    """Before the fix each join scanned every leaked call (1.1 ms with 10,000 of them)."""
    empty = CallCenter({"support": 20.0})
    base = join_time(empty, 10.0)
    c = CallCenter({"support": 20.0})
    for i in range(PRE_QUEUE):
        routed(c, f"ivr{i}", 10.0)
        hung_up(c, f"ivr{i}", 10.0)
    after = join_time(c, 10.0)
    leaky = CallCenter({"support": 20.0})
    for i in range(PRE_QUEUE):
        routed(leaky, f"ivr{i}", 10.0)  # as the old core kept them: routed, never ended
    leaked = join_time(leaky, 10.0)
    with capsys.disabled():
        print(
            f"\njoin+leave: empty table {base * 1e6:.0f} us, after {PRE_QUEUE} pre-queue calls "
            f"{after * 1e6:.0f} us; {PRE_QUEUE} calls still in the table (old core) {leaked * 1e6:.0f} us"
        )
    assert after < base * 3 + 20e-6
