"""Knowing the caller: caller-ID lookup in the SQL store, variables on the channel, the name
spoken to them; withheld and hostile caller IDs go the anonymous way."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def routed_event(ami, caller: str):
    """The dialplan's AcdRouted report for the call from `caller`: the channel's own truth."""
    return ami.wait(
        lambda e: e.get("UserEvent") == "AcdRouted" and e.get("CallerIDNum") == caller,
        15,
        f"AcdRouted for {caller}",
    )


def state_call(daemon, call_id: str) -> dict:
    state = daemon.wait_for(
        lambda s: any(c["id"] == call_id for c in s["calls"] + s["recent_calls"]),
        10,
        "the daemon to know the call",
    )
    return next(c for c in state["calls"] + state["recent_calls"] if c["id"] == call_id)


def test_known_caller_is_recognised_and_greeted(pbx, daemon, customers, call, ami):
    """A repeat caller (national form of a stored +49 number) gets their customer, segment,
    language and VIP flag on the channel, their name on the agent's display, and hears a
    greeting with their name before queueing."""
    anna = customers("Anna Schmidt", ["+49301110001"], language="de", vip=True, segment="premium")
    daemon.start()
    call(["0301110001"], dialled="100", patience_ms=8000)

    event = routed_event(ami, "0301110001")
    assert event["Customer"] == str(anna)
    assert (event["Segment"], event["Language"], event["VIP"]) == ("premium", "de", "1")
    assert event["CallerIDName"] == "Anna Schmidt"
    assert event["Via"] == "daemon"
    seen = state_call(daemon, event["Uniqueid"])
    assert seen["customer_id"] == anna and seen["greeted"] is True and seen["caller_id"] == "+49301110001"


def test_shared_number_is_not_guessed(pbx, daemon, customers, call, ami):
    """A number two customers share names neither: the call carries the number of candidates."""
    customers("Ben Weber", ["+49301110002"])
    customers("Clara Weber", ["+49301110002"])
    daemon.start()
    call(["+49301110002"], dialled="100", patience_ms=5000)
    event = routed_event(ami, "+49301110002")
    assert event["Customer"] == ""
    seen = state_call(daemon, event["Uniqueid"])
    assert (seen["customer_id"], seen["candidates"], seen["greeted"]) == (None, 2, False)


@pytest.mark.parametrize("caller", ["anonymous", "1'OR'1'='1", "5551110003"])
def test_withheld_hostile_or_unknown_caller_goes_anonymous(pbx, daemon, call, ami, caller):
    """No customer, no greeting, and the call still queues normally."""
    daemon.start()
    call([caller], dialled="100", patience_ms=5000)
    event = routed_event(ami, caller)
    assert (event["Customer"], event["Queue"], event["Via"]) == ("", "support", "daemon")
    seen = state_call(daemon, event["Uniqueid"])
    assert seen["customer_id"] is None and seen["greeted"] is False
    assert seen["caller_id"] == ("+495551110003" if caller == "5551110003" else "")


def test_daemon_down_fallback_still_knows_the_caller(pbx, daemon, customers, call, ami):
    """With the daemon stopped, Asterisk runs the pyst2 fallback script itself: the caller is
    still looked up in the (SQLite) store and the call queues on the default queue."""
    dara = customers("Dara Okafor", ["+49301110004"], language="en", segment="business")
    daemon.stop()
    call(["+49301110004"], dialled="200", patience_ms=5000)
    event = routed_event(ami, "+49301110004")
    assert (event["Via"], event["Customer"], event["Segment"]) == ("fallback", str(dara), "business")
    assert event["Queue"] == "support"  # 200 means sales only through the daemon


def test_a_name_of_any_characters_reaches_the_agents_display_as_stored(pbx, daemon, customers, call, ami):
    """Commas, quotes, parentheses or a ${...} in a stored name are text, never dialplan."""
    name = 'Lars "Lasse" Öberg, Jr. (${CHANNEL(name)})'
    customers(name, ["+49301110009"])
    daemon.start()
    call(["0301110009"], dialled="100", patience_ms=8000)
    shown = routed_event(ami, "0301110009")["CallerIDName"]
    assert shown.replace('\\"', '"') == name  # AMI writes a caller ID name's quotes escaped
