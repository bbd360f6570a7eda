"""The agent's desk over HTTP, through the real daemon's site on loopback with a real store:
ready / pause / logout go the feature codes' way (the book and Asterisk agree with the phone),
the wrap-up is the call's agent's alone and ends the hold, escalate sends the call on with the
note, and each refusal is a clear 400 / 403 / 409."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time

import pytest
from sqlalchemy import select

from acd.core import events as ev
from acd.core.agents import State
from acd.core.people import Person
from acd.store import db
from acd.store.models import Disposition, Interaction, InteractionSegment, Note
from tests.asterisk.test_agent_restore import FakeAmi
from tests.web.conftest import on_asyncio
from tests.web.test_pops import AGENT_PASSWORD, agent, agents_sign_in, get, post  # noqa: F401  (a fixture)
from tests.web.test_push import auth, make_daemon


@pytest.fixture
def live(tmp_path, agents_sign_in):  # noqa: F811
    from twisted.internet import reactor

    made = make_daemon(tmp_path)
    made.desk.ami = made.escalations.ami = FakeAmi()
    with db.sessions(made.directory.engine).begin() as session:
        for call, who in (("c-sales", "1004"), ("c-other", "1003"), ("c-sup", "1001")):
            row = Interaction(linkedid=call, started_at=dt.datetime.now(dt.UTC))
            session.add(row)
            session.flush()
            session.add(
                InteractionSegment(interaction_id=row.id, kind="agent", name=who, started_at=row.started_at)
            )
    port = reactor.listenTCP(made.config.http.port, made.site, interface="127.0.0.1")
    yield made
    made.feed.stop()
    port.stopListening()
    made.directory.close()


def signed(made, number: str) -> dict[str, str]:
    """An API tool's request: HTTP Basic (never CSRF-able: no browser holds it)."""
    return agent(number)


async def session_of(made, number: str) -> tuple[dict[str, str], str]:
    """A browser's: the session cookie from the sign-in form, and the CSRF token its pages carry."""
    import re
    from urllib.parse import urlencode

    from tests.web.conftest import read_answer

    origin = f"http://127.0.0.1:{made.config.http.port}"

    async def send(method: str, path: str, headers: dict[str, str], body: bytes = b""):
        reader, writer = await asyncio.open_connection("127.0.0.1", made.config.http.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{made.config.http.port}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in headers.items()] + [f"Content-Length: {len(body)}"]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        try:
            return await read_answer(reader)
        finally:
            writer.close()

    form = urlencode({"number": number, "password": AGENT_PASSWORD}).encode()
    signed_in = await send(
        "POST", "/signin", {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin}, form
    )
    cookie = re.search(r"acd_session=([^;\r\n]+)", signed_in.raw.decode("latin-1"))
    assert signed_in.status == 303 and cookie, signed_in.body
    headers = {"Cookie": f"acd_session={cookie.group(1)}", "Origin": origin}
    page = await send("GET", "/admin/staff", headers)  # a 403 page for an agent: it carries the token
    token = re.search(rb'<meta name="csrf-token" content="([0-9a-f]+)">', page.body)
    assert token, page.body
    return headers, token.group(1).decode()


def pauses(made) -> list[tuple[str | None, str | None, str | None]]:
    return [
        (a.get("Interface"), a.get("Paused"), a.get("Reason"))
        for a in made.desk.ami.sent
        if a.name == "QueuePause"
    ]


def sales_call(made, call: str = "c-sales", number: str = "1004") -> None:
    now = time.time()
    made.apply(ev.CallerJoined(now, call, "sales", "+4930111", 1, "PJSIP/trunk-1"))
    made.apply(ev.AgentRung(now, call, "sales", number, f"PJSIP/{number}-1", f"leg-{call}"))
    made.apply(ev.CallAnswered(now, call, "sales", number, 1.0, 1.0, f"PJSIP/{number}-1", f"leg-{call}"))


