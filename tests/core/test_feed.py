"""The live push's pure parts: whom an event concerns, who may see it, and the recent past."""

from __future__ import annotations

import pytest

from acd.core import events as ev
from acd.core.feed import Audience, Calls, Kept, Ring, Scope, gap
from acd.core.journal import Entry

SUPERVISOR = Audience(frozenset({"1001"}), frozenset({"support"}))


def test_an_event_names_its_agent_and_queues():
    calls = Calls()
    scope = calls.scope_of(ev.CallEscalated(1.0, "c1", "support", "sales", "1001", "tech"))
    assert scope == Scope(frozenset({"1001"}), frozenset({"support", "sales"}))


def test_a_call_only_event_is_scoped_by_what_the_call_touched_before():
    """A hang-up names only the call: it concerns the queue the caller joined."""
    calls = Calls()
    calls.scope_of(ev.CallerJoined(1.0, "c1", "support", "0301", 1))
    calls.scope_of(ev.AgentRung(2.0, "c1", "support", "1001"))
    assert calls.scope_of(ev.ChannelHungUp(3.0, "u1", "PJSIP/x", "c1")) == Scope(
        frozenset({"1001"}), frozenset({"support"})
    )


def test_replays_of_the_past_teach_nothing():
    calls = Calls()
    calls.scope_of(ev.CallerJoined(1.0, "old", "support", "0301", 1), learn=False)
    assert len(calls) == 0


def test_calls_remembered_are_bounded_oldest_first():
    calls = Calls(capacity=2)
    for call in ("a", "b", "c"):
        calls.scope_of(ev.CallerJoined(1.0, call, "support", "0301", 1))
    assert len(calls) == 2
    assert calls.scope_of(ev.CallerAnnounced(2.0, "a", 1, None), learn=False) == Scope()
    assert calls.scope_of(ev.CallerAnnounced(2.0, "c", 1, None)).queues == {"support"}


def test_a_supervisor_sees_their_agents_their_queues_and_resyncs_only():
    assert SUPERVISOR.sees(Scope(frozenset({"1001"}), frozenset({"sales"})))
    assert SUPERVISOR.sees(Scope(frozenset(), frozenset({"support"})))
    assert SUPERVISOR.sees(Calls().scope_of(ev.ResyncStarted(1.0)))
    assert not SUPERVISOR.sees(Scope(frozenset({"2001"}), frozenset({"sales"})))
    assert not SUPERVISOR.sees(Calls().scope_of(ev.CallbackDialled(1.0, "cb1", "ANSWER")))
    assert not SUPERVISOR.sees(Calls().scope_of(ev.DigitPressed(1.0, "u1", "4")))


def test_an_admin_sees_everything():
    assert Audience().sees(Scope())


def ring_of(seqs, capacity=4) -> Ring[str]:
    ring: Ring[str] = Ring(capacity)
    for seq in seqs:
        ring.append(Kept(seq, Scope(), f"m{seq}"))
    return ring


def test_the_ring_gives_everything_after_an_id_in_order():
    ring = ring_of(range(1, 7))  # keeps 3..6
    assert [k.seq for k in ring.after(2, 6)] == [3, 4, 5, 6]
    assert [k.seq for k in ring.after(4, 6)] == [5, 6]
    assert ring.after(6, 6) == []


def test_the_ring_says_when_it_no_longer_reaches_back():
    ring = ring_of(range(1, 7))
    assert ring.after(1, 6) is None
    assert ring_of([]).after(0, 5) is None  # numbered events, none kept (a restart)
    assert ring_of([]).after(0, 0) == []


def test_the_ring_keeps_sequence_order_when_an_entry_comes_late():
    """A subscriber ahead of the push applied an event while one was being delivered: the
    later number reached the push first."""
    ring = ring_of([1, 2, 4])
    ring.append(Kept(3, Scope(), "m3"))
    assert [k.seq for k in ring.after(0, 4)] == [1, 2, 3, 4]
    full = ring_of([1, 2, 3, 5])  # capacity 4
    full.append(Kept(4, Scope(), "m4"))
    assert [k.seq for k in full.after(1, 5)] == [2, 3, 4, 5]
    full.append(Kept(1, Scope(), "m1"))  # older than all kept: dropped, as it would be next
    assert full.first == 2


def test_the_ring_refuses_a_number_twice():
    ring = ring_of([5, 6])
    with pytest.raises(ValueError):
        ring.append(Kept(5, Scope(), "again"))


def entries(*seqs: int) -> list[Entry]:
    return [Entry(seq, ev.ResyncStarted(1.0)) for seq in seqs]


def test_a_journal_answer_that_skips_numbers_is_a_gap():
    assert not gap(3, entries(4, 5, 6))
    assert gap(3, entries(5, 6))
    assert gap(3, entries(4, 6))
    assert not gap(3, [])


def test_scopes_add_up():
    one = Scope(frozenset({"1001"}), frozenset())
    two = Scope(frozenset(), frozenset({"support"}), neutral=True)
    assert one | two == Scope(frozenset({"1001"}), frozenset({"support"}), True)
