"""The screen pop's read model: what a ringing agent's screen shows, and when it goes."""

from __future__ import annotations

import datetime as dt

import pytest

from acd.core import events as ev
from acd.core.pops import CONNECTED, RINGING, Pops, Seats, verified_by
from acd.core.recording import Policy

CALL = "acd-1.0"


def seats(**policy) -> Seats:
    return Seats(
        lines={"support": 1, "support-2": 2, "sales": 1},
        skills={
            "1001": frozenset({"support"}),
            "1002": frozenset({"support"}),
            "2001": frozenset({"support-2"}),
        },
        hired={"1001": dt.date(2020, 1, 1), "1002": dt.date(2026, 11, 1)},
        policy=Policy(line_of={"support": 1, "support-2": 2}, **policy),
    )


def routed(**fields) -> ev.CallRouted:
    base = dict(
        at=100.0,
        call_id=CALL,
        caller_id="+4930123456",
        dialled="800",
        queue="support",
        customer_id=7,
        candidates=1,
        language="en",
        category="billing",
        account="12345674",
        verification="verified",
        ivr_steps=("language:en", "category:billing", "account:ok", "date_of_birth:wrong", "postcode:right"),
    )
    return ev.CallRouted(**{**base, **fields})


def ringing(pops: Pops, agent: str = "1001", at: float = 130.0, queue: str = "support") -> None:
    pops.apply(ev.AgentRung(at, CALL, queue, agent, f"PJSIP/{agent}-0001", f"leg-{agent}"))


def model(**policy) -> Pops:
    pops = Pops(seats(**policy))
    pops.apply(routed())
    pops.apply(ev.CallerJoined(110.0, CALL, "support", "+4930123456", 1, "PJSIP/carrier-01"))
    return pops


def test_a_ring_opens_a_pop_with_what_the_ivr_learned_before_the_answer():
    pops = model()
    ringing(pops)
    [pop] = pops.of_agent("1001")
    shown = pops.view(pop, 135.0)
    assert shown["state"] == RINGING and shown["call"] == CALL and shown["queue"] == "support"
    assert shown["caller"]["match"] == "number" and shown["caller"]["customer_id"] == 7
    assert shown["caller"]["verified"] is True
    assert shown["ivr"]["category"] == "billing" and shown["ivr"]["account"] == "12345674"
    assert shown["ivr"]["verification"] == "verified" and shown["ivr"]["verified_by"] == "postcode"
    assert shown["waited"] == 25.0 and shown["line"] == 1 and shown["overflow"] is None


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"customer_id": 7, "candidates": 1}, "number"),
        ({"customer_id": 7, "candidates": 0}, "account"),  # named by the account typed in the IVR
        ({"customer_id": 7, "candidates": 3}, "account"),
        ({"customer_id": None, "candidates": 3}, "shared"),
        ({"customer_id": None, "candidates": 0}, "unknown"),
    ],
)
def test_how_sure_the_match_is(fields, match):
    pops = Pops(seats())
    pops.apply(routed(**fields))
    ringing(pops)
    assert pops.view(pops.of_agent("1001")[0], 130.0)["caller"]["match"] == match


def test_on_a_shared_number_the_agent_s_pick_names_the_customer_and_survives_a_late_route():
    pops = Pops(seats())
    pops.apply(routed(customer_id=None, candidates=3))
    ringing(pops)
    pops.apply(ev.CustomerPicked(131.0, CALL, "1001", 42))
    pops.apply(routed(customer_id=None, candidates=3, at=132.0))  # routed again (a second line)
    shown = pops.view(pops.of_agent("1001")[0], 133.0)["caller"]
    assert shown["match"] == "picked" and shown["customer_id"] == 42 and shown["picked_by"] == "1001"


def test_a_call_without_an_ivr_has_no_ivr_part():
    pops = Pops(seats())
    pops.apply(routed(dialled="100", category="", account="", verification="", ivr_steps=()))
    ringing(pops)
    assert pops.view(pops.of_agent("1001")[0], 130.0)["ivr"] is None


def test_not_verified_names_no_question():
    pops = Pops(seats())
    pops.apply(routed(verification="not_verified", ivr_steps=("date_of_birth:wrong", "postcode:skipped")))
    ringing(pops)
    assert pops.view(pops.of_agent("1001")[0], 130.0)["ivr"]["verified_by"] == ""
    assert verified_by(("pin:wrong", "last_payment:right")) == "last_payment"


def test_answered_elsewhere_clears_the_other_agents_pops_and_the_answering_agent_keeps_theirs():
    pops = model()
    ringing(pops, "1001")
    ringing(pops, "1002")
    pops.apply(ev.CallerLeft(140.0, CALL, "support"))  # Asterisk reports the leave first
    assert {p.agent for p in pops.of_call(CALL)} == {"1001", "1002"}
    pops.apply(ev.CallAnswered(140.0, CALL, "support", "1002", 30.0, 10.0, "PJSIP/1002-0001", "leg-1002"))
    assert pops.of_agent("1001") == []
    [kept] = pops.of_agent("1002")
    assert kept.state == CONNECTED and kept.answered_at == 140.0
    pops.apply(ev.CallCompleted(200.0, CALL, "support", "1002", 30.0, 60.0, "caller"))
    assert pops.of_call(CALL) == []