@on_asyncio
async def test_pause_and_ready_from_the_page_are_the_phone_s_and_the_book_s(live):
    fresh = (await get(live, "/api/desk/me", agent("1001"))).body
    assert b"Infinity" not in fresh  # before the day's first event too: a browser's JSON.parse
    me = json.loads(fresh)
    assert time.time() - 2 * 86400 < me["today"]["since"] <= time.time()
    assert me["agent"]["state"] == "ready" and "lunch" in me["pause_reasons"]
    assert {d["code"] for d in me["dispositions"]} >= {"answered", "fault_ticket"}
    paused = await post(live, "/api/desk/pause", signed(live, "1001"), {"reason": "lunch"})
    assert paused.status == 200 and json.loads(paused.body)["agent"]["state"] == "paused"
    assert live.book.agents["1001"].reason == "lunch"
    assert pauses(live) == [("PJSIP/1001", "true", "lunch")]
    ready = await post(live, "/api/desk/ready", signed(live, "1001"), {})
    assert json.loads(ready.body)["agent"]["state"] == "ready"
    assert pauses(live)[-1] == ("PJSIP/1001", "false", "")
    # the phone's *71 and the page see one state: a pause by phone shows on the page
    await live.desk.pause("1001", "break")
    assert json.loads((await get(live, "/api/desk/me", agent("1001"))).body)["agent"]["reason"] == "break"
    logged_out = await post(live, "/api/desk/logout", signed(live, "1001"), {})
    assert json.loads(logged_out.body)["agent"]["state"] == "logged_out"
    again = await post(live, "/api/desk/ready", signed(live, "1001"), {})
    assert again.status == 409 and "logged_out" in json.loads(again.body)["error"]


@on_asyncio
async def test_bad_reasons_missing_tokens_and_other_roles_are_refused(live):
    bad = await post(live, "/api/desk/pause", signed(live, "1001"), {"reason": "nap"})
    assert bad.status == 400 and "reason: one of" in json.loads(bad.body)["error"]
    hold = await post(live, "/api/desk/pause", signed(live, "1001"), {"reason": "wrapup"})
    assert hold.status == 400  # the hold's reason is never an agent's
    odd_reasons = (("pause", ["lunch"]), ("pause", {"a": 1}), ("escalate", ["complex"]), ("escalate", 7))
    for path, reason in odd_reasons:
        odd = await post(live, f"/api/desk/{path}", signed(live, "1001"), {"reason": reason})
        assert odd.status == 400 and "reason: one of" in json.loads(odd.body)["error"], (path, reason)
    session, token = await session_of(live, "1001")
    no_token = await post(live, "/api/desk/pause", session, {"reason": "lunch"})
    wrong = await post(live, "/api/desk/pause", {**session, "X-CSRF-Token": "0" * 64}, {"reason": "lunch"})
    supervisor = await post(live, "/api/desk/pause", auth(live, "9001"), {"reason": "lunch"})
    nobody = await post(live, "/api/desk/pause", {}, {"reason": "lunch"})
    assert [a.status for a in (no_token, wrong, supervisor, nobody)] == [403, 403, 403, 401]
    assert "CSRF" in json.loads(no_token.body)["error"]
    assert (await get(live, "/api/desk/me", auth(live, "9001"))).status == 403
    assert live.book.agents["1001"].state is State.READY and pauses(live) == []
    with_token = await post(live, "/api/desk/pause", {**session, "X-CSRF-Token": token}, {"reason": "lunch"})
    assert with_token.status == 200 and live.book.agents["1001"].state is State.PAUSED
    no_token_wrapup = await post(live, "/api/wrapup/c-sup", session, {"disposition": "answered"})
    assert no_token_wrapup.status == 403


@on_asyncio
async def test_an_agent_added_a_moment_ago_has_a_desk_before_the_book_enrols_them(live):
    """The staff table lets them sign in at once; the book hears of them at the next roster
    tick: until then the desk shows them logged out, and a wrap-up finds no call of theirs."""
    dana = Person("4001", "Dana Ruiz", "agent", ("front",), None, ("support",))
    await live.people.add(dana, AGENT_PASSWORD)
    assert "4001" not in live.book.agents
    desk = await get(live, "/api/desk/me", agent("4001"))
    assert desk.status == 200 and json.loads(desk.body)["agent"]["state"] == State.LOGGED_OUT.value
    wrapup = await post(live, "/api/wrapup/c-sup", agent("4001"), {"disposition": "answered"})
    assert wrapup.status == 403


