"""Complaint cases through the real daemon (its bus, journal, SQLite store and site on loopback):
a complaint caller's case is owned by the agent who answers, written to the store and shown on
the customer's next pop; past its deadline (an injected clock) it goes to the team's
supervisor, then to their manager; /api/cases lists it to those who may see it only, and a
resolve closes it in the model, the store and the journal; a restart finds what is still open."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from sqlalchemy import select

from acd.core import events as ev
from acd.core.cases import case_id
from acd.store import db
from acd.store.models import ComplaintCase, Customer, PhoneNumber
from acd.web.pages import NAV
from tests.web.conftest import on_asyncio
from tests.web.test_pops import agent, agents_sign_in, get, post  # noqa: F401  (a fixture)
from tests.web.test_push import auth, make_daemon

DAY = 24 * 3600.0


@pytest.fixture
def live(tmp_path, agents_sign_in):  # noqa: F811
    from twisted.internet import reactor

    made = make_daemon(tmp_path)
    made.people.load()
    made.remember(time.time())
    with db.sessions(made.directory.engine).begin() as session:
        session.add(Customer(id=1, name="Wanda Wrath"))
        session.flush()
        session.add(PhoneNumber(number="+4930333", customer_id=1))
    port = reactor.listenTCP(made.config.http.port, made.site, interface="127.0.0.1")
    yield made
    made.feed.stop()
    port.stopListening()
    made.journal.close()
    made.directory.close()


def complaint_call(made, call: str, agent_number: str, category: str = "complaint") -> float:
    now = time.time()
    made.apply(ev.CallRouted(now, call, "+4930333", "800", "support-3", 1, 1, category=category))
    made.apply(ev.CallerJoined(now, call, "support-3", "+4930333", 1))
    made.apply(ev.AgentRung(now, call, "support-3", agent_number, f"PJSIP/{agent_number}-1", f"leg-{call}"))
    made.apply(ev.CallAnswered(now + 1, call, "support-3", agent_number, 1.0, 1.0))
    return now + 1


async def row(made, wanted: str, check) -> ComplaintCase:
    """The case's row once the store writer has it as `check` wants (it writes on its thread)."""
    for _ in range(100):
        with db.sessions(made.directory.engine)() as session:
            found = session.scalars(select(ComplaintCase).where(ComplaintCase.id == wanted)).first()
        if found is not None and check(found):
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"the store never had {wanted} as wanted")


async def listed(made, who: str) -> tuple[int, list[str]]:
    answer = await get(made, "/api/cases", agent(who) if who.startswith(("1", "2")) else auth(made, who))
    body = json.loads(answer.body)
    return answer.status, [c["id"] for c in body.get("cases", [])]


@on_asyncio
async def test_a_complaint_is_owned_seen_escalated_and_resolved_with_every_step_journaled(live):
    answered = complaint_call(live, "c1", "1003")
    await asyncio.sleep(0.05)  # the case is applied on the next turn
    case = case_id("c1")
    assert live.cases.open[case].owner == "1003"
    stored = await row(live, case, lambda r: True)
    assert (stored.owner, stored.source, stored.customer_id, stored.level) == ("1003", "ivr", 1, 0)

    assert await listed(live, "1003") == (200, [case])
    assert await listed(live, "1001") == (200, [])  # another agent's case
    assert await listed(live, "9001") == (200, [case])  # 1003's team (front) supervisor
    assert await listed(live, "9002") == (200, [])
    assert await listed(live, "9901") == (200, [case])  # the admin
    assert (await listed(live, "9101"))[0] == 403  # quality
    assert ("/cases", "Cases") in NAV["agent"] and ("/cases", "Cases") in NAV["supervisor"]

    complaint_call(live, "c2", "1003", category="billing")  # the customer calls again
    pop = json.loads((await get(live, "/api/pops/c2", agent("1003"))).body)
    assert [(c["id"], c["owner_name"], c["overdue"]) for c in pop["open_cases"]] == [
        (case, "Chiara Rossi", False)
    ]

    live.case_desk.clock = lambda: answered + DAY + 1  # the deadline passes
    live.case_desk.tick()
    assert (live.cases.open[case].owner, live.cases.open[case].level) == ("9001", 1)
    live.case_desk.clock = lambda: answered + 2 * DAY + 2
    live.case_desk.tick()
    live.case_desk.tick()  # two levels: no third
    assert (live.cases.open[case].owner, live.cases.open[case].level) == ("9901", 2)
    await row(live, case, lambda r: r.level == 2 and r.owner == "9901")
    assert await listed(live, "1003") == (200, [])  # no longer theirs
    assert await listed(live, "9901") == (200, [case])

    refused = await post(live, f"/api/cases/{case}/resolve", agent("1003"), {"note": "done"})
    odd = await post(live, f"/api/cases/{case}/resolve", auth(live, "9901"), {"note": "x", "more": 1})
    bad = await post(live, "/api/cases/../resolve", auth(live, "9901"), {})
    assert (refused.status, odd.status, bad.status) == (404, 400, 400)
    done = await post(live, f"/api/cases/{case}/resolve", auth(live, "9901"), {"note": "refund <b>sent</b>"})
    assert done.status == 200 and json.loads(done.body)["by"] == "9901"
    assert live.cases.open == {}
    closed = await row(live, case, lambda r: r.resolved_at is not None)
    assert (closed.resolved_by, closed.note) == ("9901", "refund <b>sent</b>")
    again = await post(live, f"/api/cases/{case}/resolve", auth(live, "9901"), {})
    assert again.status == 404

    assert live.journal.flush()
    steps = [
        type(e.event).__name__ for e in live.journal.since(0) if type(e.event).__name__.startswith("Case")
    ]
    assert steps == ["CaseOpened", "CaseEscalated", "CaseEscalated", "CaseResolved"]


@on_asyncio
async def test_a_coded_complaint_opens_one_case_and_a_restart_finds_it_open(live, tmp_path):
    now = time.time()
    live.apply(ev.CallRouted(now, "c3", "+4930333", "800", "support", 1, 1))
    live.apply(ev.CallAnswered(now, "c3", "support", "1001", 1.0, 1.0))
    live.apply(ev.CallWrappedUp(now + 5, "c3", "1001", "answered", True, False))
    await asyncio.sleep(0.05)
    assert live.cases.open == {}
    live.apply(ev.CallWrappedUp(now + 6, "c3", "1001", "complaint_logged", False, True))
    live.apply(ev.CallWrappedUp(now + 7, "c3", "1001", "complaint_logged", False, True))
    await asyncio.sleep(0.05)
    assert list(live.cases.open) == [case_id("c3")]
    await row(live, case_id("c3"), lambda r: True)
    assert live.journal.flush()

    later = make_daemon(tmp_path)  # the same store, a day on: the fold does not reach the case
    try:
        later.remember(now + 2 * DAY)
        assert list(later.cases.open) == [case_id("c3")] and later.cases.open[case_id("c3")].owner == "1001"
    finally:
        later.journal.close()
        later.directory.close()
