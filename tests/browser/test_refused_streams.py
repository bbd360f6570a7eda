"""A page whose live stream the daemon refuses over a cap (429: wallboard.max_per_person,
wallboard.max_per_kiosk, push.max_per_person) says why in plain words, as text, and keeps
trying: closing another tab brings it back. EventSource cannot read a refusal's body, so the
page asks the same address again; these tests drive that in Debian's Chromium against the
daemon's own sites. With ACD_SHOTS=<folder> the refused pages are also saved there as PNGs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.asterisk.test_fastagi import on_asyncio
from tests.browser.test_desk import signed_in as desk_signed_in
from tests.browser.test_wall import signed_in as wall_signed_in
from tests.lab.browser import watched
from tests.web.conftest import LOADED
from tests.web.test_pops import agents_sign_in  # noqa: F401
from tests.web.test_push import make_daemon
from tests.web.test_wall import call
from tests.web.wall_site import served

CAP = 2
BACK_MS = 15_000  # a refused page tries again within seconds (5 s over a cap of one's own)


@pytest.fixture
def wall(tmp_path):
    """The wall site, where one person or one kiosk link holds CAP walls at most."""
    walls = LOADED.wallboard.model_copy(update={"max_per_person": CAP, "max_per_kiosk": CAP})
    config = LOADED.model_copy(update={"wallboard": walls})
    yield from served(config, tmp_path)


@pytest.fixture
def desk(tmp_path, agents_sign_in):  # noqa: F811
    """The daemon's site, where one person holds CAP live streams (desks) at most."""
    from twisted.internet import reactor

    made = make_daemon(tmp_path, max_per_person=CAP)
    port = reactor.listenTCP(made.config.http.port, made.site, interface="127.0.0.1")
    yield made
    made.feed.stop()
    port.stopListening()
    made.directory.close()


async def live_tab(page, url: str):
    """Another tab of `page`'s browser (its cookies: the same person), open and live at `url`."""
    tab = watched(await page.context.new_page())
    await tab.goto(url)
    await expect(tab.locator("#connection")).to_have_attribute("data-state", "live")
    return tab


async def refused_tab(page, url: str):
    """One tab too many at `url`: it stays down."""
    tab = watched(await page.context.new_page())
    await tab.goto(url)
    await expect(tab.locator("#connection-why")).to_be_visible()
    await expect(tab.locator("#connection")).to_have_attribute("data-state", "down")
    return tab


async def comes_back(tab) -> None:
    await expect(tab.locator("#connection")).to_have_attribute("data-state", "live", timeout=BACK_MS)
    await expect(tab.locator("#connection-why")).to_be_hidden()


async def shot(tab, name: str) -> None:
    """The page as a PNG in $ACD_SHOTS, to look at (no folder: nothing)."""
    folder = os.environ.get("ACD_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        await tab.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


REFUSED_LINE = "Failed to load resource: the server responded with a status of 429"


def scripts_errors(tab) -> list[str]:
    """The tab's errors but the browser's own line for each refused request (the test's 429s)."""
    return [e for e in tab.errors if REFUSED_LINE not in e]


@on_asyncio
async def test_a_wall_in_one_tab_too_many_says_why_and_comes_back_when_one_closes(wall, page):
    await wall_signed_in(page, wall)
    url = f"http://127.0.0.1:{wall.port}/wall"
    second = await live_tab(page, url)
    third = await refused_tab(page, url)
    why = third.locator("#connection-why")
    await expect(why).to_contain_text("This wall is open in too many tabs or screens (2 at most)")
    await expect(why).to_contain_text("Close one")
    await expect(third.locator("#connection-why *")).to_have_count(0)  # text, not markup
    await shot(third, "wall-refused")
    await second.close()
    await comes_back(third)
    assert page.errors == [] and scripts_errors(third) == []


@on_asyncio
async def test_a_kiosk_link_on_one_screen_too_many_says_why_and_comes_back(wall, page):
    status, made = await call(wall, "POST", "/api/wall/kiosks", "9001", b'{"label": "hall TV"}')
    assert status == 201
    url = f"http://127.0.0.1:{wall.port}{made['url']}"
    await page.goto(url)
    await expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    second = await live_tab(page, url)
    third = await refused_tab(page, url)
    await expect(third.locator("#connection-why")).to_contain_text("on too many screens (2 at most)")
    await second.close()
    await comes_back(third)
    assert page.errors == [] and scripts_errors(third) == []


@on_asyncio
async def test_a_desk_in_one_tab_too_many_says_why_and_comes_back_when_one_closes(desk, page):
    await desk_signed_in(page, desk)
    url = f"http://127.0.0.1:{desk.config.http.port}/desk"
    second = await live_tab(page, url)
    third = await refused_tab(page, url)
    why = third.locator("#connection-why")
    await expect(why).to_contain_text("Your desk is open in too many tabs (2 at most)")
    await expect(why).to_contain_text("calls will not show")
    await expect(third.locator("#no-pops")).to_be_hidden()  # no "details appear when it rings"
    await shot(third, "desk-refused")
    await second.close()
    await comes_back(third)
    await expect(third.locator("#no-pops")).to_be_visible()
    assert page.errors == [] and scripts_errors(third) == []


@on_asyncio
async def test_a_desk_whose_session_ended_goes_back_to_sign_in(desk, page):
    await desk_signed_in(page, desk)
    assert desk.login.sessions.end_for("1001") == 1  # as a new password or a disable does
    desk.feed.stop()  # the stream ends; its retry is refused (401): the page says where to go
    await page.wait_for_url("**/signin?next=**desk")
