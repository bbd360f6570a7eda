"""The agent's controls on /desk in Debian's Chromium, against the real daemon's site in process
(a real store, the AMI faked): ready / pause with a reason / sign out of the queues through the
page's CSRF token, one state with the phone's feature codes both ways; the wrap-up form saved
and shown on the customer's next pop; the knowledge base searched, a question asked; escalate;
today's figures. The page follows the stream (desk.js's "deskevent"), never a poll."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from playwright.async_api import expect
from sqlalchemy import select

from acd.core import events as ev
from acd.core.agents import State
from acd.store import db, knowledge
from acd.store.models import Interaction, Note
from tests.asterisk.test_agent_restore import FakeAmi
from tests.asterisk.test_fastagi import on_asyncio
from tests.browser.holding import answer_last
from tests.browser.test_desk import HOSTILE, signed_in
from tests.browser.test_desk import live as live  # the fixture
from tests.web.test_pops import agents_sign_in, get, post, ring  # noqa: F401  (a fixture)
from tests.web.test_push import auth


@pytest.fixture
def desk(live):
    """The live site with the PBX's side faked: the desk's pauses and the escalation's redirect."""
    live.desk.ami = live.escalations.ami = FakeAmi()
    return live


def answered(made, call: str, agent: str = "1001", customer_id: int | None = 1) -> None:
    """A call rung to `agent` and answered, with the caller's channel (escalate needs it)."""
    now = time.time()
    made.apply(ev.CallRouted(now, call, "+4930111", "800", "support", customer_id=customer_id, candidates=1))
    made.apply(ev.CallerJoined(now, call, "support", "+4930111", 1, "PJSIP/trunk-7"))
    made.apply(ev.AgentRung(now, call, "support", agent, f"PJSIP/{agent}-1", f"leg-{call}"))
    made.apply(ev.CallAnswered(now, call, "support", agent, 1.0, 1.0, f"PJSIP/{agent}-1", f"leg-{call}"))


async def state_of(page) -> str:
    """What /api/desk/me says, asked with the page's own session."""
    answer = await page.request.get(page.url.replace("/desk", "/api/desk/me"))
    assert answer.ok
    return (await answer.json())["agent"]["state"]


@on_asyncio
async def test_pause_with_a_reason_then_ready_and_a_pause_from_the_phone_shows(desk, page):
    await signed_in(page, desk)
    state = page.locator("#state-controls .desk-state")
    await expect(state).to_have_attribute("data-state", "ready")
    await expect(page.locator(".desk-ready")).to_be_disabled()
    await page.select_option(".desk-reason", "lunch")
    await page.click(".desk-pause")
    await expect(state).to_have_attribute("data-state", "paused")
    await expect(state).to_contain_text("Paused (lunch)")
    assert await state_of(page) == "paused" and desk.book.agents["1001"].reason == "lunch"
    await page.click(".desk-ready")
    await expect(state).to_have_attribute("data-state", "ready")
    assert await state_of(page) == "ready"
    # the phone's *71 (the agent desk's own pause, as the feature code makes it): the stream says so
    await desk.desk.pause("1001", "break")
    await expect(state).to_have_attribute("data-state", "paused")
    await expect(state).to_contain_text("(break)")
    assert await state_of(page) == "paused"
    desk.apply(ev.AgentResumed(time.time(), "1001"))  # *72, as the core hears it
    await expect(state).to_have_attribute("data-state", "ready")
    await page.click(".desk-logout")
    await expect(state).to_have_attribute("data-state", "logged_out")
    assert desk.book.agents["1001"].state is State.LOGGED_OUT
    sent = [(a.get("Paused"), a.get("Reason")) for a in desk.desk.ami.sent if a.name == "QueuePause"]
    assert sent[:2] == [("true", "lunch"), ("false", "")]
    assert page.errors == []


