"""The wrap-up hold in the agents book: which pause the PBX should have for an agent (their
own, or "wrapup" from the answer of a call whose queue has wrap-up to the wrap-up's end), and
a disposition for the call being wrapped up ending the wrap-up early."""

from __future__ import annotations

from acd.core import events as ev
from acd.core.agent_book import RNA, WRAPUP, AgentBook
from tests.core.test_agent_book import answered, book, completed, member, resync, rung, state


def coded(at: float, call: str = "c1", agent: str = "1001") -> ev.CallWrappedUp:
    return ev.CallWrappedUp(at, call, agent, "answered", True, False)


def sales_call(agent: str = "1001", call: str = "c1") -> list[ev.Event]:
    return [rung(10.0, call, agent, "sales"), answered(11.0, call, agent, "sales")]


def test_a_call_of_a_queue_with_wrap_up_is_held_from_its_answer_to_the_wrap_up_s_end():
    made = book(rung(10.0, queue="sales"))
    assert made.hold("1001") == (False, "")  # ringing: never paused then
    made.apply(answered(11.0, queue="sales"))
    assert made.hold("1001") == (True, WRAPUP)
    made.apply(completed(30.0, queue="sales"))
    assert state(made, "1001") == ("wrap_up", "", "")
    assert made.hold("1001") == (True, WRAPUP)
    assert made.wrapping("1001").call_id == "c1"
    made.apply(ev.AgentWrappedUp(34.0, "1001"))
    assert made.hold("1001") == (False, "") and made.wrapping("1001") is None


def test_a_queue_without_wrap_up_holds_nobody():
    made = book(rung(10.0), answered(11.0))
    assert made.hold("1001") == (False, "")
    made.apply(completed(30.0))
    assert state(made, "1001") == ("ready", "", "")


def test_the_agent_s_own_pause_wins_over_the_hold():
    made = book(*sales_call(), ev.AgentPaused(12.0, "1001", "lunch"))
    assert made.hold("1001") == (True, "lunch")
    made.apply(completed(30.0, queue="sales"))
    assert state(made, "1001") == ("paused", "lunch", "")  # no wrap-up: the pause was asked for
    assert made.hold("1001") == (True, "lunch")


def test_a_disposition_for_the_call_ends_its_wrap_up_and_one_for_another_call_does_not():
    made = book(*sales_call(), completed(30.0, queue="sales"))
    made.apply(coded(31.0, call="older"))
    assert state(made, "1001")[0] == "wrap_up"
    made.apply(coded(32.0, agent="1002"))
    assert state(made, "1001")[0] == "wrap_up"
    made.apply(coded(33.0))
    assert state(made, "1001") == ("ready", "", "")
    assert made.hold("1001") == (False, "") and "1001" not in made.wrap_ends


def test_a_disposition_during_the_call_leaves_the_hold_alone():
    made = book(*sales_call(), coded(20.0))
    assert (state(made, "1001")[0], made.hold("1001")) == ("on_call", (True, WRAPUP))


def test_a_wrap_up_hold_the_pbx_still_has_at_a_resync_is_not_taken_for_an_autopause():
    """The daemon restarted after the wrap-up ended; the PBX still holds the member paused
    'wrapup': that is the desk's to lift, not a ring-no-answer pause."""
    held = ev.MemberChanged(50.0, "support", "1001", "PJSIP/1001", "not_in_use", True, False, 1, WRAPUP)
    made = book(*resync(held))
    assert state(made, "1001") == ("ready", "", "")
    assert made.pbx_holds("1001") == {(True, WRAPUP)}
    autopaused = ev.MemberChanged(50.0, "support", "1002", "PJSIP/1002", "not_in_use", True, False, 0, "")
    made = book(*resync(autopaused, member("1001")))
    assert state(made, "1002") == ("paused", RNA, "")


def test_logging_out_in_wrap_up_forgets_it():
    made = book(*sales_call(), completed(30.0, queue="sales"), ev.AgentLoggedOut(31.0, "1001"))
    assert made.wrapping("1001") is None and made.hold("1001") == (False, "")


def test_hold_of_an_unknown_agent():
    assert AgentBook({}).hold("9") == (False, "")
