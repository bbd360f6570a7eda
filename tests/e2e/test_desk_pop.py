"""The screen pop on the real PBX: a sipp caller goes through the IVR (category, account,
identity), the agent's phone rings for a while before it answers, and the pop shows what the
IVR learned while it rings; the answer keeps it, the hang-up clears it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from acd.core.accounts import check_digit
from tests.e2e.browser_fixtures import LIVE_MS
from tests.e2e.conftest import PHONES, SECRETS
from tests.lab import sipp_phones

pytestmark = pytest.mark.e2e
IVR = "800"
RING_MS = 4000  # the agent's phone rings this long before it answers (the queue's timeout is 6 s)


def account(body: str) -> str:
    return body + check_digit(body)


def pbx_target(config):
    from acd.lab import sipp

    return sipp.Pbx(port=config.pbx.sip.port)


def phone_password(config, name: str) -> str:
    found = config.phone(name)
    assert found is not None
    return found.password


def test_the_pop_model_follows_the_pbx_from_ring_to_hang_up(
    daemon, customers, call, ami, lab_config, tmp_path
):
    """The pop's life on the real PBX, read as the admin from /api/pops: opened by AgentCalled
    with what the IVR learned, kept through the answer, gone with the hang-up."""
    from tests.e2e.conftest import wait_until
    from tests.e2e.web import call_api

    config, _ = lab_config
    theirs = account("1130002")
    customers("Otto Quell", ["+49301130002"], language="en", born="1966-09-30", accounts=(theirs,))
    daemon.start()
    phone = sipp_phones.SlowAnswerPhone(
        pbx_target(config), tmp_path, "1001", phone_password(config, "1001"), PHONES["1001"],
        ring_ms=RING_MS, talk_ms=2000, media_port=42600,
    )  # fmt: skip
    admin = SECRETS.web("9901")

    def pops(state: str) -> list | None:
        status, body = call_api(daemon.base, "GET", "/api/pops", admin)
        assert status == 200, body
        found = [p for p in body["pops"] if p["agent"] == "1001" and p["state"] == state]
        return found or None

    try:
        since = ami.mark()
        call(
            ["+49301130002"],
            dialled=IVR,
            patience_ms=30000,
            keys=[(2000, "4"), (1500, theirs), (1500, "30091966")],
        )
        [ringing] = wait_until(lambda: pops("ringing"), 30, "the ringing pop")
        assert not ami.find(lambda e: e.get("Event") == "AgentConnect", since)
        assert (ringing["queue"], ringing["line"], ringing["caller"]["match"]) == ("support", 1, "number")
        assert ringing["ivr"]["category"] == "technical" and ringing["ivr"]["account"] == theirs
        assert (ringing["ivr"]["verification"], ringing["ivr"]["verified_by"]) == (
            "verified",
            "date_of_birth",
        )
        assert ringing["recording"]["recorded"] == "yes"  # the lab records every first-line call
        wait_until(lambda: pops("connected"), 15, "the answered pop")
        wait_until(lambda: not pops("connected") and not pops("ringing"), 20, "the pop cleared")
    finally:
        phone.stop()


HOSTILE = "<img src=x onerror=\"document.title='pwned'\">Otto Quell"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screens"


def test_the_desk_pops_before_the_answer_and_keeps_the_wrap_up_across_a_restart(
    daemon, customers, call, ami, lab_config, tmp_path, sync_page
):
    """Issue 11's headline, in Chromium on the real PBX: agent 1001 signed in by the form sees
    the IVR caller's pop (a hostile name as text) before their phone answers; the wrap-up sent by
    the page's form is on the next pop, after a daemon restart the page
    reconnected to by itself; the wallboard counts the call; another agent's eyes and a POST
    without the token are refused."""
    from tests.e2e.browser_fixtures import session_post, sign_in
    from tests.e2e.conftest import wait_until
    from tests.e2e.web import call_api

    config, _ = lab_config
    page, base = sync_page, daemon.base
    theirs = account("1130003")
    customers(HOSTILE, ["+49301130003"], language="en", born="1971-04-12", accounts=(theirs,))
    daemon.start()
    phone = sipp_phones.SlowAnswerPhone(
        pbx_target(config), tmp_path, "1001", phone_password(config, "1001"), PHONES["1001"],
        ring_ms=RING_MS, talk_ms=1500, media_port=42640,
    )  # fmt: skip
    agent = config.agent("1001")
    assert agent is not None and agent.password, "the lab's secrets give agent 1001 a web password"
    keys = [(2000, "4"), (1500, theirs), (1500, "12041971")]  # technical, account, date of birth
    try:
        sign_in(page, base, "1001", agent.password)
        title = page.title()
        since = ami.mark()
        call(["+49301130003"], dialled=IVR, patience_ms=30000, keys=keys)
        card = '.pop[data-state="ringing"]'
        page.wait_for_selector(card, timeout=30_000)  # the IVR's ~8 s, then the ring
        assert not ami.find(lambda e: e.get("Event") == "AgentConnect", since), "answered before the pop"
        call_id = page.get_attribute(card, "data-call")
        drawn_ms = int(page.get_attribute(card, "data-rendered-at"))
        assert page.text_content(f"{card} .pop-name") == HOSTILE  # text, not markup
        assert page.query_selector(".pop img") is None and page.title() == title
        assert page.text_content(f"{card} .pop-category") == "technical"
        assert page.text_content(f"{card} .pop-account") == theirs
        assert page.text_content(f"{card} .pop-verification") == "verified by date of birth"
        if os.environ.get("ACD_SCREENSHOTS") == "1":
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "desk-pop.png"), full_page=True)
        connect = ami.wait(lambda e: e.get("Event") == "AgentConnect", 15, "the agent's answer", since)
        assert drawn_ms < float(connect["Timestamp"]) * 1000  # the page drew it while it rang

        # another agent cannot open this pop; this agent's session cannot post without the token
        assert call_api(base, "GET", f"/api/pops/{call_id}", (SECRET_AGENT, other_password(config)))[0] == 403
        page.wait_for_selector(f'.pop[data-call="{call_id}"]', state="detached", timeout=20_000)
        wrap = {"disposition": "fault_ticket", "notes": "router <b>swap</b> ordered", "resolved": False}
        assert session_post(page, base, f"/api/wrapup/{call_id}", wrap, csrf=False)[0] == 403
        form = f'#wrapup[data-call="{call_id}"] .wrapup-form'  # the page's own form, its token
        page.select_option(f"{form} .wrapup-disposition", wrap["disposition"])
        page.fill(f"{form} .wrapup-notes", wrap["notes"])
        page.click(f"{form} .wrapup-submit")
        page.wait_for_selector('#wrapup .desk-message:text-is("Wrap-up saved.")')

        # the wallboard counts the call (a supervisor of team front, which serves support)
        def counted() -> dict | None:
            status, wall = call_api(base, "GET", "/api/wall", SECRETS.web("9001"))
            assert status == 200, wall
            support = wall["queues"]["support"]  # type: ignore[index]
            return support if support["answered"] >= 1 and support["offered"] >= 1 else None

        wait_until(counted, 10, "the wallboard to count the answered call")

        # a restart: the page reconnects by itself, and the next pop carries the wrap-up
        down_from = len(page.errors)
        daemon.stop()
        page.wait_for_selector('#connection:not([data-state="live"])', timeout=10_000)
        daemon.start()
        page.wait_for_selector('#connection[data-state="live"]', timeout=LIVE_MS)
        down_to = len(page.errors)  # a reconnect tried while the daemon was away: refused, and said
        since = ami.mark()
        call(["+49301130003"], dialled=IVR, patience_ms=30000, keys=keys)
        page.wait_for_selector(card, timeout=30_000)
        assert page.get_attribute(card, "data-call") != call_id
        assert page.text_content(f"{card} .pop-contacts .badge") == "fault_ticket (1001)"
        assert page.text_content(f"{card} .pop-contacts .pop-note") == wrap["notes"]
        assert not ami.find(lambda e: e.get("Event") == "AgentConnect", since)
        errors = list(page.errors)
        outage = errors[down_from:down_to]
        assert all("ERR_CONNECTION_REFUSED" in e for e in outage), outage
        assert errors[:down_from] + errors[down_to:] == []
    finally:
        phone.stop()


SECRET_AGENT = "1002"  # another agent of the same team


def other_password(config) -> str:
    found = config.agent(SECRET_AGENT)
    assert found is not None and found.password
    return found.password
