"""The agent's desk in Debian's Chromium against the real daemon's site (in process, a real
store): signed in by the form, the page draws the pop as the phone rings and clears it when the
ring stops; a hostile customer name is text; the pick on a shared number goes through the
page's own CSRF token; a stream cut by the daemon reconnects by itself and the next ring pops."""

from __future__ import annotations

import asyncio
import time

import pytest
from playwright.async_api import expect
from sqlalchemy import select

from acd.core import events as ev
from acd.store import db
from acd.store.models import Customer, Interaction, Note, PhoneNumber
from tests.asterisk.test_fastagi import on_asyncio
from tests.web.test_pops import AGENT_PASSWORD, agents_sign_in, ring  # noqa: F401
from tests.web.test_push import make_daemon

HOSTILE = '<img src=x onerror="document.title=\'pwned\'">Ada'


@pytest.fixture
def live(tmp_path, agents_sign_in):  # noqa: F811
    import datetime as dt

    from twisted.internet import reactor

    made = make_daemon(tmp_path)
    now = dt.datetime.now(dt.UTC)
    with db.sessions(made.directory.engine).begin() as session:
        session.add_all([Customer(id=1, name=HOSTILE, vip=True), Customer(id=2, name="Bo Berg")])
        session.flush()
        session.add_all([PhoneNumber(number="+4930111", customer_id=1)])
        session.add_all([PhoneNumber(number="+4930222", customer_id=c) for c in (1, 2)])
        session.add(Interaction(id=9, linkedid="earlier", customer_id=1, started_at=now, outcome="completed"))
        session.add_all([Interaction(linkedid=c, started_at=now) for c in ("c-one", "c-shared", "c-next")])
        session.flush()
        session.add(Note(interaction_id=9, agent="1002", text="<b>router</b> reset", at=now))
    port = reactor.listenTCP(made.config.http.port, made.site, interface="127.0.0.1")
    yield made
    made.feed.stop()
    port.stopListening()
    made.directory.close()


async def signed_in(page, made, number: str = "1001") -> None:
    await page.goto(f"http://127.0.0.1:{made.config.http.port}/signin?next=/desk")
    await page.fill('input[name="number"]', number)
    await page.fill('input[name="password"]', AGENT_PASSWORD)
    await page.click('button[type="submit"]')
    await page.wait_for_url("**/desk")
    await page.wait_for_selector('#connection[data-state="live"]')


@on_asyncio
async def test_the_pop_appears_while_the_phone_rings_and_goes_when_the_ring_stops(live, page):
    await signed_in(page, live)
    assert await page.is_visible("#no-pops")
    ring(live, "c-one", "1001", customer_id=1, candidates=1, category="technical", account="12345674",
         verification="verified", ivr_steps=("category:technical", "date_of_birth:right"))  # fmt: skip
    card = '.pop[data-call="c-one"][data-state="ringing"]'
    await page.wait_for_selector(card)
    assert await page.text_content(f"{card} .pop-name") == HOSTILE  # text, not markup
    assert await page.query_selector(".pop img") is None and await page.title() != "pwned"
    assert await page.text_content(f"{card} .pop-category") == "technical"
    assert await page.text_content(f"{card} .pop-account") == "12345674"
    assert await page.text_content(f"{card} .pop-verification") == "verified by date of birth"
    assert await page.is_visible(f"{card} .pop-vip")
    assert await page.text_content(f"{card} .pop-contacts .pop-note") == "<b>router</b> reset"
    assert not await page.is_visible("#no-pops")
    live.apply(ev.CallAnswered(time.time(), "c-one", "support", "1001", 3.0, 1.0))
    await page.wait_for_selector('.pop[data-call="c-one"][data-state="connected"]')
    live.apply(ev.CallCompleted(time.time(), "c-one", "support", "1001", 3.0, 5.0, "caller"))
    await page.wait_for_selector('.pop[data-call="c-one"]', state="detached")
    assert await page.is_visible("#no-pops")
    assert page.errors == []


@on_asyncio
async def test_another_agent_s_ring_never_reaches_the_page(live, page):
    await signed_in(page, live)
    ring(live, "c-next", "1002", customer_id=1, candidates=1)
    ring(live, "c-one", "1001", customer_id=1, candidates=1)
    await page.wait_for_selector('.pop[data-call="c-one"]')
    assert await page.query_selector('.pop[data-call="c-next"]') is None


@on_asyncio
async def test_on_a_shared_number_the_agent_picks_the_customer_with_the_page_s_token(live, page):
    await signed_in(page, live)
    ring(live, "c-shared", "1001", caller_id="+4930222", candidates=2)
    card = '.pop[data-call="c-shared"]'
    await page.wait_for_selector(f'{card} button[data-customer="2"]')
    assert await page.text_content(f"{card} .pop-name") == "Shared number"
    await page.click(f'{card} button[data-customer="2"]')
    await page.wait_for_selector(f'{card} .pop-name:text-is("Bo Berg")')
    with db.sessions(live.directory.engine)() as session:
        row = session.scalars(select(Interaction).where(Interaction.linkedid == "c-shared")).one()
        assert row.customer_id == 2
    assert page.errors == []


@on_asyncio
async def test_a_cut_stream_reconnects_and_the_next_ring_pops(live, page):
    await signed_in(page, live)
    live.feed.stop()  # every stream ends, as when the daemon stops
    await page.wait_for_selector('#connection[data-state="down"]')
    await page.wait_for_selector('#connection[data-state="live"]', timeout=15_000)  # EventSource's retry
    ring(live, "c-one", "1001", customer_id=1, candidates=1)
    await page.wait_for_selector('.pop[data-call="c-one"]')


@on_asyncio
async def test_a_caller_who_hangs_up_while_the_ring_s_pop_is_fetched_leaves_no_pop(live, page):
    """The ring's fetch is answered (ringing) after the abandon reached the page: the pop must
    not stay up for a call that has gone."""
    await signed_in(page, live)
    fetched, gone = asyncio.Event(), asyncio.Event()

    async def answer_after_the_abandon(route) -> None:
        before = await route.fetch()  # the pop as it is now: ringing
        fetched.set()
        await gone.wait()
        await asyncio.sleep(0.3)  # the abandon is on the page by now
        await route.fulfill(response=before)

    await page.route("**/api/pops/c-one", answer_after_the_abandon)
    ring(live, "c-one", "1001", customer_id=1, candidates=1)
    await asyncio.wait_for(fetched.wait(), 10)
    live.apply(ev.CallerAbandoned(time.time(), "c-one", "support", 2.0))
    gone.set()
    await asyncio.sleep(1.0)  # the ring's answer has arrived and been read
    await expect(page.locator('.pop[data-call="c-one"]')).to_have_count(0)
    assert await page.is_visible("#no-pops")
    assert page.errors == []
