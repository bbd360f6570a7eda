"""The agent transition table: every allowed pair leads where the table says, every other
pair is refused."""

from __future__ import annotations

import itertools

import pytest

from acd.core.agents import TRANSITIONS, Act, Agent, Refused, State

ALL_PAIRS = list(itertools.product(State, Act))


@pytest.mark.parametrize("state, act", [p for p in ALL_PAIRS if p in TRANSITIONS])
def test_allowed_transition(state, act):
    agent = Agent("2001", state, since=1.0, reason="lunch" if state is State.PAUSED else "")
    after = agent.to(act, 5.0)
    assert after.state is TRANSITIONS[(state, act)]
    assert after.since == (5.0 if after.state is not state else 1.0)


@pytest.mark.parametrize("state, act", [p for p in ALL_PAIRS if p not in TRANSITIONS])
def test_refused_transition(state, act):
    with pytest.raises(Refused, match=f"cannot {act.value} while {state.value}"):
        Agent("2001", state).to(act, 5.0)


def test_table_covers_a_working_day():
    agent = Agent("2001")
    for act in (
        Act.LOGIN,
        Act.RING,
        Act.ANSWER,
        Act.HANG_UP,
        Act.WRAPPED,
        Act.PAUSE,
        Act.RESUME,
        Act.RING,
        Act.MISS,
        Act.RESUME,
        Act.LOGOUT,
    ):
        agent = agent.to(act, 0.0, **({"reason": "ring-no-answer"} if act is Act.MISS else {}))
    assert agent.state is State.LOGGED_OUT and agent.reason == ""


def test_pause_keeps_its_reason_and_resume_clears_it():
    paused = Agent("2001", State.READY).to(Act.PAUSE, 1.0, reason="lunch")
    assert (paused.state, paused.reason) == (State.PAUSED, "lunch")
    assert paused.to(Act.RESUME, 2.0).reason == ""


def test_every_state_can_be_reached_and_left():
    targets = set(TRANSITIONS.values())
    sources = {state for state, _ in TRANSITIONS}
    assert targets == sources == set(State)


def test_round_trip_through_a_dict():
    agent = Agent("2001", State.PAUSED, 12.5, "break", "PJSIP/1005")
    assert Agent.from_dict(agent.as_dict()) == agent


def test_a_phone_has_one_agent_at_a_time():
    from acd.core.agents import holder

    gero = Agent("2003", State.READY, 1.0, interface="PJSIP/1005")
    emil = Agent("2001")
    assert holder([gero, emil], "PJSIP/1005", "2001") is gero  # Emil may not log in there
    assert holder([gero, emil], "PJSIP/1005", "2003") is None  # Gero again: his own phone
    assert holder([gero, emil], "PJSIP/1006", "2001") is None
    gone = Agent("2003", State.LOGGED_OUT, 2.0, interface="PJSIP/1005")
    assert holder([gone, emil], "PJSIP/1005", "2001") is None  # logged out: the phone is free
