"""Line breaks a caller puts in SIP URIs split no line the daemon reads (audit, 2026-12-03).
pjsip decodes %0A in a URI's user part, and res_agi writes the caller's number and the
dialled extension into FastAGI's header block as they are. Reproduced here before the fix:
a From of `5559001%0Aagi_callerid%3A%20%2B49...` made the daemon take the forged number, look
up that customer and greet the caller by their name. The dialplan now refuses such values
before any AGI, and the daemon refuses a header block with a key twice or ended early
(tests/asterisk/test_fastagi.py)."""

from __future__ import annotations

import time

import pytest

from acd.asterisk import queue_log

pytestmark = pytest.mark.e2e

FORGED_ENTRY = "1700000000|forged.1|support|NONE|ABANDON|1|1|1".replace("|", "%7C")


def forged_header(target: str) -> str:
    return "agi_callerid%3A%20" + target.replace("+", "%2B")


def calls_seen(daemon) -> list[dict]:
    state = daemon.state()
    return state["calls"] + state["recent_calls"]


@pytest.mark.parametrize(
    "caller, target",
    [
        ("5559001%0A{header}", "+49301119901"),  # another caller ID, a customer's
        ("5559003%0A" + FORGED_ENTRY, "+49301119903"),  # a queue_log entry of its own
        ("5559004%0D%0A%0D%0A200%20result%3D1%20(x)", "+49301119904"),  # the block's end, an answer
    ],
)
def test_a_line_break_in_the_caller_s_number_makes_it_anonymous(
    pbx, daemon, customers, call, ami, caller, target
):
    customers("Forged Target", [target])
    daemon.start()
    since = ami.mark()
    call([caller.format(header=forged_header(target))], dialled="100", patience_ms=6000)
    ami.wait(lambda e: e.get("UserEvent") == "AcdRouted", 15, "the call routed", since=since)
    [routed] = ami.find(lambda e: e.get("UserEvent") == "AcdRouted", since)
    assert (routed["CallerIDNum"], routed["Customer"], routed["Via"]) == ("anonymous", "", "daemon")
    seen = next(c for c in calls_seen(daemon) if c["id"] == routed["Uniqueid"])
    assert (seen["caller_id"] or "", seen["customer_id"]) == ("", None)
    time.sleep(7)  # the caller has hung up: its abandon is written
    entries = queue_log.read(pbx.queue_log)
    assert not [e for e in entries if e.call_id == "forged.1"]
    entered = [e.data[1:2] for e in entries if e.call_id == routed["Uniqueid"] and e.verb == "ENTERQUEUE"]
    assert entered == [("anonymous",)]


def test_a_line_break_in_the_dialled_extension_ends_the_call_before_any_agi(
    pbx, daemon, customers, call, ami
):
    customers("Forged Target", ["+49301119902"])
    daemon.start()
    since = ami.mark()
    call(["5559002"], dialled="100%0A" + forged_header("+49301119902"), patience_ms=3000)
    hung_up = ami.wait(
        lambda e: e.get("Event") == "Hangup" and e.get("CallerIDNum") == "5559002",
        15,
        "the call's end",
        since=since,
    )
    assert "\n" in hung_up["Exten"] or hung_up["Exten"] == "i"
    assert not ami.find(lambda e: e.get("UserEvent") == "AcdRouted", since)
    assert not [c for c in calls_seen(daemon) if "5559002" in (c["caller_id"] or "")]
    assert not [e for e in queue_log.read(pbx.queue_log) if e.data[1:2] == ("5559002",)]
