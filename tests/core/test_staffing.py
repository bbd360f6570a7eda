"""The staff table's agents as every reader sees them (acd/core/staffing.py), and the book
following them through AgentEnrolled / AgentWithdrawn (issue 11: agents live in the store)."""

from __future__ import annotations

from acd.core import codec
from acd.core import events as ev
from acd.core.agent_book import AgentBook
from acd.core.agents import State
from acd.core.people import Person
from acd.core.staffing import Skills, Staffing, enrolments

ANA = Person("1001", "Ana", "agent", ("front",), "1001", ("support",))
NEW = Person("3001", "Nia", "agent", ("front",), None, ("sales", "support"))
GONE = Person("3002", "Oto", "agent", ("back",), None, ("billing",), disabled=True)
SOFIA = Person("9001", "Sofia", "supervisor", ("front",))


def test_staffing_answers_agents_teams_and_queues_from_the_records():
    staffing = Staffing([ANA, NEW, GONE, SOFIA])
    assert set(staffing.agents) == {"1001", "3001"}  # enabled agents only: no supervisor
    assert staffing.get("3002") is None and staffing.get("9001") is None
    assert staffing.of_teams(SOFIA.teams) == {"1001", "3001"}
    assert staffing.of_teams(("back",)) == {"3002"}  # a disabled agent's calls stay their team's
    assert staffing.queues_of({"1001", "3001"}) == {"sales", "support"}
    assert staffing.queues("3001") == ("sales", "support")
    assert staffing.queues("3002") == ("billing",)  # to take them off those queues
    assert staffing.queues("9999") == ()


def test_skills_follow_the_staffing_it_is_given_each_time():
    now = [Staffing([ANA])]
    skills = Skills(lambda: now[0])
    assert dict(skills) == {"1001": frozenset({"support"})} and skills.get("3001") is None
    now[0] = Staffing([ANA, NEW, GONE])
    assert skills["3001"] == {"sales", "support"} and len(skills) == 3


def test_enrolments_add_new_agents_and_withdraw_disabled_ones_once_logged_out():
    book = AgentBook({"1001": "PJSIP/1001", "3002": ""})
    events, logged_in = enrolments(Staffing([ANA, NEW, GONE]), book.agents, 5.0)
    assert events == [ev.AgentEnrolled(5.0, "3001"), ev.AgentWithdrawn(5.0, "3002")]
    assert logged_in == []
    for event in events:
        book.apply(event)
    assert book.get("3001") is not None and book.get("3001").state is State.LOGGED_OUT  # type: ignore[union-attr]
    assert book.get("3002") is None
    assert enrolments(Staffing([ANA, NEW, GONE]), book.agents, 6.0) == ([], [])  # settled


def test_a_disabled_agent_who_is_logged_in_is_logged_out_before_withdrawal():
    book = AgentBook({"1001": "PJSIP/1001"})
    book.apply(ev.AgentEnrolled(1.0, "3001"))
    book.apply(ev.AgentLoggedIn(2.0, "3001", "PJSIP/1005"))
    events, logged_in = enrolments(Staffing([ANA]), book.agents, 3.0)
    assert (events, logged_in) == ([], ["3001"])
    book.apply(ev.AgentWithdrawn(3.0, "3001"))  # a withdrawal while logged in changes nothing
    assert book.phone_of("3001") == "PJSIP/1005"
    book.apply(ev.AgentLoggedOut(4.0, "3001"))
    events, logged_in = enrolments(Staffing([ANA]), book.agents, 5.0)
    assert (events, logged_in) == ([ev.AgentWithdrawn(5.0, "3001")], [])


def test_an_enrolled_agent_may_log_in_and_a_replay_folds_them_back():
    book = AgentBook({})
    login = ev.AgentLoggedIn(2.0, "3001", "PJSIP/1005")
    assert book.refusal(login) == "not a configured agent"
    journal = [ev.AgentEnrolled(1.0, "3001"), login]
    book.apply(journal[0])
    assert book.refusal(login) is None
    again = AgentBook({})  # a restart folds the journal back
    for event in journal:
        again.apply(codec.from_record(codec.to_record(event)))
    assert again.phone_of("3001") == "PJSIP/1005"
    again.apply(ev.AgentEnrolled(3.0, "3001"))  # once more (a second pass): nothing changes
    assert again.phone_of("3001") == "PJSIP/1005" and again.moved == []
