"""The IVR on the real PBX: sipp callers press RFC 4733 digits into GET DATA prompts; the
channel's own AcdRouted report and the journey's row in the store say what was learned.

Digits go out while a prompt plays (every prompt that waits for digits is interruptible):
the first burst 2 s after the answer, later ones 1.5 s after the previous burst.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from acd.core.accounts import check_digit
from acd.store import db
from acd.store.models import Interaction
from tests.e2e.conftest import wait_until

pytestmark = pytest.mark.e2e
IVR = "800"


def account(body: str) -> str:
    return body + check_digit(body)


def routed(ami, caller: str) -> dict[str, str]:
    return ami.wait(
        lambda e: e.get("UserEvent") == "AcdRouted" and e.get("CallerIDNum") == caller,
        60,
        f"AcdRouted for {caller}",
    )


def journey(lab_config, caller_e164: str) -> Interaction:
    """The caller's interaction row, once the IVR's outcome is on it."""
    config, _ = lab_config
    sessions = db.sessions(db.engine(config.store.url))

    def written() -> Interaction | None:
        with sessions() as session:
            row = session.scalars(
                select(Interaction)
                .where(Interaction.caller_number == caller_e164)
                .order_by(Interaction.id.desc())
            ).first()
            return row if row is not None and row.ivr_steps else None

    return wait_until(written, 20, f"the IVR's record for {caller_e164}")


def test_known_caller_is_recognised_and_routed_with_what_the_ivr_learned(
    daemon, customers, call, ami, lab_config
):
    """Known by caller ID (language from the store, so no language menu), greeted by name in
    the first prompt, picks "order status"; the account is still typed (caller ID is no proof)."""
    number = account("1120001")
    erik = customers("Erik Lang", ["+49301120001"], language="de", segment="business", accounts=(number,))
    daemon.start()
    call(["0301120001"], dialled=IVR, keys=[(2000, "3"), (1500, number)], patience_ms=8000)
    event = routed(ami, "0301120001")
    assert (event["Customer"], event["Queue"], event["Category"]) == (str(erik), "support", "order_status")
    assert (event["Account"], event["Language"], event["Segment"]) == (number, "de", "business")
    assert event["Steps"] == "language:de:known category:order_status account:ok"
    assert event["CallerIDName"] == "Erik Lang" and event["Via"] == "daemon"
    row = journey(lab_config, "+49301120001")
    assert (row.customer_id, row.category, row.account_number, row.language) == (
        erik,
        "order_status",
        number,
        "de",
    )
    seen = daemon.wait_for(
        lambda s: any(c["id"] == event["Uniqueid"] for c in s["calls"] + s["recent_calls"]),
        10,
        "the daemon's record of the call",
    )
    mine = next(c for c in seen["calls"] + seen["recent_calls"] if c["id"] == event["Uniqueid"])
    assert (mine["category"], mine["greeted"], mine["customer_id"]) == ("order_status", True, erik)


def test_shared_number_is_resolved_by_account_entry(daemon, customers, call, ami, lab_config):
    customers("Fiona Brandt", ["+49301120002"], language=None, accounts=(account("1120002"),))
    theirs = account("1120003")
    gus = customers("Gus Brandt", ["+49301120002"], language=None, vip=True, accounts=(theirs,))
    daemon.start()
    call(["+49301120002"], dialled=IVR, patience_ms=6000, keys=[(2000, "1"), (1500, "1"), (1500, theirs)])
    event = routed(ami, "+49301120002")
    assert (event["Customer"], event["Account"], event["Queue"]) == (str(gus), theirs, "sales")
    assert (event["CallerIDName"], event["VIP"], event["Language"]) == ("Gus Brandt", "1", "en")
    assert "account:ok" in event["Steps"]
    assert journey(lab_config, "+49301120002").customer_id == gus


def test_failed_first_question_then_alternative_verifies(daemon, customers, call, ami, lab_config):
    customers(
        "Hanna Vogel",
        ["+49301120003"],
        language="en",
        born="1980-02-01",
        postcode="10115",
        accounts=(account("1120004"),),
    )
    daemon.start()
    call(
        ["+49301120003"],
        dialled=IVR,
        patience_ms=10000,
        keys=[(2000, "4"), (1500, account("1120004")), (1500, "31121999"), (1500, "10115#")],
    )
    event = routed(ami, "+49301120003")
    assert (event["Category"], event["Verified"]) == ("technical", "verified")
    assert event["Steps"].endswith("date_of_birth:wrong postcode:right")
    row = journey(lab_config, "+49301120003")
    assert row.verification == "verified"


def test_wrong_digits_end_on_the_default_route(daemon, call, ami, lab_config):
    daemon.start()
    call(
        ["5551120004"],
        dialled=IVR,
        patience_ms=6000,
        keys=[(2000, "1"), (1500, "7"), (1500, "8"), (1500, "0")],
    )
    event = routed(ami, "5551120004")
    assert (event["Queue"], event["Category"], event["Customer"]) == ("support", "", "")
    assert event["Steps"] == (
        "language:en category:invalid category:invalid category:invalid category:default"
    )
    assert journey(lab_config, "+495551120004").category is None


def test_withheld_number_chooses_language_and_category(daemon, call, ami):
    daemon.start()
    call(["anonymous"], dialled=IVR, patience_ms=6000, keys=[(2000, "2"), (1500, "2")])
    event = routed(ami, "anonymous")
    assert (event["Queue"], event["Language"], event["Category"], event["Customer"]) == (
        "sales",
        "de",
        "availability",
        "",
    )


def test_hang_up_mid_menu_is_recorded(daemon, call, ami, lab_config):
    """The caller picks a language and hangs up during the category menu: nothing crashes,
    the journey says how far they got, and the next caller is served as usual."""
    daemon.start()
    call(["5551120006"], dialled=IVR, patience_ms=1500, keys=[(2000, "1")])
    row = journey(lab_config, "+495551120006")
    assert row.ivr_steps == "language:en hangup" and row.category is None
    call(["anonymous"], dialled=IVR, patience_ms=6000, keys=[(2000, "1"), (1500, "9")])
    assert routed(ami, "anonymous")["Category"] == "other"
