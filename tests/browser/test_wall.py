"""The wallboard in Debian's Chromium against the daemon's wall site (in process, tests/web/
wall_site.py): signed in by the form, the page draws the figures and moves with the events; a
hostile agent or queue name is text; the kiosk link shows no controls and no callers' numbers;
a listen click posts with the page's CSRF token and reaches the supervision API (a stand-in
for the PBX's ringing, covered by the e2e tests); after the site restarts the badge goes down
and up again and the wall resumes from Last-Event-ID with nothing doubled."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest
from playwright.async_api import expect

from acd.core import events as ev
from tests.asterisk.test_fastagi import on_asyncio
from tests.web.conftest import LOADED
from tests.web.test_wall import call, joined
from tests.web.wall_site import WallSite, served

HOSTILE = '<img src=x onerror="document.title=\'pwned\'">Alice'
HOSTILE_QUEUE = "<b>q</b><script>document.title='pwned'</script>"
CALLER = "03055501234"


class FakeListener:
    """The supervision desk's web entry, without a PBX: records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str, str]] = []

    async def listen_from_web(self, person, agent: str, mode) -> SimpleNamespace:
        self.asked.append((person.number, agent, mode.value))
        return SimpleNamespace(id=f"s-{len(self.asked)}")


@pytest.fixture
def listener() -> FakeListener:
    return FakeListener()


@pytest.fixture
def wall(tmp_path, listener):
    agents = [LOADED.agents[0].model_copy(update={"name": HOSTILE}), *LOADED.agents[1:]]
    config = LOADED.model_copy(update={"agents": agents})
    yield from served(config, tmp_path, listener=listener)


async def signed_in(page, site: WallSite, number: str = "9001") -> None:
    await page.goto(f"http://127.0.0.1:{site.port}/signin?next=/wall")
    await page.fill('input[name="number"]', number)
    await page.fill('input[name="password"]', LOADED.person(number).password)
    await page.click('button[type="submit"]')
    await page.wait_for_url("**/wall")
    await expect(page.locator("#connection")).to_have_attribute("data-state", "live")


def figure(page, queue: str, name: str):
    return page.locator(f'#queues tr[data-queue="{queue}"] td[data-figure="{name}"]')


def logged_in(*numbers: str) -> list[ev.Event]:
    """Agents signed in at their phones, members of support."""
    at = time.time()
    signed: list[ev.Event] = [ev.AgentLoggedIn(at, n, f"PJSIP/{n}") for n in numbers]
    return signed + [
        ev.MemberChanged(at, "support", n, f"PJSIP/{n}", "not_in_use", False, False, 0) for n in numbers
    ]


@on_asyncio
async def test_the_wall_shows_the_figures_and_moves_with_the_events(wall, page):
    wall.apply(*logged_in("1001", "1002"))
    await signed_in(page, wall)
    await expect(figure(page, "support", "waiting")).to_have_text("0")
    await expect(page.locator('#queues tr[data-queue="support-2"]')).to_have_count(0)  # not his team's
    wall.apply(joined("c1"), joined("c2"), joined("c3"))
    await expect(figure(page, "support", "waiting")).to_have_text("3")
    await expect(figure(page, "support", "waiting")).to_have_attribute("data-level", "warn")  # warn: 3
    await expect(page.locator('#lines tr[data-line="1"] td[data-figure="waiting"]')).to_have_text("3")
    now = time.time()
    wall.apply(ev.CallAnswered(now, "c1", "support", "1001", 3.0, 1.0))
    wall.apply(ev.CallerAbandoned(now, "c2", "support", 40.0))
    await expect(figure(page, "support", "service_level")).to_have_text("50%")
    await expect(figure(page, "support", "service_level")).to_have_attribute("data-level", "bad")
    await expect(figure(page, "support", "abandon_rate")).to_have_text("50%")
    await expect(figure(page, "support", "asa")).to_have_text("0:03")
    await expect(figure(page, "support", "waiting")).to_have_attribute("data-level", "ok")
    chips = page.locator('#queues tr[data-queue="support"] .chip')
    await expect(chips.filter(has_text="On call")).to_have_text("On call 1")
    line = page.locator('#lines tr[data-line="all"] .chip')
    await expect(line.filter(has_text="On call")).to_have_text("On call 1")
    await expect(line.filter(has_text="Ready")).to_have_text("Ready 1")
    await expect(page.locator("#chart-calls")).to_have_attribute("data-offered", "3")
    await expect(page.locator("#chart-calls")).to_have_attribute("data-abandoned", "1")
    assert await page.locator("#chart-calls canvas").count() >= 1
    await page.select_option("#chart-queue", "sales")  # the charts of one queue
    await expect(page.locator("#chart-calls")).to_have_attribute("data-queue", "sales")
    await expect(page.locator("#chart-calls")).to_have_attribute("data-offered", "0")
    await page.select_option("#chart-queue", "support")
    wall.apply(joined("c4"))
    await expect(page.locator("#chart-calls")).to_have_attribute("data-offered", "4")
    await expect(page.locator("#chart-calls")).to_have_attribute("data-queue", "support")
    agent = page.locator('#agents tr[data-agent="1001"]')
    await expect(agent).to_have_attribute("data-state", "on_call")
    first = await agent.locator('td[data-figure="in_state"]').text_content()
    await expect(agent.locator('td[data-figure="in_state"]')).not_to_have_text(first or "", timeout=4000)
    assert page.errors == []