@on_asyncio
async def test_a_wrap_up_from_the_page_is_saved_and_ends_the_hold(live):
    live.book.wrapups["sales"] = 60.0
    sales_call(live)
    live.apply(ev.CallCompleted(time.time(), "c-sales", "sales", "1004", 1.0, 20.0, "agent"))
    me = json.loads((await get(live, "/api/desk/me", agent("1004"))).body)
    assert me["agent"]["state"] == "wrap_up" and me["wrapup"]["call"] == "c-sales"
    assert 55 < me["wrapup"]["left"] <= 60
    ready = await post(live, "/api/desk/ready", signed(live, "1004"), {})
    assert ready.status == 409 and "submit the wrap-up first" in json.loads(ready.body)["error"]
    form = {"disposition": "fault_ticket", "notes": "Router <b>dead</b>; ticket 42", "follow_up": True}
    other = await post(live, "/api/wrapup/c-sales", signed(live, "1003"), form)
    assert other.status == 403
    done = await post(live, "/api/wrapup/c-sales", signed(live, "1004"), form)
    assert done.status == 200 and json.loads(done.body)["agent"]["state"] == "ready"
    assert live.book.agents["1004"].state is State.READY
    with db.sessions(live.directory.engine)() as session:
        row = session.scalars(select(Disposition)).one()
        assert (row.agent, row.code, row.resolved, row.follow_up) == ("1004", "fault_ticket", False, True)
        assert session.scalars(select(Note.text)).all() == ["Router <b>dead</b>; ticket 42"]
    figures = json.loads((await get(live, "/api/desk/me", agent("1004"))).body)["today"]
    assert (figures["calls"], figures["submitted"], figures["resolved_share"], figures["wrapups"]) == (
        1,
        1,
        0.0,
        1,
    )


@pytest.mark.parametrize(
    ("form", "says"),
    [
        ({"disposition": "nope"}, "disposition: one of"),
        ({}, "disposition: one of"),
        ({"disposition": "answered", "resolved": "yes"}, "resolved: true or false"),
        ({"disposition": "answered", "notes": 5}, "notes: text"),
        ({"disposition": "answered", "notes": "x" * 2001}, "notes: at most 2000 characters"),
        ({"disposition": "answered", "notes": "a\x00b"}, "notes: no control characters"),
        ({"disposition": "answered", "colour": "red"}, "unknown field 'colour'"),
    ],
)
@on_asyncio
async def test_a_bad_wrap_up_is_a_400_that_says_why(live, form, says):
    answer = await post(live, "/api/wrapup/c-sales", signed(live, "1004"), form)
    assert answer.status == 400 and says in json.loads(answer.body)["error"]


@on_asyncio
async def test_a_wrap_up_for_a_call_the_agent_never_took_is_403(live):
    answer = await post(live, "/api/wrapup/c-other", signed(live, "1004"), {"disposition": "answered"})
    guessed = await post(live, "/api/wrapup/no-such", signed(live, "1004"), {"disposition": "answered"})
    odd = await post(live, "/api/wrapup/a%20b", signed(live, "1004"), {"disposition": "answered"})
    assert (answer.status, guessed.status, odd.status) == (403, 403, 400)
    later = await post(live, "/api/wrapup/c-sales", signed(live, "1004"), {"disposition": "answered"})
    assert later.status == 200  # coded after the hold: saved, counted
    assert live.agent_day.of("1004")["resolved"] == 1


@on_asyncio
async def test_escalate_from_the_page_sends_the_call_on_with_the_note(live):
    none = await post(live, "/api/desk/escalate", signed(live, "1001"), {"reason": "technical"})
    assert none.status == 409 and "no queued call" in json.loads(none.body)["error"]
    now = time.time()
    live.apply(ev.CallerJoined(now, "c-sup", "support", "+4930111", 1, "PJSIP/trunk-7"))
    live.apply(ev.AgentRung(now, "c-sup", "support", "1001", "PJSIP/1001-1", "leg-sup"))
    live.apply(ev.CallAnswered(now, "c-sup", "support", "1001", 1.0, 1.0, "PJSIP/1001-1", "leg-sup"))
    bad = await post(live, "/api/desk/escalate", signed(live, "1001"), {"reason": "boredom"})
    assert bad.status == 400
    sent = await post(
        live,
        "/api/desk/escalate",
        signed(live, "1001"),
        {"reason": "technical", "note": "modem swapped, still down"},
    )
    assert sent.status == 202
    assert json.loads(sent.body) == {"call": "c-sup", "from_queue": "support", "to_queue": "support-2"}
    redirect = [a for a in live.escalations.ami.sent if a.name == "Redirect"]
    assert redirect and redirect[0].get("Channel") == "PJSIP/trunk-7"
    escalated = live.center.calls["c-sup"].escalations[-1]
    assert escalated[:3] == ("support", "support-2", "1001")
    await asyncio.sleep(0.3)  # the store's note is written in the background
    with db.sessions(live.directory.engine)() as session:
        notes = session.scalars(select(Note.text)).all()
    assert notes == ["escalated from support to support-2: technical: modem swapped, still down"]
