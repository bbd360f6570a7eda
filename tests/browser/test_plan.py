"""/reports' "Plan and adherence" in Debian's Chromium against the real daemon's site in process
(a real store): yesterday's plan from the same weekday a week before, beside what yesterday's
agents did, as a uPlot chart and a table; the API checks its input and roles, and today's
agents come from the live model. With ACD_SCREENS=DIR the page is saved as DIR/reports-plan.png
(docs/screens/reports-plan.png was made so)."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

from playwright.async_api import expect

from acd.config_journal import Days
from acd.core import events as ev
from tests.asterisk.test_fastagi import on_asyncio
from tests.browser.test_desk import live as live  # the fixture
from tests.browser.test_reports import supervisor_in
from tests.web.test_pops import agent, get
from tests.web.test_pops import agents_sign_in as agents_sign_in  # the fixture
from tests.web.test_push import auth

M = 60.0


def history(eight: float) -> list[ev.Event]:
    """A week before: a call every half-hour 08:00-13:30 (talk 250 s), three at 10:00 and
    10:30. Erlang C at 80/20: 1 agent, 2 seats (30 % shrinkage); at 10:00 and 10:30 2 and 3;
    only 6 h shifts fit the 6 h day, so 3 agents on shift all along."""
    made: list[ev.Event] = []
    for i in range(12):
        for k in range(3 if i in (4, 5) else 1):
            at, call = eight + i * 30 * M + k * 5 * M, f"h{i}-{k}"
            made += [
                ev.CallerJoined(at, call, "support", "+4930100", 1),
                ev.CallAnswered(at + 5, call, "support", "1003", 5, 1),
                ev.CallCompleted(at + 255, call, "support", "1003", 5, 250, "agent"),
            ]
    return made


def the_day(eight: float) -> list[ev.Event]:
    """2003 in at 08:00, 2001 at 09:00 (free seats: a fixed one is a member all
    along, its time counted from its first change); 2003 takes a call 10:05:10-10:10:10 and pauses
    10:15-10:45 (across 10:30); both out at 14:00."""
    return [
        ev.AgentLoggedIn(eight, "2003", "PJSIP/1006"),
        ev.AgentLoggedIn(eight + 60 * M, "2001", "PJSIP/1007"),
        ev.CallerJoined(eight + 125 * M, "d1", "support", "+4930200", 1),
        ev.AgentRung(eight + 125 * M, "d1", "support", "2003"),
        ev.CallAnswered(eight + 125 * M + 10, "d1", "support", "2003", 10, 10),
        ev.CallCompleted(eight + 130 * M + 10, "d1", "support", "2003", 10, 300, "agent"),
        ev.AgentPaused(eight + 135 * M, "2003", "break"),
        ev.AgentResumed(eight + 165 * M, "2003"),
        ev.AgentLoggedOut(eight + 360 * M, "2003"),
        ev.AgentLoggedOut(eight + 360 * M, "2001"),
    ]


def journaled(made) -> dt.date:
    days = Days(made.config.timezone)
    day = days.date(time.time()) - dt.timedelta(days=1)
    eight = lambda d: days.midnight(d) + 8 * 3600
    for event in history(eight(day - dt.timedelta(weeks=1))) + the_day(eight(day)):
        made.journal.append(made.sequence.next(event))
    assert made.journal.flush()
    return day


def by_label(answer: dict) -> dict[str, dict]:
    return {row["label"]: row for row in answer["rows"]}


@on_asyncio
async def test_the_api_puts_the_plan_beside_the_agents(live):
    day = journaled(live)
    answer = json.loads((await get(live, f"/api/reports/plan?day={day}", auth(live, "9001"))).body)
    assert answer["interval"] == 30 and answer["notes"][0].startswith("plan: the mean of 1 ")
    rows = by_label(answer)
    assert list(rows) == [f"{h:02d}:{m:02d}" for h in range(8, 14) for m in (0, 30)]
    eight, nine, ten, half = rows["08:00"], rows["09:00"], rows["10:00"], rows["10:30"]
    assert (eight["forecast"], eight["needed"], eight["seats"], eight["scheduled"]) == (1, 1, 2, 3)
    assert (ten["forecast"], ten["needed"], ten["seats"], ten["scheduled"]) == (3, 2, 3, 3)
    assert eight["logged_in"] == 1.0 and eight["adherence"] == round(1 / 3, 4)
    assert nine["logged_in"] == 2.0 and nine["adherence"] == round(2 / 3, 4)
    # 10:00-10:30: 2003 on the call 300 s, paused 900 s (from 10:15), ready 600 s; 2001 ready
    assert ten["on_calls"] == round(300 / 1800, 2) and ten["paused"] == 0.5
    assert ten["ready"] == round(2400 / 1800, 2) and ten["offered"] == 1
    assert ten["coverage"] == round((2400 + 300) / 1800 / 2, 4)
    assert half["paused"] == 0.5 and half["logged_in"] == 2.0  # the pause's second half
    totals = answer["totals"]
    assert totals["scheduled_hours"] == 18.0 and totals["logged_in_hours"] == 11.0  # 6 h + 5 h
    assert totals["adherence"] == round(11 / 18, 4) and totals["forecast"] == 16

    assert (await get(live, f"/api/reports/plan?day={day}", agent("1001"))).status == 403
    for bad in ("day=yesterday", "day=2099-01-01", "day=0001-01-01", "interval=20", "interval=x"):
        assert (await get(live, f"/api/reports/plan?{bad}", auth(live, "9901"))).status == 400, bad
    assert (await get(live, "/api/reports/nothing", auth(live, "9901"))).status == 404
    same = await get(live, f"/api/reports?day={day}&by=center", auth(live, "9901"))  # still there
    assert same.status == 200 and json.loads(same.body)["rows"]


@on_asyncio
async def test_today_comes_from_the_live_agents(live):
    now = time.time()
    days = Days(live.config.timezone)
    live.apply(ev.AgentLoggedIn(days.start(now) - 3600, "2001", "PJSIP/1007"))  # yesterday, 23:00
    early = json.loads((await get(live, "/api/reports/plan", auth(live, "9901"))).body)
    assert early["rows"] == []  # no event yet today: the live figures are yesterday's, not today's
    start = max(days.start(now), now - 600)
    live.apply(ev.AgentLoggedIn(start, "2003", "PJSIP/1006"))
    answer = json.loads((await get(live, "/api/reports/plan?interval=15", auth(live, "9901"))).body)
    assert answer["interval"] == 15 and answer["notes"][0].startswith("no plan")
    assert sum(row["logged_in"] for row in answer["rows"]) > 0
    assert all(row["scheduled"] is None for row in answer["rows"])


@on_asyncio
async def test_a_supervisor_sees_the_plan_and_adherence(live, page):
    day = journaled(live)
    await page.set_viewport_size({"width": 1280, "height": 900})
    await supervisor_in(page, live)
    await page.fill("#report-day", day.isoformat())
    await page.click("#report-form button[type=submit]")
    await expect(page.locator("#plan-status")).to_contain_text(f"{day.isoformat()} per 30 min")
    await expect(page.locator("#plan-table")).to_have_attribute("data-rows", "12")
    first = page.locator("#plan-table tbody tr").first
    await expect(first.locator('td[data-name="label"]')).to_have_text("08:00")
    await expect(first.locator('td[data-name="scheduled"]')).to_have_text("3")
    await expect(first.locator('td[data-name="adherence"]')).to_have_text("33.3 %")
    await expect(page.locator('#plan-table tfoot td[data-name="adherence"]')).to_have_text("61.1 %")
    await expect(page.locator("#chart-plan .uplot")).to_have_count(1)
    legend = await page.locator("#chart-plan .u-legend th").all_text_contents()
    assert {"needed", "scheduled", "logged in"} <= {text.strip() for text in legend}
    assert page.errors == []
    shots = os.environ.get("ACD_SCREENS")
    if shots:
        await page.locator("#plan").screenshot(path=str(Path(shots) / "reports-plan.png"))
