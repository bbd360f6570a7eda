"""The screen pop over HTTP, through the real daemon's site on loopback with a real store: an
agent opens only pops of calls ringing them (another agent's is a 403), supervisors their
teams', admins all; the pick on a shared number needs one of the number's customers and, from a
browser's session, its CSRF token; an agent's live stream carries their own rings and nobody else's."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from sqlalchemy import select

from acd.core import events as ev
from acd.store import db, staff
from acd.store.models import Customer, Interaction, PhoneNumber
from tests.web.conftest import basic, on_asyncio
from tests.web.sse_client import SseClient
from tests.web.test_push import auth, make_daemon

AGENT_PASSWORD = "agent-pass-123"


@pytest.fixture
def agents_sign_in(monkeypatch):
    """Agents' web passwords, as the staff table is seeded, are one we know."""
    real = staff.from_config

    def known(config):
        return [(p, AGENT_PASSWORD if p.role == "agent" else pw, pin) for p, pw, pin in real(config)]

    monkeypatch.setattr(staff, "from_config", known)


def agent(number: str) -> dict[str, str]:
    return {"Authorization": basic(number, AGENT_PASSWORD)}


@pytest.fixture
def live(tmp_path, agents_sign_in):
    from twisted.internet import reactor

    made = make_daemon(tmp_path)
    with db.sessions(made.directory.engine).begin() as session:
        session.add_all([Customer(id=1, name="<img src=x onerror=alert(1)>"), Customer(id=2, name="Bo")])
        session.flush()
        session.add_all([PhoneNumber(number="+4930222", customer_id=c) for c in (1, 2)])
        session.add_all(
            [
                Interaction(linkedid=call, started_at=dt.datetime.now(dt.UTC))
                for call in ("c-one", "c-shared", "c-other")
            ]
        )
    port = reactor.listenTCP(made.config.http.port, made.site, interface="127.0.0.1")
    yield made
    made.feed.stop()
    port.stopListening()
    made.directory.close()


def ring(made, call: str, agent_number: str, **routed) -> None:
    now = time.time()
    made.apply(ev.CallRouted(now, call, routed.pop("caller_id", "+4930111"), "800", "support", **routed))
    made.apply(ev.CallerJoined(now, call, "support", "+4930111", 1))
    made.apply(ev.AgentRung(now, call, "support", agent_number, f"PJSIP/{agent_number}-1", f"leg-{call}"))


async def get(made, path: str, headers: dict[str, str]):
    import asyncio

    from tests.web.conftest import read_answer

    reader, writer = await asyncio.open_connection("127.0.0.1", made.config.http.port)
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{made.config.http.port}", "Connection: close"]
    writer.write(("\r\n".join(lines + [f"{k}: {v}" for k, v in headers.items()]) + "\r\n\r\n").encode())
    try:
        return await read_answer(reader)
    finally:
        writer.close()


