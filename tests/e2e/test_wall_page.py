"""The wallboard page on the real PBX, in Debian's Chromium: a supervisor signed in by the form
sees a carrier call offered to support and answered by an agent's phone, live, and the agent on
the call; the page's Listen rings the supervisor's own phone into ChanSpy on that agent (the
daemon in its own process; the page driven from Playwright's own thread)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import SECRETS
from tests.lab.browser import sync_browser, sync_page  # noqa: F401

pytestmark = pytest.mark.e2e
SUPPORT = '#queues tr[data-queue="support"] td[data-figure="{}"]'


def test_the_wallboard_counts_a_call_live_and_listens_in(pbx, daemon, phones, call, ami, sync_page):  # noqa: F811
    daemon.start()
    phones(talk_ms=15000)
    phones(talk_ms=10000, names=("9001",))  # the supervisor's phone answers when it rings
    page = sync_page
    number, password = SECRETS.web("9001")
    page.goto(f"{daemon.base}/signin?next=/wall")
    page.fill('input[name="number"]', number)
    page.fill('input[name="password"]', password)
    page.click('button[type="submit"]')
    page.wait_for_url("**/wall")
    page.wait_for_selector('#connection[data-state="live"]')
    offered = int(page.locator(SUPPORT.format("offered")).text_content() or "0")
    answered = int(page.locator(SUPPORT.format("answered")).text_content() or "0")

    call(["5558801"], dialled="100", patience_ms=40000)
    page.wait_for_selector(f'{SUPPORT.format("offered")}:text-is("{offered + 1}")', timeout=30_000)
    page.wait_for_selector(f'{SUPPORT.format("answered")}:text-is("{answered + 1}")', timeout=30_000)
    page.wait_for_selector('#agents tr[data-state="on_call"]', timeout=10_000)
    assert page.locator(SUPPORT.format("service_level")).text_content() not in ("", "\u2013")
    assert page.locator("#chart-calls[data-offered]").get_attribute("data-offered") not in (None, "0")

    agent = page.locator('#agents tr[data-state="on_call"]').get_attribute("data-agent")
    since = ami.mark()
    page.click(f'#agents tr[data-agent="{agent}"] button[data-mode="monitor"]')
    page.wait_for_selector('#supervise-answer[data-outcome="ok"]', timeout=10_000)
    started = ami.wait(
        lambda e: e.get("Event") == "ChanSpyStart" and e.get("SpyerChannel", "").startswith("PJSIP/9001-"),
        20,
        "ChanSpy from the page's Listen",
        since,
    )
    assert started["SpyeeChannel"].startswith(f"PJSIP/{agent}-")
    assert page.errors == []
