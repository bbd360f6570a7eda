"""The screen pop on the real PBX: a sipp caller goes through the IVR (category, account,
identity), the agent's phone rings for a while before it answers, and the pop shows what the
IVR learned while it rings; the answer keeps it, the hang-up clears it."""

from __future__ import annotations

import pytest

from acd.core.accounts import check_digit
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
