"""Complaint cases' rules: what opens a case, who owns it, who it goes to past the deadline."""

from __future__ import annotations

from acd.core import events as ev
from acd.core.cases import Case, Cases, Rules, case_id, manager_of
from acd.core.people import Person

DAY = 24 * 3600.0
PEOPLE = {
    p.number: p
    for p in (
        Person("1003", "Chiara Rossi", "agent", ("front",), queues=("support",)),
        Person("2001", "Emil Novak", "agent", ("back",), manager="9901"),
        Person("3001", "Nobody's", "agent", ()),
        Person("9000", "Away", "supervisor", ("front",), disabled=True),
        Person("9001", "Sofia Brenner", "supervisor", ("front", "sales"), manager="9901"),
        Person("9002", "Tomas Weber", "supervisor", ("back",), manager="9901"),
        Person("9901", "Operations", "admin"),
    )
}


def routed(cases: Cases, call: str = "c1", category: str = "", at: float = 100.0) -> None:
    cases.apply(ev.CallRouted(at, call, "+4930111", "800", "support-3", 7, 1, category=category))


def opened(cases: Cases, event: ev.Event) -> ev.CaseOpened:
    found = cases.opening(event)
    assert found is not None
    cases.apply(found)
    return found


def test_an_ivr_complaint_is_owned_by_the_agent_who_answers_it_with_a_deadline_a_day_on():
    cases = Cases(Rules())
    routed(cases, category="complaint")
    assert cases.opening(ev.CallerJoined(101.0, "c1", "support-3", "+4930111", 1)) is None
    case = opened(cases, ev.CallAnswered(130.0, "c1", "support-3", "3001", 29.0, 2.0))
    assert (case.case_id, case.owner, case.source, case.customer_id) == (case_id("c1"), "3001", "ivr", 7)
    assert case.deadline == 130.0 + DAY and case.caller_id == "+4930111"
    # one case per call: answered again (an escalation) or coded a complaint too, nothing new
    assert cases.opening(ev.CallAnswered(200.0, "c1", "support-3", "2001", 1.0, 1.0)) is None
    assert cases.opening(ev.CallWrappedUp(300.0, "c1", "2001", "complaint_logged", False, True)) is None


def test_a_complaint_disposition_opens_a_case_for_the_agent_who_coded_it():
    cases = Cases(Rules())
    routed(cases)
    assert cases.opening(ev.CallAnswered(130.0, "c1", "support", "1003", 29.0, 2.0)) is None
    assert cases.opening(ev.CallWrappedUp(200.0, "c1", "1003", "answered", True, False)) is None
    case = opened(cases, ev.CallWrappedUp(200.0, "c1", "1003", "complaint_logged", False, True))
    assert (case.owner, case.source) == ("1003", "disposition")


def test_an_escalation_for_a_complaint_waits_for_the_next_lines_agent():
    cases = Cases(Rules())
    routed(cases)
    cases.apply(ev.CallEscalated(150.0, "c1", "support", "support-2", "1003", "technical"))
    assert cases.opening(ev.CallAnswered(160.0, "c1", "support-2", "2001", 9.0, 1.0)) is None
    routed(cases, "c2")
    cases.apply(ev.CallEscalated(150.0, "c2", "support", "support-3", "1003", "complaint"))
    case = opened(cases, ev.CallAnswered(170.0, "c2", "support-3", "2001", 19.0, 1.0))
    assert (case.owner, case.source, case.call_id) == ("2001", "escalation", "c2")


def test_a_complaint_nobody_answered_is_owned_by_the_configured_person_or_nobody():
    cases = Cases(Rules(unassigned="9002"))
    routed(cases, category="complaint")
    case = opened(cases, ev.CallerAbandoned(190.0, "c1", "support-3", 90.0))
    assert case.owner == "9002"
    anyone = Cases(Rules())
    routed(anyone, category="complaint")
    assert opened(anyone, ev.QueueExited(190.0, "c1", "support-3", "timeout")).owner == ""
    assert Cases(Rules()).opening(ev.CallerAbandoned(190.0, "unknown", "support", 5.0)) is None


