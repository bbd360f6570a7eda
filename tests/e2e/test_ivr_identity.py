"""Caller ID is no identity (finding 9), on the real PBX: a spoofed number of a known
customer is greeted but must still type the account, is never verified by it, and wrong
answers count against the account across calls and a daemon restart (redis)."""

from __future__ import annotations

import pytest

from tests.e2e.test_ivr import IVR, account, journey, routed

pytestmark = pytest.mark.e2e


def test_a_spoofed_number_skips_nothing(daemon, customers, call, ami, lab_config):
    """The attacker sets a customer's number as caller ID and picks "technical fault"
    (account and verification): no account is preselected, nobody is verified."""
    customers(
        "Jana Ebert",
        ["+49301120011"],
        language="en",
        born="1975-05-05",
        postcode="50667",
        accounts=(account("1120011"),),
    )
    daemon.start()
    call(["+49301120011"], dialled=IVR, patience_ms=45000, keys=[(2000, "4")])
    event = routed(ami, "+49301120011")
    assert (event["Account"], event["Verified"]) == ("", "")
    assert "account:known" not in event["Steps"] and "account:gave_up" in event["Steps"]
    assert "identity" not in event["Steps"] and "date_of_birth" not in event["Steps"]
    assert journey(lab_config, "+49301120011").verification in ("", None)


def test_wrong_answers_count_across_calls_and_restarts(daemon, customers, call, ami, lab_config):
    """Two wrong answers lock the first call; after a daemon restart a call from another
    number gives one more wrong answer, and then even the right postcode is not checked."""
    theirs = account("1120012")
    customers(
        "Karl Moser", ["+49301120012"], language="en", born="1980-02-01", postcode="10115", accounts=(theirs,)
    )
    daemon.start()
    first_call = call(
        ["+49301120012"],
        dialled=IVR,
        patience_ms=20000,
        keys=[(2000, "4"), (1500, theirs), (1500, "11111111"), (1500, "99999#")],
    )
    first = routed(ami, "+49301120012")
    assert first["Verified"] == "locked" and first["Steps"].endswith("date_of_birth:wrong postcode:wrong")
    first_call.wait(60)  # the carrier's port is free for the next call
    daemon.stop()
    daemon.start()
    call(
        ["+49301120099"],
        dialled=IVR,
        patience_ms=22000,
        keys=[(2000, "1"), (1500, "4"), (1500, theirs), (1500, "22222222"), (1500, "10115#")],
    )
    second = routed(ami, "+49301120099")
    assert second["Account"] == theirs
    assert second["Verified"] == "locked"
    assert second["Steps"].endswith("date_of_birth:wrong identity:throttled")
    assert "postcode:right" not in second["Steps"]
