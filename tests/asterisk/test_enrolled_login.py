"""An agent who is only in the staff table (`acd staff add` while the daemon runs) logs in with
the feature code once the book has enrolled them, and joins their queues as a configured agent
with the same queues does (issue 11: agents live in the store)."""

from __future__ import annotations

from acd.asterisk.guess_limits import Memory
from acd.core import events as ev
from acd.core import tiers
from acd.core.agents import State
from acd.core.people import Person
from acd.core.staffing import enrolments
from tests.asterisk.test_fastagi import on_asyncio
from tests.asterisk.test_phone_pins import desk, tries

NIA = Person("3001", "Nia Holm", "agent", ("back",), None, ("support-2",))  # as 2001 serves


def added(ami) -> dict[str, tuple[int, str]]:
    """queue -> (penalty, interface) of every QueueAdd sent."""
    found = {}
    for action in ami.sent:
        if action.name == "QueueAdd":
            headers = dict(action.headers)
            found[str(headers["Queue"])] = (int(str(headers["Penalty"])), str(headers["Interface"]))
    return found


@on_asyncio
async def test_a_store_only_agent_logs_in_by_phone_into_their_queues_with_the_configured_tiers(tmp_path):
    agents = desk(tmp_path, Memory(), [1000.0])
    people = agents.people
    await people.add(NIA, None, "4321")  # type: ignore[attr-defined]  the roster, as the CLI adds
    assert await agents._login_call(tries("3001", ["4321"]), "PJSIP/1006") == "refused"  # not in the book yet
    events, _ = enrolments(people.staffing, agents.book.agents, 1000.0)
    assert events == [ev.AgentEnrolled(1000.0, "3001")]
    agents.apply(events[0])
    assert await agents._login_call(tries("3001", ["4321"]), "PJSIP/1006") == "logged_in"
    assert agents.book.phone_of("3001") == "PJSIP/1006"
    theirs, agents.ami.sent = added(agents.ami), []  # type: ignore[attr-defined]
    pin = agents.config.agent("2001").pin  # type: ignore[union-attr]
    assert await agents._login_call(tries("2001", [pin]), "PJSIP/1005") == "logged_in"
    configured = added(agents.ami)
    lines = tiers.memberships(("support-2",), agents.lines)
    assert {q: p for q, (p, _) in theirs.items()} == {**lines, tiers.personal_queue("3001"): tiers.OWN}
    assert {q: p for q, (p, _) in configured.items()} == {**lines, tiers.personal_queue("2001"): tiers.OWN}
    assert {i for _, i in theirs.values()} == {"PJSIP/1006"}


@on_asyncio
async def test_a_disabled_agent_is_logged_out_of_their_queues_then_withdrawn(tmp_path):
    agents = desk(tmp_path, Memory(), [1000.0])
    people = agents.people
    await people.add(NIA, None, "4321")  # type: ignore[attr-defined]
    agents.apply(ev.AgentEnrolled(1000.0, "3001"))
    assert await agents._login_call(tries("3001", ["4321"]), "PJSIP/1006") == "logged_in"
    agents.ami.sent = []  # type: ignore[attr-defined]
    await people.set_disabled("3001", True)  # type: ignore[attr-defined]
    assert await agents._login_call(tries("3001", ["4321"]), "PJSIP/1007") == "wrong_pin"  # no more logins
    events, logged_in = enrolments(people.staffing, agents.book.agents, 1001.0)
    assert (events, logged_in) == ([], ["3001"])
    assert await agents.logout("3001")  # what the daemon's roster pass does for each of them
    removed = {dict(a.headers)["Queue"] for a in agents.ami.sent if a.name == "QueueRemove"}  # type: ignore[attr-defined]
    assert removed == {*tiers.memberships(("support-2",), agents.lines), tiers.personal_queue("3001")}
    events, logged_in = enrolments(people.staffing, agents.book.agents, 1002.0)
    assert (events, logged_in) == ([ev.AgentWithdrawn(1002.0, "3001")], [])
    agents.apply(events[0])
    assert agents.book.get("3001") is None
    assert agents.book.get("2001") is not None and agents.book.get("2001").state is State.LOGGED_OUT  # type: ignore[union-attr]
