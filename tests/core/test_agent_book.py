"""The agents book (acd/core/agent_book.py): kept from events alone, and following the PBX:
a ring ends with its call, a call ended while the daemon was away ends at the resync, and a
pause asked for during a call is taken as it ends."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from acd.core import events as ev
from acd.core.agent_book import RNA, AgentBook
from acd.core.agents import State

SEATS = {"1001": "PJSIP/1001", "1002": "PJSIP/1002", "2003": ""}
WRAPUPS = {"support": 0.0, "sales": 4.0}


def book(*events: ev.Event) -> AgentBook:
    made = AgentBook(SEATS, WRAPUPS)
    for event in events:
        made.apply(event)
    return made


def state(made: AgentBook, number: str) -> tuple[str, str, str]:
    agent = made.agents[number]
    return agent.state.value, agent.reason, agent.pending


def rung(at: float, call: str = "c1", agent: str = "1001", queue: str = "support") -> ev.AgentRung:
    return ev.AgentRung(at, call, queue, agent, f"PJSIP/{agent}-0001", f"leg-{call}-{agent}")


def answered(at: float, call: str = "c1", agent: str = "1001", queue: str = "support") -> ev.CallAnswered:
    return ev.CallAnswered(at, call, queue, agent, 3.0, 2.0, f"PJSIP/{agent}-0001", f"leg-{call}-{agent}")


def completed(at: float, call: str = "c1", agent: str = "1001", queue: str = "support") -> ev.CallCompleted:
    return ev.CallCompleted(at, call, queue, agent, 3.0, 20.0, "agent")


def member(
    agent: str, in_call: bool = False, paused: bool = False, device: str = "not_in_use"
) -> ev.MemberChanged:
    return ev.MemberChanged(
        50.0, "support", agent, SEATS.get(agent) or "PJSIP/1005", device, paused, in_call, 0
    )


def resync(*members: ev.MemberChanged, at: float = 50.0) -> list[ev.Event]:
    return [ev.ResyncStarted(at), *members, ev.ResyncFinished(at, ("support",))]


def test_fixed_seats_start_ready_and_free_phones_logged_out():
    made = book()
    assert state(made, "1001") == ("ready", "", "")
    assert state(made, "2003") == ("logged_out", "", "")
    assert made.phone_of("1001") == "PJSIP/1001" and made.phone_of("2003") is None


def test_a_caller_who_abandons_mid_ring_frees_the_agent_for_their_pause():
    made = book(rung(1.0), ev.CallerAbandoned(3.0, "c1", "support", 3.0))
    assert state(made, "1001") == ("ready", "", "")
    pause = ev.AgentPaused(4.0, "1001", "lunch")
    assert made.refusal(pause) is None
    made.apply(pause)
    assert state(made, "1001") == ("paused", "lunch", "")


def test_a_ring_ends_when_the_caller_leaves_or_the_agent_s_leg_hangs_up():
    left = book(rung(1.0, agent="1001"), rung(1.0, agent="1002"), answered(2.0, agent="1002"))
    left.apply(ev.CallerLeft(2.0, "c1", "support"))  # ringall: the other agent took it
    assert state(left, "1001")[0] == "ready" and state(left, "1002")[0] == "on_call"
    hung = book(rung(1.0))
    hung.apply(ev.ChannelHungUp(2.0, "leg-c1-1001", "PJSIP/1001-0001", "c1"))
    assert state(hung, "1001")[0] == "ready"
    other = book(rung(1.0))
    other.apply(ev.ChannelHungUp(2.0, "someone-else", "PJSIP/1002-0009", "c9"))
    assert state(other, "1001")[0] == "ringing"


def test_a_call_answered_after_the_caller_left_the_queue_is_still_a_call():
    """QueueCallerLeave may come before AgentConnect: the answer still puts them on the call."""
    made = book(rung(1.0), ev.CallerLeft(2.0, "c1", "support"), answered(2.0))
    assert state(made, "1001")[0] == "on_call"


def test_the_agent_s_leg_hanging_up_ends_the_call_and_agent_complete_after_it_changes_nothing():
    made = book(rung(1.0, queue="sales"), answered(2.0, queue="sales"))
    made.apply(ev.ChannelHungUp(30.0, "leg-c1-1001", "PJSIP/1001-0001", "c1"))
    assert state(made, "1001")[0] == "wrap_up" and made.wrap_ends["1001"] == 34.0
    made.apply(completed(30.1, queue="sales"))
    assert made.wrap_ends["1001"] == 34.0 and made.moved == []


def test_a_call_that_ended_while_the_daemon_was_away_ends_at_the_resync():
    """The journal (or redis) says on_call; the PBX's census says the member is idle."""
    made = book(rung(1.0), answered(2.0), *resync(member("1001")))
    assert state(made, "1001") == ("ready", "", "")
    assert made.refusal(ev.AgentPaused(51.0, "1001", "break")) is None