@on_asyncio
async def test_a_hostile_agent_or_queue_name_renders_as_text(wall, page):
    wall.apply(joined("c1", HOSTILE_QUEUE))
    await signed_in(page, wall, "9901")  # the admin sees every queue the PBX reported
    name = page.locator('#agents tr[data-agent="1001"] th.name')
    await expect(name).to_contain_text(HOSTILE)
    await expect(page.locator("#queues th.name").filter(has_text="<script>")).to_have_text(HOSTILE_QUEUE)
    assert await page.locator("#wall img, #wall b, #wall script").count() == 0
    assert await page.title() != "pwned"
    await expect(page.locator("#agents .controls-head")).to_be_hidden()  # an admin rings nobody
    assert await page.locator("#agents button").count() == 0
    assert page.errors == []


@on_asyncio
async def test_the_kiosk_shows_the_wall_without_buttons_or_numbers(wall, page):
    wall.apply(*logged_in("1001"), joined("c1", number=CALLER))
    status, made = await call(wall, "POST", "/api/wall/kiosks", "9001", b'{"label": "hall TV"}')
    assert status == 201
    await page.goto(f"http://127.0.0.1:{wall.port}{made['url']}")
    await expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    await expect(figure(page, "support", "waiting")).to_have_text("1")
    await expect(page.locator('#agents tr[data-agent="1001"]')).to_have_count(1)
    assert await page.locator("button").count() == 0  # no listen-in, no sign-out
    assert CALLER not in await page.content()
    assert await page.locator('meta[name="csrf-token"]').get_attribute("content") == ""
    assert page.errors == []
    status, _ = await call(wall, "POST", f"/api/wall/kiosks/{made['id']}/revoke", "9001")
    assert status == 200
    badge = page.locator("#connection")
    await expect(badge).to_have_attribute("data-state", "refused")  # cut, and its retry refused
    await expect(badge).to_have_text("this wall link was revoked")


@on_asyncio
async def test_listen_posts_with_the_page_s_csrf_token_and_shows_the_answer(wall, page, listener):
    wall.apply(*logged_in("1001"))
    await signed_in(page, wall)
    token = await page.locator('meta[name="csrf-token"]').get_attribute("content")
    listen = page.locator('#agents tr[data-agent="1001"] button[data-mode="monitor"]')
    await expect(listen).to_be_enabled()
    await expect(page.locator('#agents tr[data-agent="2003"] button[data-mode="monitor"]')).to_be_disabled()
    async with page.expect_request("**/api/supervise") as asked:
        await listen.click()
    request = await asked.value
    assert request.method == "POST" and token and request.headers["x-csrf-token"] == token
    answer = page.locator("#supervise-answer")
    await expect(answer).to_have_attribute("data-outcome", "ok")
    await expect(answer).to_contain_text("session s-1")
    assert listener.asked == [("9001", "1001", "monitor")]
    await page.locator('#agents tr[data-agent="1001"] button[data-mode="barge"]').click()
    await expect(answer).to_contain_text("session s-2")
    assert listener.asked[-1] == ("9001", "1001", "barge")
    assert page.errors == []