@pytest.mark.parametrize(
    "end",
    [
        ev.CallerAbandoned(140.0, CALL, "support", 30.0),
        ev.AgentMissed(145.0, CALL, "support", "1001", 15.0),
        ev.QueueExited(150.0, CALL, "support", "TIMEOUT"),
        ev.ChannelHungUp(140.0, CALL, "PJSIP/carrier-01", CALL),  # the caller's own leg
        ev.ChannelHungUp(140.0, "leg-1001", "PJSIP/1001-0001", CALL),  # the agent's ringing leg
    ],
    ids=["abandoned", "rang-out", "timed-out", "caller-hung-up", "agent-leg-gone"],
)
def test_a_ring_that_stops_clears_its_pop(end):
    pops = model()
    ringing(pops)
    pops.apply(end)
    assert pops.of_agent("1001") == []


def test_a_ring_out_leaves_the_next_agent_s_ring_and_a_connected_pop_alone():
    pops = model()
    ringing(pops, "1001")
    pops.apply(ev.AgentMissed(145.0, CALL, "support", "1001", 15.0))
    ringing(pops, "1002", at=146.0)
    pops.apply(ev.AgentMissed(147.0, CALL, "support", "1001", 15.0))  # a late duplicate
    assert [p.agent for p in pops.of_call(CALL)] == ["1002"]


def test_escalation_history_with_the_earlier_agent_s_note_reaches_the_next_line():
    pops = model()
    ringing(pops, "1001")
    pops.apply(ev.CallAnswered(140.0, CALL, "support", "1001", 30.0, 10.0, "PJSIP/1001-0001", "leg-1001"))
    pops.apply(
        ev.CallEscalated(170.0, CALL, "support", "support-2", "1001", "technical", "router <b>reset</b>")
    )
    assert pops.of_agent("1001") == []
    pops.apply(ev.CallerJoined(171.0, CALL, "support-2", "+4930123456", 1))
    ringing(pops, "2001", at=175.0, queue="support-2")
    shown = pops.view(pops.of_agent("2001")[0], 180.0)
    assert shown["escalations"] == [
        {
            "at": 170.0,
            "from_queue": "support",
            "to_queue": "support-2",
            "agent": "1001",
            "reason": "technical",
            "note": "router <b>reset</b>",
        }
    ]
    assert shown["queues"] == ["support", "support-2"] and shown["line"] == 2 and shown["waited"] == 9.0


def test_an_agent_of_the_next_line_taking_an_overflowing_caller_sees_the_overflow():
    pops = model()
    ringing(pops, "2001")
    assert pops.view(pops.of_agent("2001")[0], 150.0)["overflow"] == {
        "queue": "support",
        "line": 1,
        "own_queues": ["support-2"],
    }


def test_whether_the_call_is_recorded_follows_the_policy_for_this_agent_and_line():
    pops = model(share=0.0, lines={1: 1.0})
    ringing(pops)
    assert pops.view(pops.of_agent("1001")[0], 130.0)["recording"]["recorded"] == "yes"
    sampled = model(share=0.25)
    ringing(sampled)
    assert sampled.view(sampled.of_agent("1001")[0], 130.0)["recording"] == {
        "recorded": "maybe",
        "share": 0.25,
        "why": "all calls",
    }
    never = model()
    ringing(never)
    assert never.view(never.of_agent("1001")[0], 130.0)["recording"]["recorded"] == "no"


def test_a_ring_never_seen_to_end_is_swept_and_the_stories_are_bounded():
    pops = model()
    ringing(pops)
    pops.apply(ev.ResyncStarted(130.0 + 601.0))
    assert pops.of_agent("1001") == []
    small = Pops(seats(), capacity=2)
    for n in range(3):
        small.apply(routed(call_id=f"c{n}"))
        small.apply(ev.AgentRung(100.0, f"c{n}", "support", "1001"))
    assert list(small.stories) == ["c1", "c2"] and {p.call_id for p in small.of_agent("1001")} == {"c1", "c2"}


def test_an_answer_whose_ring_was_not_seen_still_opens_a_connected_pop():
    pops = model()
    pops.apply(ev.CallAnswered(140.0, CALL, "support", "1001", 30.0, 4.0))
    [pop] = pops.of_agent("1001")
    assert pop.state == CONNECTED and pop.rung_at == 136.0


def test_a_resync_ends_the_rings_and_calls_the_pbx_no_longer_has():
    """After a reconnect the PBX describes what is left: a caller still waiting keeps their
    ring's pop, a connected agent on a call keeps theirs; the others ended unseen."""
    pops = model()
    ringing(pops, "1001")
    pops.apply(ev.AgentRung(130.0, "gone", "support", "1002"))
    pops.apply(ev.CallAnswered(131.0, "talking", "support", "1003", 5.0, 1.0))
    pops.apply(ev.CallAnswered(131.0, "ended", "support", "2001", 5.0, 1.0))
    pops.apply(ev.AgentRung(132.0, "elsewhere", "sales", "1004"))  # a queue the resync left out
    pops.apply(ev.ResyncStarted(200.0))
    pops.apply(ev.MemberChanged(200.0, "support", "1003", "PJSIP/1003", "in_use", False, True, 1))
    pops.apply(ev.MemberChanged(200.0, "support", "2001", "PJSIP/2001", "not_in_use", False, False, 1))
    pops.apply(ev.CallerWaiting(200.0, CALL, "support", "+4930123456", 1, 90.0))
    pops.apply(ev.ResyncFinished(201.0, ("support", "support-2")))
    assert sorted((p.call_id, p.agent) for p in pops.pops.values()) == [
        (CALL, "1001"),
        ("elsewhere", "1004"),
        ("talking", "1003"),
    ]
    pops.apply(ev.MemberChanged(202.0, "support", "1003", "PJSIP/1003", "not_in_use", False, False, 1))
    assert len(pops.pops) == 3  # outside a resync, a member's change ends nothing