async def post(made, path: str, headers: dict[str, str], body: object):
    import asyncio

    from tests.web.conftest import read_answer

    raw = json.dumps(body).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", made.config.http.port)
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{made.config.http.port}", "Connection: close"]
    lines += ["Content-Type: application/json", f"Content-Length: {len(raw)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + raw)
    try:
        return await read_answer(reader)
    finally:
        writer.close()


@on_asyncio
async def test_an_agent_sees_their_own_pop_and_gets_403_for_another_agent_s(live):
    ring(live, "c-one", "1001", customer_id=None, category="technical", account="12345674")
    mine = await get(live, "/api/pops", agent("1001"))
    assert mine.status == 200 and mine.headers["cache-control"] == "no-store"
    [pop] = json.loads(mine.body)["pops"]
    assert (pop["call"], pop["state"], pop["ivr"]["category"]) == ("c-one", "ringing", "technical")
    one = await get(live, "/api/pops/c-one", agent("1001"))
    assert one.status == 200 and json.loads(one.body)["ivr"]["account"] == "12345674"
    other = await get(live, "/api/pops/c-one", agent("1002"))
    nothing = await get(live, "/api/pops/no-such-call", agent("1002"))
    assert (other.status, nothing.status) == (403, 403)  # a guessed id says nothing either way
    assert json.loads((await get(live, "/api/pops", agent("1002"))).body) == {"pops": []}
    statuses = [
        (await get(live, "/api/pops/c-one", auth(live, who))).status
        for who in ("9001", "9002", "9901", "9101")
    ]
    assert statuses == [200, 403, 200, 403]  # front's supervisor, back's, the admin, quality
    assert (await get(live, "/api/pops/c-one", {})).status == 401


@on_asyncio
async def test_the_pop_clears_when_the_ring_stops(live):
    ring(live, "c-one", "1001")
    live.apply(ev.CallerAbandoned(time.time(), "c-one", "support", 3.0))
    assert json.loads((await get(live, "/api/pops", agent("1001"))).body) == {"pops": []}
    assert (await get(live, "/api/pops/c-one", agent("1001"))).status == 403


@on_asyncio
async def test_picking_the_customer_on_a_shared_number_takes_one_of_its_customers(live):
    ring(live, "c-shared", "1001", caller_id="+4930222", candidates=2)
    shown = json.loads((await get(live, "/api/pops/c-shared", agent("1001"))).body)
    assert shown["caller"]["match"] == "shared"
    assert shown["candidates"] == [{"id": 1, "name": "<img src=x onerror=alert(1)>"}, {"id": 2, "name": "Bo"}]
    path = "/api/pops/c-shared/customer"
    other_agents = await post(live, path, agent("1002"), {"customer_id": 2})
    stranger = await post(live, path, agent("1001"), {"customer_id": 3})
    junk = await post(live, path, agent("1001"), {"customer_id": "2"})
    assert [a.status for a in (other_agents, stranger, junk)] == [403, 422, 400]
    picked = await post(live, path, agent("1001"), {"customer_id": 2})
    assert picked.status == 200
    body = json.loads(picked.body)
    assert (
        body["caller"]["match"] == "picked" and body["customer"]["name"] == "Bo" and body["address"] == "Bo"
    )
    assert [c["id"] for c in body["candidates"]] == [1, 2]  # and may pick again
    with db.sessions(live.directory.engine)() as session:
        assert session.scalar(select(Interaction.customer_id).where(Interaction.linkedid == "c-shared")) == 2
    again = json.loads((await get(live, "/api/pops/c-shared", agent("1001"))).body)
    assert again["caller"]["customer_id"] == 2  # the model holds it (and the journal: a restart too)


@on_asyncio
async def test_a_number_that_is_not_shared_has_nobody_to_pick(live):
    ring(live, "c-one", "1001", customer_id=1, candidates=1)
    answer = await post(live, "/api/pops/c-one/customer", agent("1001"), {"customer_id": 2})
    assert answer.status == 409


@on_asyncio
async def test_an_agent_s_live_stream_carries_their_own_rings_only(live):
    mine = await SseClient.open(live.config.http.port, agent("1001"))
    assert mine.status == 200
    ring(live, "c-other", "1002")
    ring(live, "c-one", "1001")
    await mine.until(lambda c: any(m.event == "AgentRung" for m in c.messages))
    live.apply(ev.CallerAbandoned(time.time(), "c-one", "support", 3.0))
    await mine.until(lambda c: any(m.event == "CallerAbandoned" for m in c.messages))
    calls = {m.data["event"].get("call_id") for m in mine.messages}
    assert calls == {"c-one"}  # never the other agent's call, nor the route before the ring
    assert [m.event for m in mine.messages] == ["AgentRung", "CallerAbandoned"]
    mine.close()


@on_asyncio
async def test_the_desk_page_is_the_agents_and_a_browser_posts_with_its_token_only(live):
    """Signed in by the form (a cookie session): /desk carries the session's CSRF token, and
    the pick goes through only with it; the page is for agents (a supervisor's is a 403)."""
    from tests.web.conftest import Web
    from tests.web.test_pages import Browser

    web = Web(live.config.http.port, live.site, live.login, live.config.http)
    assert (await web.request("GET", "/desk")).status == 303  # to the sign-in page
    browser = Browser(web)
    assert (await browser.sign_in("1001", AGENT_PASSWORD)).status == 303
    desk = await browser.get("/desk")
    assert desk.status == 200 and browser.csrf and b'data-agent="1001"' in desk.body
    assert desk.headers["cache-control"] == "no-store" and b"<script>" not in desk.body
    supervisor = Browser(web)
    await supervisor.sign_in("9001", live.config.person("9001").password)
    assert (await supervisor.get("/desk")).status == 403
    ring(live, "c-shared", "1001", caller_id="+4930222", candidates=2)
    path, body = "/api/pops/c-shared/customer", json.dumps({"customer_id": 2}).encode()
    sent = {**browser.headers(), "Content-Type": "application/json", "Origin": f"http://{web.host()}"}
    answers = [
        await web.request("POST", path, {**sent, **token}, body)
        for token in ({}, {"X-CSRF-Token": "0" * 64}, {"X-CSRF-Token": browser.csrf})
    ]
    assert [a.status for a in answers] == [403, 403, 200]
    assert json.loads(answers[-1].body)["customer"]["name"] == "Bo"


@on_asyncio
async def test_the_pick_from_a_cookie_session_needs_that_session_s_token_and_the_agent_s_call(live):
    """The pick's CSRF is base.py's, as the desk's (e46148a): a browser's session token, checked
    where identity is found; Basic (the API's tools) is never CSRF-able, so it needs none."""
    from tests.web.test_desk import session_of

    ring(live, "c-shared", "1001", caller_id="+4930222", candidates=2)
    path = "/api/pops/c-shared/customer"
    mine, token = await session_of(live, "1001")
    theirs, their_token = await session_of(live, "1002")
    no_token = await post(live, path, mine, {"customer_id": 2})
    other_agent = await post(live, path, {**theirs, "X-CSRF-Token": their_token}, {"customer_id": 2})
    assert [a.status for a in (no_token, other_agent)] == [403, 403]
    assert "CSRF" in json.loads(no_token.body)["error"]
    assert json.loads(other_agent.body)["error"] == "no call rings or is connected to you with that id"
    picked = await post(live, path, {**mine, "X-CSRF-Token": token}, {"customer_id": 2})
    assert picked.status == 200 and json.loads(picked.body)["customer"]["name"] == "Bo"
    with db.sessions(live.directory.engine)() as session:
        assert session.scalar(select(Interaction.customer_id).where(Interaction.linkedid == "c-shared")) == 2
    by_basic = await post(live, path, agent("1001"), {"customer_id": 1})
    assert by_basic.status == 200 and json.loads(by_basic.body)["customer"]["id"] == 1