def test_a_ring_nobody_reported_the_end_of_ends_at_the_resync_unless_it_still_rings():
    assert state(book(rung(1.0), *resync(member("1001"))), "1001")[0] == "ready"
    assert state(book(rung(1.0), *resync(member("1001", device="ringing"))), "1001")[0] == "ringing"


def test_a_call_answered_while_the_daemon_was_away_is_taken_from_the_resync():
    made = book(*resync(member("1001", in_call=True)))
    assert state(made, "1001")[0] == "on_call"
    made.apply(completed(60.0))
    assert state(made, "1001")[0] == "ready"


def test_a_pause_the_pbx_made_while_the_daemon_was_away_is_adopted_at_the_resync_only():
    live = book(member("1001", paused=True))
    assert state(live, "1001")[0] == "ready"  # live member events race our own pauses
    assert state(book(rung(1.0), *resync(member("1001", paused=True))), "1001") == ("paused", RNA, "")


def test_a_pause_during_a_call_is_pending_and_taken_as_the_call_ends_not_wrap_up():
    made = book(rung(1.0, queue="sales"), answered(2.0, queue="sales"))
    assert made.refusal(ev.AgentPaused(5.0, "1001", "lunch")) is None
    made.apply(ev.AgentPaused(5.0, "1001", "lunch"))
    assert state(made, "1001") == ("on_call", "", "lunch")
    made.apply(completed(30.0, queue="sales"))
    assert state(made, "1001") == ("paused", "lunch", "")
    assert made.agents["1001"].since == 30.0


def test_a_resume_during_the_call_cancels_the_pending_pause():
    made = book(rung(1.0), answered(2.0), ev.AgentPaused(5.0, "1001", "lunch"))
    assert made.refusal(ev.AgentResumed(6.0, "1001")) is None
    made.apply(ev.AgentResumed(6.0, "1001"))
    made.apply(completed(30.0))
    assert state(made, "1001") == ("ready", "", "")
    assert made.refusal(ev.AgentResumed(7.0, "1002")) is not None  # nothing to resume


def test_a_pending_pause_is_taken_when_the_ring_ends_unanswered_or_rings_out():
    made = book(
        rung(1.0), ev.AgentPaused(2.0, "1001", "break"), ev.CallerAbandoned(3.0, "c1", "support", 3.0)
    )
    assert state(made, "1001") == ("paused", "break", "")
    missed = book(
        rung(1.0), ev.AgentPaused(2.0, "1001", "break"), ev.AgentMissed(6.0, "c1", "support", "1001", 5)
    )
    assert state(missed, "1001") == ("paused", "break", "")
    assert state(book(rung(1.0), ev.AgentMissed(6.0, "c1", "support", "1001", 5)), "1001") == (
        "paused",
        RNA,
        "",
    )


def test_picked_up_just_as_the_pause_landed_the_agent_is_paused_again_after_the_call():
    made = book(ev.AgentPaused(1.0, "1001", "lunch"), answered(1.2))
    assert state(made, "1001") == ("on_call", "", "lunch")
    made.apply(completed(10.0))
    assert state(made, "1001") == ("paused", "lunch", "")


def test_wrap_up_ends_by_its_event_or_at_a_resync_once_its_time_is_over():
    made = book(rung(1.0, queue="sales"), answered(2.0, queue="sales"), completed(10.0, queue="sales"))
    assert state(made, "1001")[0] == "wrap_up"
    made.apply(ev.AgentWrappedUp(14.0, "1001"))
    assert state(made, "1001")[0] == "ready"
    later = book(rung(1.0, queue="sales"), answered(2.0, queue="sales"), completed(10.0, queue="sales"))
    for event in resync(member("1001"), at=12.0):
        later.apply(event)
    assert state(later, "1001")[0] == "wrap_up"  # 2 s still to go
    for event in resync(member("1001"), at=20.0):
        later.apply(event)
    assert state(later, "1001")[0] == "ready"


def test_one_agent_per_phone_and_a_login_where_the_pbx_has_the_member_paused():
    made = book(ev.AgentLoggedIn(1.0, "2003", "PJSIP/1005"))
    assert made.agent_at("PJSIP/1005").number == "2003"
    assert "2003" in made.refusal(ev.AgentLoggedIn(2.0, "1002", "PJSIP/1005"))
    made.apply(ev.AgentLoggedIn(2.0, "1002", "PJSIP/1005"))  # refused: the holder stays
    assert made.phone_of("1002") == "PJSIP/1002"
    made.apply(ev.AgentLoggedOut(3.0, "2003"))
    assert made.number_at("PJSIP/1005") is None
    again = book(member("2003", paused=True), ev.AgentLoggedIn(4.0, "2003", "PJSIP/1005"))
    assert state(again, "2003") == ("paused", RNA, "")  # Asterisk keeps it so; *72 resumes


