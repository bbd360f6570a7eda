"""/knowledge in Debian's Chromium, against the real daemon's site in process (a real store):
a supervisor sees an agent's question (asked through the API, with its call), answers it, the
question leaves the list and the agent's search finds the entry; a question's markup shows as
text; an entry is edited. Every step is the page's own fetch with its CSRF token."""

from __future__ import annotations

import json

from playwright.async_api import expect

from tests.asterisk.test_fastagi import on_asyncio
from tests.browser.holding import answer_last
from tests.browser.test_desk import HOSTILE
from tests.browser.test_desk import live as live  # the fixture
from tests.web.test_knowledge import staff
from tests.web.test_pops import agent, get, post
from tests.web.test_pops import agents_sign_in as agents_sign_in  # the fixture


async def supervisor_in(page, made, number: str = "9001") -> None:
    person = made.config.person(number)
    assert person is not None and person.password
    await page.goto(f"http://127.0.0.1:{made.config.http.port}/signin?next=/knowledge")
    await page.fill('input[name="number"]', number)
    await page.fill('input[name="password"]', person.password)
    await page.click('button[type="submit"]')
    await page.wait_for_url("**/knowledge")
    await expect(page.locator("#kb-office")).to_have_attribute("data-loaded", "yes")


@on_asyncio
async def test_a_supervisor_answers_an_agent_s_question_and_edits_the_entry(live, page):
    asked = {"question": "Does the new router do IPv6?", "call": "c-one", "category": "technical"}
    assert (await post(live, "/api/kb/questions", agent("1001"), asked)).status == 201
    hostile = {"question": HOSTILE + " asks?"}
    assert (await post(live, "/api/kb/questions", agent("1001"), hostile)).status == 201
    await supervisor_in(page, live)
    await expect(page.locator("header nav a", has_text="Knowledge")).to_have_attribute("href", "/knowledge")
    open_ = page.locator(".kb-open")
    await expect(open_).to_have_count(2)
    first = open_.filter(has_text="IPv6")
    await expect(first.locator(".kb-question-call")).to_have_text("call c-one")
    await expect(first.locator(".kb-question-agent")).to_have_text("asked by 1001")
    await expect(first.locator(".kb-question-category")).to_have_text("technical")
    await expect(open_.filter(has_text="pwned").locator(".kb-question-text")).to_have_text(HOSTILE + " asks?")
    assert await page.locator("#kb-office img").count() == 0 and await page.title() != "pwned"

    await first.locator(".kb-title").fill("IPv6 on the new router")
    await first.locator(".kb-body").fill("Yes: switch it on under <b>Network</b>.")
    await first.locator("button[type=submit]").click()
    await expect(page.locator("#kb-message")).to_have_text("Answered: the answer is an entry now.")
    await expect(open_).to_have_count(1)
    await expect(open_.filter(has_text="IPv6")).to_have_count(0)
    found = json.loads((await get(live, "/api/kb?q=ipv6&category=technical", agent("1001"))).body)
    [entry] = found["entries"]
    assert entry["title"] == "IPv6 on the new router" and entry["updated_by"] == "9001"

    await page.select_option(".kb-filter-category", "technical")
    await expect(page.locator("#kb-office")).to_have_attribute("data-loaded", "yes")  # then open the editor
    shown = page.locator(f'.kb-entry[data-entry="{entry["id"]}"]')
    await expect(shown.locator(".kb-entry-body")).to_have_text("Yes: switch it on under <b>Network</b>.")
    await shown.locator("summary").click()
    await shown.locator(".kb-title").fill("IPv6 on the new router (firmware 2)")
    await shown.locator(".kb-category").fill("internet")
    await shown.locator("button[type=submit]").click()
    await expect(page.locator("#kb-message")).to_have_text("Entry saved.")
    await expect(page.locator(".kb-filter-category")).to_have_value("")  # technical may be gone
    found = json.loads((await get(live, "/api/kb?q=ipv6", agent("1001"))).body)
    [edited] = found["entries"]
    assert edited["title"] == "IPv6 on the new router (firmware 2)" and edited["category"] == "internet"
    await expect(page.locator(f'.kb-entry[data-entry="{entry["id"]}"] .kb-entry-title')).to_have_text(
        "IPv6 on the new router (firmware 2)"
    )
    assert page.errors == []


@on_asyncio
async def test_a_new_entry_is_added_and_a_refused_one_says_why(live, page):
    await supervisor_in(page, live, "9901")  # an admin
    await page.click("#kb-new summary")
    form = page.locator("#kb-new form")
    await form.locator(".kb-title").fill("Opening hours")
    await form.locator(".kb-body").fill("8 to 20, Monday to Saturday.")
    await form.locator(".kb-category").fill("Not One")  # the browser's pattern refuses it
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#kb-message")).to_have_text("")
    await form.locator(".kb-category").fill("general")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#kb-message")).to_have_text("Entry added.")
    await expect(page.locator(".kb-entry", has_text="Opening hours")).to_contain_text("general")
    await expect(form.locator(".kb-title")).to_have_value("")
    found = json.loads((await get(live, "/api/kb?q=opening", agent("1001"))).body)
    assert [e["updated_by"] for e in found["entries"]] == ["9901"]
    assert page.errors == []


@on_asyncio
async def test_a_list_asked_for_earlier_and_answered_later_is_not_drawn_over_a_newer_one(live, page):
    """A search sent, then a category picked: when the search's answer comes last, the page
    still shows the category's entries (only the newest refresh draws), and says when it is
    done (data-loaded), so nobody opens an editor that a late list then closes."""
    import asyncio

    for category, title in (("technical", "Router lights"), ("product", "Price list")):
        entry = {"category": category, "title": title, "body": "Read this."}
        assert (await post(live, "/api/kb", staff(live, "9001"), entry)).status == 201
    await supervisor_in(page, live)
    answer_the_search_last, asked = answer_last(lambda url: "category=" not in url)
    await page.route("**/api/kb?*", answer_the_search_last)
    await page.locator(".kb-filter-q").fill("")
    await page.locator(".kb-filter").evaluate("form => form.requestSubmit()")
    await asyncio.wait_for(asked.wait(), 10)
    await page.select_option(".kb-filter-category", "technical")
    await expect(page.locator("#kb-office")).to_have_attribute("data-loaded", "yes")
    await asyncio.sleep(1.0)  # the search's answer has arrived and been read
    categories = await page.locator(".kb-entry .kb-entry-category").all_text_contents()
    assert categories and set(categories) == {"technical"}
    await expect(page.locator(".kb-filter-category")).to_have_value("technical")
    assert page.errors == []
