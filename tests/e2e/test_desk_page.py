"""The agent's desk controls on the real PBX, in Debian's Chromium: one state both ways. A pause
with a reason and Ready clicked on the page reach Asterisk's queue member (QueueMemberPause on
the AMI); *71 and *72 dialled from the agent's own phone show on the page, with the reason (the
daemon in its own process; the page driven from Playwright's own thread)."""

from __future__ import annotations

import pytest

from tests.e2e.test_agents import feature_result, member_event
from tests.e2e.test_wrapup import agent_login
from tests.lab.browser import sync_browser, sync_page  # noqa: F401

pytestmark = pytest.mark.e2e
STATE = "#state-controls .desk-state"


def test_the_page_and_the_phone_s_feature_codes_are_one_state(pbx, daemon, softphone, ami, sync_page):  # noqa: F811
    daemon.start()
    page = sync_page
    number, password = agent_login("1001")
    page.goto(f"{daemon.base}/signin?next=/desk")
    page.fill('input[name="number"]', number)
    page.fill('input[name="password"]', password)
    page.click('button[type="submit"]')
    page.wait_for_url("**/desk")
    page.wait_for_selector('#connection[data-state="live"]')
    page.wait_for_selector(f'{STATE}[data-state="ready"]')

    page.select_option(".desk-reason", "lunch")
    page.click(".desk-pause")
    paused = member_event(ami, "QueueMemberPause", "PJSIP/1001", Paused="1")
    assert paused["PausedReason"] == "lunch"
    page.wait_for_selector(f'{STATE}[data-state="paused"]:has-text("(lunch)")')
    page.click(".desk-ready")
    member_event(ami, "QueueMemberPause", "PJSIP/1001", Paused="0")
    page.wait_for_selector(f'{STATE}[data-state="ready"]')

    softphone("1001", "*71", keys=[(1500, "1")])  # the phone's pause, reason 1: break
    assert feature_result(ami, "pause")["Result"] == "paused:break"
    page.wait_for_selector(f'{STATE}[data-state="paused"]:has-text("(break)")', timeout=10_000)
    softphone("1001", "*72")
    assert feature_result(ami, "resume")["Result"] == "resumed"
    page.wait_for_selector(f'{STATE}[data-state="ready"]', timeout=10_000)
    assert page.errors == []