def test_the_desk_sees_who_moved_and_the_snapshot_says_how_long():
    made = book(rung(1.0))
    assert made.moved == ["1001"] and made.last == rung(1.0)
    made.apply(member("1002"))
    assert made.moved == []
    shown = {a["number"]: a for a in made.snapshot(now=11.0)}
    assert (shown["1001"]["state"], shown["1001"]["in_state"]) == ("ringing", 10.0)


# -- any order of events -------------------------------------------------------------------

AGENTS = st.sampled_from(["1001", "1002", "2003"])
CALLS = st.sampled_from(["c1", "c2"])
QUEUES = st.sampled_from(["support", "sales"])
AT = st.floats(0, 100)
EVENTS = st.one_of(
    st.builds(ev.AgentLoggedIn, AT, AGENTS, st.sampled_from(["PJSIP/1005", "PJSIP/1001", "PJSIP/1006"])),
    st.builds(ev.AgentLoggedOut, AT, AGENTS),
    st.builds(ev.AgentPaused, AT, AGENTS, st.sampled_from(["lunch", "break"])),
    st.builds(ev.AgentResumed, AT, AGENTS),
    st.builds(ev.AgentWrappedUp, AT, AGENTS),
    st.builds(rung, AT, CALLS, AGENTS, QUEUES),
    st.builds(answered, AT, CALLS, AGENTS, QUEUES),
    st.builds(completed, AT, CALLS, AGENTS, QUEUES),
    st.builds(ev.AgentMissed, AT, CALLS, QUEUES, AGENTS, st.just(5.0)),
    st.builds(ev.CallerAbandoned, AT, CALLS, QUEUES, st.just(1.0)),
    st.builds(ev.CallerLeft, AT, CALLS, QUEUES),
    st.builds(lambda c, a: ev.ChannelHungUp(1.0, f"leg-{c}-{a}", "PJSIP/x-1", c), CALLS, AGENTS),
    st.builds(
        member, AGENTS, st.booleans(), st.booleans(), st.sampled_from(["not_in_use", "ringing", "in_use"])
    ),
    st.builds(ev.MemberRemoved, AT, QUEUES, AGENTS),
    st.builds(ev.ResyncStarted, AT),
    st.builds(ev.ResyncFinished, AT, st.just(("support",))),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(EVENTS, max_size=40))
def test_any_events_keep_the_book_sound_and_an_idle_census_frees_every_agent(events):
    made = book(*events)
    again = book(*events)
    assert made.agents == again.agents  # pure: the same journal, the same book
    logged_in = [a for a in made.agents.values() if a.state is not State.LOGGED_OUT]
    assert len({a.interface for a in logged_in}) == len(logged_in)  # one agent per phone
    assert all(not a.pending or a.state in (State.RINGING, State.ON_CALL) for a in made.agents.values())
    assert made._by_call == {  # the indexes say what the table says
        c: {n for n, r in made.calls.items() if r.call_id == c}
        for c in {r.call_id for r in made.calls.values()}
    }
    assert made._by_leg == {r.leg: n for n, r in made.calls.items() if r.leg}
    for event in resync(
        *(
            ev.MemberChanged(200.0, "support", a.number, a.interface, "not_in_use", False, False, 0)
            for a in logged_in
        ),
        at=200.0,
    ):
        made.apply(event)
    for agent in made.agents.values():
        assert agent.state not in (State.RINGING, State.ON_CALL), agent  # the PBX has no call
        if agent.state is not State.LOGGED_OUT:
            assert made.refusal(ev.AgentPaused(201.0, agent.number, "lunch")) is None  # *71 works


def test_the_status_snapshot_takes_the_agents_states_from_the_book():
    from acd.core.center import CallCenter
    from acd.core.snapshot import snapshot

    made = book(rung(1.0), ev.AgentPaused(2.0, "1001", "lunch"))
    shown = snapshot(CallCenter({"support": 20.0}), 11.0, book=made)["agents"]
    assert (shown["1001"]["state"], shown["1001"]["pending"], shown["1001"]["in_state"]) == (
        "ringing",
        "lunch",
        10.0,
    )
    assert shown["1002"]["state"] == "ready" and "2003" not in shown  # logged out: not shown
