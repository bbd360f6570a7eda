"""/cases in Debian's Chromium against the real daemon's site in process (a real store): a
supervisor sees their team's open complaint case, overdue past its deadline, with the owner's
name as text; resolving it with a note (POST with the session's CSRF token) empties the list
and closes the case in the model; the desk's pop shows the customer's open case. With
ACD_SCREENS=DIR the pages are saved as DIR/cases.png and DIR/desk-pop-case.png."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from playwright.async_api import expect

from acd.core import events as ev
from acd.core.cases import case_id
from tests.asterisk.test_fastagi import on_asyncio
from tests.browser.test_desk import live as live  # the fixture
from tests.browser.test_desk import signed_in
from tests.web.test_pops import agents_sign_in as agents_sign_in  # the fixture

HOSTILE_NOTE = "<img src=x onerror=alert(1)> refunded"


async def shot(page, name: str) -> None:
    """The page as it is now, for docs/screens/ (ACD_SCREENS=DIR), nothing otherwise."""
    folder = os.environ.get("ACD_SCREENS")
    if folder:
        await page.screenshot(path=str(Path(folder) / name), full_page=True)


async def coded_complaint(made, call: str, agent: str, at: float) -> str:
    made.apply(ev.CallRouted(at, call, "+4930111", "800", "support", 1, 1))
    made.apply(ev.CallAnswered(at, call, "support", agent, 1.0, 1.0))
    made.apply(ev.CallWrappedUp(at + 5, call, agent, "complaint_logged", False, True))
    await asyncio.sleep(0.05)  # applied on the next turn
    return case_id(call)


async def supervisor_in(page, made, number: str = "9001") -> None:
    person = made.config.person(number)
    assert person is not None and person.password
    await page.goto(f"http://127.0.0.1:{made.config.http.port}/signin?next=/cases")
    await page.fill('input[name="number"]', number)
    await page.fill('input[name="password"]', person.password)
    await page.click('button[type="submit"]')
    await page.wait_for_url("**/cases")


@on_asyncio
async def test_a_supervisor_resolves_an_overdue_case_of_their_team(live, page):
    late = await coded_complaint(live, "c-late", "1001", time.time() - 2 * 24 * 3600)
    await coded_complaint(live, "c-back", "2001", time.time())  # team back: not 9001's
    await supervisor_in(page, live)
    await expect(page.locator("header nav a", has_text="Cases")).to_have_attribute("href", "/cases")
    rows = page.locator("#cases tbody tr")
    await expect(rows).to_have_count(1)
    row = page.locator(f'#cases tbody tr[data-case="{late}"]')
    await expect(row).to_have_class("overdue")
    await expect(row.locator(".case-owner")).to_have_text("Alice Martin (1001)")
    await expect(row.locator(".case-deadline")).to_contain_text("(overdue)")
    await shot(page, "cases.png")
    await row.locator(".case-note").fill(HOSTILE_NOTE)
    await row.locator(".case-resolve-button").click()
    await expect(page.locator("#cases-status")).to_have_text("No open case.")
    await expect(rows).to_have_count(0)
    assert late not in live.cases.open and case_id("c-back") in live.cases.open
    assert await page.locator("#cases img").count() == 0
    assert page.errors == []


@on_asyncio
async def test_the_desk_pop_shows_the_customers_open_case(live, page):
    opened = await coded_complaint(live, "earlier-complaint", "1002", time.time() - 60)
    await signed_in(page, live, "1001")
    now = time.time()
    live.apply(ev.CallRouted(now, "c-one", "+4930111", "800", "support", 1, 1))
    live.apply(ev.CallerJoined(now, "c-one", "support", "+4930111", 1))
    live.apply(ev.AgentRung(now, "c-one", "support", "1001", "PJSIP/1001-1", "leg-c-one"))
    shown = page.locator('.pop[data-call="c-one"] .pop-cases li')
    await expect(shown).to_have_count(1)
    await expect(shown).to_contain_text(f"{opened} · Bruno Keller · level 0")
    await shot(page, "desk-pop-case.png")
    assert page.errors == []


@on_asyncio
async def test_a_list_asked_for_by_the_timer_and_answered_after_a_resolve_does_not_bring_the_case_back(
    live, page
):
    late = await coded_complaint(live, "c-late", "1001", time.time() - 2 * 24 * 3600)
    await page.clock.install()
    await supervisor_in(page, live)
    rows = page.locator("#cases tbody tr")
    await expect(rows).to_have_count(1)
    asked, answered = asyncio.Event(), asyncio.Event()

    async def answer_the_timer_last(route) -> None:
        if asked.is_set():
            await route.continue_()
            answered.set()
            return
        before = await route.fetch()  # the list as it is now, the case still open
        asked.set()
        await answered.wait()
        await asyncio.sleep(0.5)  # the list after the resolve is drawn by now
        await route.fulfill(response=before)

    await page.route("**/api/cases", answer_the_timer_last)
    await page.clock.run_for(15_000)  # the page's own refresh, every 15 s
    await asyncio.wait_for(asked.wait(), 10)
    row = page.locator(f'#cases tbody tr[data-case="{late}"]')
    await row.locator(".case-note").fill("refunded")
    await row.locator(".case-resolve-button").click()
    await expect(page.locator("#cases-status")).to_have_text("No open case.")
    await asyncio.sleep(1.0)  # the timer's answer has arrived and been read
    await expect(rows).to_have_count(0)
    assert page.errors == []


@on_asyncio
async def test_no_open_case_goes_once_a_case_comes_in(live, page):
    await page.clock.install()
    await supervisor_in(page, live)
    await expect(page.locator("#cases-status")).to_have_text("No open case.")
    await coded_complaint(live, "c-new", "1001", time.time())
    await page.clock.run_for(15_000)  # the page's own refresh, every 15 s
    await expect(page.locator("#cases tbody tr")).to_have_count(1)
    await expect(page.locator("#cases-status")).to_have_text("")
    assert page.errors == []