@on_asyncio
async def test_a_post_without_the_page_s_csrf_token_is_refused(desk, page):
    await signed_in(page, desk)
    [cookie] = [c for c in await page.context.cookies() if c["name"] == "acd_session"]
    origin = f"http://127.0.0.1:{desk.config.http.port}"
    session = {"Cookie": f"acd_session={cookie['value']}", "Origin": origin}
    for path, body in (("/api/desk/pause", {"reason": "lunch"}), ("/api/kb/questions", {"question": "x?"})):
        refused = await post(desk, path, session, body)
        assert refused.status == 403 and b"CSRF" in refused.body, (path, refused.body)
    assert desk.book.agents["1001"].state is State.READY
    await expect(page.locator(".desk-state")).to_have_attribute("data-state", "ready")
    assert page.errors == []


@on_asyncio
async def test_the_wrap_up_is_saved_and_the_customer_s_next_pop_shows_it(desk, page):
    desk.book.wrapups["support"] = 60.0  # Asterisk's hold: the agent is rung again once they submit
    with db.sessions(desk.directory.engine).begin() as session:  # the IVR's record names the caller
        session.scalars(select(Interaction).where(Interaction.linkedid == "c-one")).one().customer_id = 1
    await signed_in(page, desk)
    answered(desk, "c-one")
    await expect(page.locator('.pop[data-call="c-one"][data-state="connected"]')).to_be_visible()
    desk.apply(ev.CallCompleted(time.time(), "c-one", "support", "1001", 1.0, 30.0, "caller"))
    await expect(page.locator(".desk-state")).to_have_attribute("data-state", "wrap_up")
    form = page.locator('#wrapup[data-call="c-one"] .wrapup-form')
    await expect(form.locator(".wrapup-countdown")).to_contain_text("Ready again in")
    await expect(form.locator(".wrapup-resolved")).to_be_checked()  # the first code's default
    await form.locator(".wrapup-notes").fill("typed before")
    await page.click(".desk-ready")  # the hold is the wrap-up's: the page says why not
    await expect(page.locator("#state-controls .desk-message.error")).to_contain_text(
        "submit the wrap-up first"
    )
    await expect(form.locator(".wrapup-notes")).to_have_value("typed before")  # kept across redraws
    assert [e for e in page.errors if "409" not in e] == []
    page.errors.clear()
    await form.locator(".wrapup-disposition").select_option("fault_ticket")
    await expect(form.locator(".wrapup-resolved")).not_to_be_checked()
    await form.locator(".wrapup-notes").fill("Router <b>dead</b>; ticket 42")
    await form.locator(".wrapup-follow-up").check()
    await form.locator(".wrapup-submit").click()
    await expect(page.locator("#wrapup .desk-message")).to_have_text("Wrap-up saved.")
    await expect(page.locator(".desk-state")).to_have_attribute("data-state", "ready")
    await expect(page.locator("#state-controls .desk-message")).to_have_text("")
    assert desk.book.agents["1001"].state is State.READY
    await expect(page.locator("#my-figures .figure-calls")).to_have_text("1")
    await expect(page.locator("#my-figures .figure-wrapups")).to_contain_text("1 (")
    ring(desk, "c-next", "1001", customer_id=1, candidates=1)
    contact = page.locator('.pop[data-call="c-next"] .pop-contacts li', has_text="fault_ticket (1001)")
    await expect(contact).to_be_visible()
    await expect(contact.locator(".pop-note")).to_have_text("Router <b>dead</b>; ticket 42")
    assert await page.locator(".pop b").count() == 0
    assert page.errors == []