@on_asyncio
async def test_after_a_restart_the_wall_comes_back_with_nothing_lost_or_doubled(wall, page):
    wall.apply(joined("c1"))
    await signed_in(page, wall)
    board = page.locator("#wall")
    await expect(board).to_have_attribute("data-messages", "1")
    await expect(board).to_have_attribute("data-last-id", "1")
    await wall.restart()
    await expect(page.locator("#connection")).to_have_attribute("data-state", "down")
    await expect(page.locator("#connection")).to_have_attribute("data-state", "live", timeout=15_000)
    await expect(figure(page, "support", "waiting")).to_have_text("1")
    assert await board.get_attribute("data-messages") == "1"  # it had this state: not sent again
    wall.apply(joined("c2"))
    await expect(board).to_have_attribute("data-last-id", "2")
    await expect(board).to_have_attribute("data-messages", "2")
    await expect(figure(page, "support", "waiting")).to_have_text("2")
    await expect(figure(page, "support", "offered")).to_have_text("2")  # folded back once, not twice
    assert not re.search(r"pwned", await page.title())
    assert page.errors == []


@on_asyncio
async def test_a_wall_whose_session_ended_goes_back_to_sign_in(wall, page):
    await signed_in(page, wall)
    assert wall.login.sessions.end_for("9001") == 1  # as a new password or a disable does
    wall.feed.stop()  # the stream ends; its retry is refused (401): the page says where to go
    await page.wait_for_url(re.compile(r"/signin\?next=(%2F|/)wall$"))
    await expect(page.locator('input[name="number"]')).to_be_visible()


@on_asyncio
async def test_an_agent_in_wrap_up_shows_the_time_left_counting_down(tmp_path, page):
    queues = [q.model_copy(update={"wrapup": 90}) if q.name == "support" else q for q in LOADED.queues]
    store = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    site = WallSite(LOADED.model_copy(update={"queues": queues}), time.time, store_url=store)
    try:
        now = time.time()
        site.apply(*logged_in("1001"), joined("c1"))
        site.apply(ev.CallAnswered(now, "c1", "support", "1001", 3.0, 1.0))
        site.apply(ev.CallCompleted(now, "c1", "support", "1001", 3.0, 40.0, "caller"))
        await signed_in(page, site)
        agent = page.locator('#agents tr[data-agent="1001"]')
        await expect(agent).to_have_attribute("data-state", "wrap_up")
        left = agent.locator("span[data-countdown]")
        sent = float(await left.get_attribute("data-countdown") or "nan")
        assert 90 - (time.time() - now) <= sent <= 90  # 90 s from the call's end, not from the page
        shown = await left.text_content() or ""
        minutes, seconds = (int(part) for part in shown.split(":"))
        assert sent - 3 <= minutes * 60 + seconds <= sent  # drawn from it, a tick or two since
        later = re.compile(rf"^{minutes}:{seconds - 2:02d}$" if seconds >= 2 else r"^0:5\d$")
        await expect(left).to_have_text(later, timeout=5000)  # and counting down
        await expect(
            page.locator('#queues tr[data-queue="support"] .chip[data-state="wrap_up"]')
        ).to_have_text("Wrap-up 1")
        assert page.errors == []
    finally:
        await site.stop()


@on_asyncio
async def test_a_supervisor_makes_a_wall_screen_link_on_the_page_and_revokes_it(wall, page):
    await signed_in(page, wall)
    await page.fill("#kiosk-label", HOSTILE_QUEUE)  # a label with markup is text
    await page.click('#kiosk-make button[type="submit"]')
    address = page.locator("#kiosk-address")
    await expect(address).to_have_value(
        re.compile(rf"^http://127\.0\.0\.1:{wall.port}/kiosk/[A-Za-z0-9_-]{{43}}$")
    )
    url = await address.input_value()
    row = page.locator("#kiosks tbody tr")
    await expect(row).to_have_count(1)
    await expect(row.locator("td.label")).to_have_text(HOSTILE_QUEUE)
    await expect(row.locator("td.state")).to_have_text("open")
    screen = await page.context.new_page()
    await screen.goto(url)
    await expect(screen.locator("#connection")).to_have_attribute("data-state", "live")
    await row.locator("button", has_text="Revoke").click()
    await expect(row).to_have_attribute("data-revoked", "yes")
    await expect(page.locator("#kiosk-made")).to_contain_text("cut off")
    await expect(screen.locator("#connection")).to_have_attribute("data-state", "refused")
    assert (await page.request.get(url)).status == 403
    assert page.errors == [] and await page.title() != "pwned"
