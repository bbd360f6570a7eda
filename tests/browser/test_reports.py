"""/reports in Debian's Chromium against the real daemon's site in process (a real store): a
supervisor sees today's figures from the live model and yesterday's folded from the journal,
as a table and four uPlot charts; the API checks its input and roles (an agent gets 403, a
supervisor's agent rows are their teams' only)."""

from __future__ import annotations

import datetime as dt
import json
import time

from playwright.async_api import expect

from acd.config_journal import Days
from acd.core import events as ev
from tests.asterisk.test_fastagi import on_asyncio
from tests.browser.holding import answer_last
from tests.browser.test_desk import live as live  # the fixture
from tests.web.test_pops import agent, get
from tests.web.test_pops import agents_sign_in as agents_sign_in  # the fixture
from tests.web.test_push import auth


def calls(at: float, prefix: str, agents: tuple[str, ...], queue: str = "support") -> list[ev.Event]:
    made: list[ev.Event] = []
    for n, number in enumerate(agents):
        call, wait = f"{prefix}{n}", 5 + 20 * n
        made += [
            ev.CallerJoined(at + n * 60, call, queue, f"+49301{n}", 1),
            ev.AgentRung(at + n * 60 + wait - 1, call, queue, number),
            ev.CallAnswered(at + n * 60 + wait, call, queue, number, wait, 1),
            ev.CallCompleted(at + n * 60 + wait + 50, call, queue, number, wait, 50, "agent"),
        ]
    made.append(ev.CallerJoined(at + 300, f"{prefix}x", queue, "+4930999", 1))
    made.append(ev.CallerAbandoned(at + 330, f"{prefix}x", queue, 30))
    return made


def yesterday_in_the_journal(made) -> dt.date:
    days = Days(made.config.timezone)
    day = days.date(time.time()) - dt.timedelta(days=1)
    noon = days.midnight(day) + 12 * 3600
    for event in calls(noon, "y", ("1001", "1002", "1003")) + calls(noon, "z", ("2001",), "support-2"):
        made.journal.append(made.sequence.next(event))
    assert made.journal.flush()
    return day


async def supervisor_in(page, made, number: str = "9001") -> None:
    person = made.config.person(number)
    assert person is not None and person.password
    await page.goto(f"http://127.0.0.1:{made.config.http.port}/signin?next=/reports")
    await page.fill('input[name="number"]', number)
    await page.fill('input[name="password"]', person.password)
    await page.click('button[type="submit"]')
    await page.wait_for_url("**/reports")


@on_asyncio
async def test_a_supervisor_sees_today_live_and_yesterday_from_the_journal(live, page):
    now = time.time()
    start = max(Days(live.config.timezone).start(now), now - 1800)
    for event in calls(start, "t", ("1001", "1002")):
        live.apply(event)
    yesterday = yesterday_in_the_journal(live)
    await supervisor_in(page, live)
    await expect(page.locator("header nav a", has_text="Reports")).to_have_attribute("href", "/reports")
    table = page.locator("#report tbody tr")
    await expect(table.first).to_be_visible()
    today = await page.locator("#report tbody tr td:nth-child(4)").all_text_contents()
    assert sum(int(v) for v in today) == 3  # two answered and one abandoned caller joined today
    await expect(page.locator(".charts .uplot")).to_have_count(4)  # the plan's is apart
    assert await page.locator(".charts .uplot canvas").count() >= 4

    await page.fill("#report-day", yesterday.isoformat())
    await page.select_option("#report-by", "line")
    await page.click("#report-form button[type=submit]")
    await expect(page.locator("#report-status")).to_contain_text(yesterday.isoformat())
    rows = page.locator("#report tbody tr")
    keys = await page.locator("#report tbody tr td:nth-child(3)").all_text_contents()
    assert set(keys) == {"1", "2"}
    offered = await rows.locator("td:nth-child(4)").all_text_contents()
    assert sum(int(v) for v in offered) == 6  # 3 + 1 answered, 2 abandoned, over lines 1 and 2
    assert page.errors == []


@on_asyncio
async def test_the_api_checks_its_input_and_who_asks(live):
    yesterday = yesterday_in_the_journal(live)
    asked = f"/api/reports?day={yesterday}&by=agent&interval=15"
    front = json.loads((await get(live, asked, auth(live, "9001"))).body)
    assert {r["key"] for r in front["rows"]} == {"1001", "1002", "1003"}  # team front
    back = json.loads((await get(live, asked, auth(live, "9002"))).body)
    assert {r["key"] for r in back["rows"]} == {"2001"}  # team back
    admin = json.loads((await get(live, asked, auth(live, "9901"))).body)
    assert {r["key"] for r in admin["rows"]} == {"1001", "1002", "1003", "2001"}
    assert (await get(live, asked, agent("1001"))).status == 403
    assert (await get(live, "/reports", agent("1001"))).status == 403
    backwards, ahead = f"day={yesterday}&to=2001-01-01", f"day={yesterday}&to=2099-01-01"
    for bad in (
        "day=yesterday",
        "to=x",
        "by=team",
        "interval=20",
        backwards,
        "day=2099-01-01",
        ahead,
        "day=0001-01-01",
    ):
        answer = await get(live, f"/api/reports?{bad}", auth(live, "9901"))
        assert answer.status == 400, bad
    too_long = f"/api/reports?day={yesterday - dt.timedelta(days=80)}&to={yesterday}"
    assert (await get(live, too_long, auth(live, "9901"))).status == 400


@on_asyncio
async def test_today_before_its_first_event_is_empty(live):
    """The live figures turn to today with its first event; before it they are yesterday's."""
    days = Days(live.config.timezone)
    live.apply(ev.AgentLoggedIn(days.start(time.time()) - 3600, "2001", "PJSIP/1007"))
    answer = json.loads((await get(live, "/api/reports?by=center", auth(live, "9901"))).body)
    assert answer["rows"] == []


@on_asyncio
async def test_a_report_answered_after_a_newer_one_does_not_replace_it(live, page):
    """A long range asked for, then today: when the long one's answers (the figures, the plan)
    come last, today's report and plan stay, as the form says."""
    import asyncio

    yesterday = yesterday_in_the_journal(live)
    today = Days(live.config.timezone).date(time.time())
    await supervisor_in(page, live)
    await expect(page.locator("#report-status")).to_contain_text(today.isoformat())
    await expect(page.locator("#plan-status")).to_contain_text(today.isoformat())
    figures, figures_asked = answer_last(lambda url: f"day={yesterday.isoformat()}" in url)
    plan, plan_asked = answer_last(lambda url: f"day={yesterday.isoformat()}" in url)
    await page.route("**/api/reports?*", figures)
    await page.route("**/api/reports/plan?*", plan)
    await page.fill("#report-day", yesterday.isoformat())
    await page.click("#report-form button[type=submit]")
    await asyncio.wait_for(asyncio.gather(figures_asked.wait(), plan_asked.wait()), 10)
    await page.fill("#report-day", today.isoformat())
    await page.click("#report-form button[type=submit]")
    for status in ("#report-status", "#plan-status"):
        await expect(page.locator(status)).to_contain_text(today.isoformat())
    await asyncio.sleep(1.0)  # yesterday's answers have arrived and been read
    for status in ("#report-status", "#plan-status"):
        await expect(page.locator(status)).to_contain_text(today.isoformat())
        await expect(page.locator(status)).not_to_contain_text(yesterday.isoformat())
    assert page.errors == []