@on_asyncio
async def test_the_knowledge_base_finds_entries_as_text_and_a_question_reaches_the_back_office(desk, page):
    with db.sessions(desk.directory.engine).begin() as session:
        knowledge.add_entry(
            session, "technical", "Router blinks red", "Hold reset for 10 s.", "9001", time.time()
        )
        knowledge.add_entry(
            session, "technical", HOSTILE + " router", "<script>x</script>", "9001", time.time()
        )
        knowledge.add_entry(session, "billing", "Router invoice", "A billing answer.", "9001", time.time())
    await signed_in(page, desk)
    ring(desk, "c-one", "1001", customer_id=1, candidates=1, category="technical")
    await expect(page.locator('.pop[data-call="c-one"]')).to_be_visible()
    desk.apply(ev.CallAnswered(time.time(), "c-one", "support", "1001", 1.0, 1.0))
    await expect(page.locator('.pop[data-call="c-one"][data-state="connected"]')).to_be_visible()
    await expect(page.locator(".kb-category")).to_have_value("technical")  # the pop's category
    await page.fill(".kb-q", "router")
    await page.click(".kb-form button[type=submit]")
    titles = page.locator(".kb-results .kb-entry h3")
    await expect(titles).to_have_count(2)  # technical only: the billing entry is not in it
    await expect(page.locator(".kb-results .kb-entry", has_text="Router blinks red")).to_contain_text(
        "Hold reset"
    )
    await expect(titles.filter(has_text="pwned")).to_have_text(HOSTILE + " router")
    assert await page.locator(".kb-results img, .kb-results script").count() == 0
    assert await page.title() != "pwned"
    await page.select_option(".kb-category", "")  # every category
    await page.click(".kb-form button[type=submit]")
    await expect(titles).to_have_count(3)
    await page.fill(".kb-q", "nothing matches this")
    await page.click(".kb-form button[type=submit]")
    await expect(page.locator(".kb-results .kb-none")).to_be_visible()
    await page.fill(".kb-question", "Does the new <i>router</i> do IPv6?")
    await page.click(".kb-ask button[type=submit]")
    await expect(page.locator("#kb-search .desk-message")).to_have_text("Sent to the back office.")
    listed = await get(desk, "/api/kb/questions", auth(desk, "9001"))
    [asked] = json.loads(listed.body)["questions"]
    assert asked["question"] == "Does the new <i>router</i> do IPv6?" and asked["agent"] == "1001"
    assert asked["call"] == "c-one" and asked["category"] == "technical"
    assert page.errors == []


@on_asyncio
async def test_a_search_answered_after_a_newer_one_does_not_replace_its_results(desk, page):
    with db.sessions(desk.directory.engine).begin() as session:
        knowledge.add_entry(session, "technical", "Router blinks red", "Hold reset.", "9001", time.time())
        knowledge.add_entry(session, "billing", "Invoice twice", "Refund one.", "9001", time.time())
    await signed_in(page, desk)
    answer_the_first_last, asked = answer_last(lambda url: "invoice" not in url)
    await page.route("**/api/kb?*", answer_the_first_last)
    await page.fill(".kb-q", "router")
    await page.click(".kb-form button[type=submit]")
    await asyncio.wait_for(asked.wait(), 10)
    await page.fill(".kb-q", "invoice")
    await page.click(".kb-form button[type=submit]")
    titles = page.locator(".kb-results .kb-entry h3")
    await expect(titles).to_have_text(["Invoice twice"])
    await asyncio.sleep(1.0)  # the first search's answer has arrived and been read
    await expect(titles).to_have_text(["Invoice twice"])
    assert page.errors == []


@on_asyncio
async def test_escalate_sends_the_call_on_with_the_reason_and_the_agent_s_note(desk, page):
    await signed_in(page, desk)
    await expect(page.locator(".desk-escalate")).to_have_count(0)  # on no call: nothing to escalate
    answered(desk, "c-one")
    form = page.locator(".desk-escalate")
    await expect(form).to_be_visible()
    await form.locator(".desk-escalate-reason").select_option("technical")
    await form.locator(".desk-escalate-note").fill("modem swapped, still down")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#state-controls .desk-message")).to_have_text("Sent on to support-2.")
    redirect = [a for a in desk.escalations.ami.sent if a.name == "Redirect"]
    assert redirect and redirect[0].get("Channel") == "PJSIP/trunk-7"
    assert desk.center.calls["c-one"].escalations[-1][:3] == ("support", "support-2", "1001")
    for _ in range(30):  # the store's note is written in the background
        with db.sessions(desk.directory.engine)() as session:
            notes = session.scalars(select(Note.text).where(Note.agent == "1001")).all()
        if notes:
            break
        await asyncio.sleep(0.1)
    assert notes == ["escalated from support to support-2: technical: modem swapped, still down"]
    assert page.errors == []
