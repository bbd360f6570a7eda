"""The agent's desk controls on the real PBX, in Debian's Chromium: one state both ways. A pause
with a reason and Ready clicked on the page reach Asterisk's queue member (QueueMemberPause on
the AMI); *71 and *72 dialled from the agent's own phone show on the page, with the reason (the
daemon in its own process; the page driven from Playwright's own thread). And the wrap-up: the
form posted from the page is on the interaction and on the customer's next pop."""

from __future__ import annotations

import pytest

from tests.e2e.test_agents import feature_result, member_event
from tests.e2e.test_wrapup import agent_login
from tests.lab.browser import sync_browser, sync_page  # noqa: F401

pytestmark = pytest.mark.e2e
STATE = "#state-controls .desk-state"
AGENT_SALES = "1003"  # Chiara Rossi, a fixed seat in support and sales


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


def test_the_wrap_up_from_the_page_is_saved_and_the_customer_s_next_pop_shows_it(
    pbx,
    daemon,
    phones,
    call,
    customers,
    ami,
    sync_page,  # noqa: F811
):
    """A known customer calls sales (a 4 s wrap-up hold); the agent's page shows the pop, then the
    wrap-up form for that call; the disposition and note posted from it are on the interaction
    and on the same customer's next pop."""
    from sqlalchemy import select

    from acd.store import db
    from acd.store.models import Disposition, Interaction
    from tests.e2e.conftest import SECRETS

    customers("Wanda Wrap", ["+49301140001"])
    daemon.start()
    phones(talk_ms=8000, names=(AGENT_SALES,))  # the pop stays long enough on a loaded machine
    page = sync_page
    number, password = agent_login(AGENT_SALES)
    page.goto(f"{daemon.base}/signin?next=/desk")
    page.fill('input[name="number"]', number)
    page.fill('input[name="password"]', password)
    page.click('button[type="submit"]')
    page.wait_for_url("**/desk")
    page.wait_for_selector('#connection[data-state="live"]')

    call(["+49301140001"], dialled="200", patience_ms=40000)
    pop = page.wait_for_selector(".pop", timeout=40_000)  # ringing, or answered already
    assert pop is not None and "Wanda Wrap" in (pop.text_content() or "")
    first = pop.get_attribute("data-call")
    page.wait_for_selector(f'.pop[data-call="{first}"]', state="detached", timeout=20_000)  # hung up
    form = f'#wrapup[data-call="{first}"] .wrapup-form'
    page.select_option(f"{form} .wrapup-disposition", "order_placed")
    page.fill(f"{form} .wrapup-notes", "two <b>chairs</b>, delivery Friday")
    page.click(f"{form} .wrapup-submit")
    page.wait_for_selector('#wrapup .desk-message:text-is("Wrap-up saved.")')
    engine = db.engine(SECRETS.config.store.url)  # type: ignore[union-attr]
    with db.sessions(engine)() as session:
        row = session.execute(
            select(Disposition.code, Disposition.agent)
            .join(Interaction, Interaction.id == Disposition.interaction_id)
            .where(Interaction.linkedid == first)
        ).one()
    engine.dispose()
    assert tuple(row) == ("order_placed", AGENT_SALES)

    call(["+49301140001"], dialled="200", patience_ms=40000)
    page.wait_for_selector(f'.pop:not([data-call="{first}"])', timeout=40_000)
    contact = page.locator(".pop .pop-contacts li", has_text=f"order_placed ({AGENT_SALES})")
    contact.wait_for(timeout=30_000)
    assert contact.locator(".pop-note").text_content() == "two <b>chairs</b>, delivery Friday"
    assert page.locator(".pop b").count() == 0
    assert page.errors == []