def test_past_the_deadline_the_case_goes_to_the_manager_then_one_higher_then_stays():
    cases = Cases(Rules(deadline=3600.0))
    routed(cases)
    opened(cases, ev.CallWrappedUp(0.0, "c1", "1003", "complaint_logged", False, True))
    assert cases.due(3599.0) == []
    (late,) = cases.due(3600.0)
    first = cases.escalation(late, PEOPLE, 3600.0)
    assert (first.level, first.owner, first.deadline) == (1, "9001", 7200.0)  # the team's supervisor
    cases.apply(first)
    assert cases.due(7199.0) == []
    second = cases.escalation(cases.due(7200.0)[0], PEOPLE, 7200.0)
    assert (second.level, second.owner) == (2, "9901")  # the supervisor's own manager
    cases.apply(second)
    assert cases.due(10**9) == []  # two levels: it stays with operations, overdue
    assert cases.open[case_id("c1")].view(10**9)["overdue"] is True


def test_an_older_or_repeated_escalation_changes_nothing_and_a_resolved_case_is_closed():
    cases = Cases(Rules())
    routed(cases)
    opened(cases, ev.CallWrappedUp(0.0, "c1", "1003", "complaint_logged", False, True))
    cases.apply(ev.CaseEscalated(10.0, case_id("c1"), 1, "9001", 99.0))
    cases.apply(ev.CaseEscalated(11.0, case_id("c1"), 1, "9999", 5.0))
    assert cases.open[case_id("c1")].owner == "9001"
    cases.apply(ev.CaseResolved(20.0, case_id("c1"), "9001", "refund sent"))
    assert cases.open == {} and cases.due(10**9) == []
    assert cases.opening(ev.CallWrappedUp(30.0, "c1", "1003", "complaint_logged", False, True)) is None


def test_the_manager_is_the_records_else_the_first_enabled_supervisor_of_the_agents_team():
    assert manager_of("2001", PEOPLE) == "9901"  # the record's own
    assert manager_of("1003", PEOPLE) == "9001"  # 9000 supervises front too, but is disabled
    assert manager_of("3001", PEOPLE) == "" and manager_of("9901", PEOPLE) == ""
    assert manager_of("4040", PEOPLE) == ""
    nobody_above = Cases(Rules())
    case = Case("case-x", "x", None, "", "ivr", "9901", 0.0, 0.0)
    assert nobody_above.escalation(case, PEOPLE, 5.0).owner == "9901"  # the deadline moves on


def test_the_screens_see_a_customers_cases_and_an_owners_soonest_first():
    cases = Cases(Rules())
    for call, at in (("c1", 50.0), ("c2", 10.0)):
        routed(cases, call)
        opened(cases, ev.CallWrappedUp(at, call, "1003", "complaint_logged", False, True))
    assert [c.call_id for c in cases.of_customer(7)] == ["c2", "c1"]
    assert cases.of_customer(None) == [] and cases.of_customer(8) == []
    assert [c.call_id for c in cases.listed(frozenset({"1003"}))] == ["c2", "c1"]
    assert cases.listed(frozenset({"2001"})) == []


def test_the_state_round_trips_a_checkpoint_and_joins_the_stores_open_cases():
    cases = Cases(Rules())
    routed(cases, category="complaint")
    opened(cases, ev.CallAnswered(130.0, "c1", "support-3", "3001", 29.0, 2.0))
    state = cases.to_state()
    again = Cases(Rules())
    from_store = Case("case-old", "old", 3, "+1", "disposition", "1003", 0.0, 10.0, 1)
    again.load([from_store])
    again.from_state(state)
    assert again.open == {**cases.open, "case-old": from_store}
    assert again.calls == cases.calls
    again.apply(ev.CaseOpened(1.0, "case-old", "old", 3, "+1", "disposition", "1003", 99.0))
    assert again.open["case-old"] == from_store  # the fold meets it again: unchanged
