"""Agents at work on the real PBX: feature codes from a free softphone (log in with number
and PIN, pause with a reason, resume, log out), a wrong PIN refused, ring-no-answer pausing
the agent, and the state rebuilt from redis after a daemon restart."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import SECRETS, wait_until

pytestmark = pytest.mark.e2e
AGENT = "2003"  # agent Gero Lind, first line (support), logs in from a free softphone


def feature_result(ami, feature: str, timeout: float = 30) -> dict[str, str]:
    return ami.wait(
        lambda e: e.get("UserEvent") == "AcdAgentFeature" and e.get("Feature") == feature,
        timeout,
        f"the {feature} feature's result",
    )


def member_event(ami, name: str, interface: str, **fields: str) -> dict[str, str]:
    return ami.wait(
        lambda e: (
            e.get("Event") == name
            and e.get("Interface") == interface
            and all(e.get(k) == v for k, v in fields.items())
        ),
        20,
        f"{name} {interface} {fields}",
    )


def agent_state(daemon, number: str) -> dict:
    states = daemon.state()["links"]["agent_states"]
    return next(a for a in states if a["number"] == number)


def test_login_pause_resume_logout_by_feature_codes(daemon, softphone, ami):
    daemon.start()
    softphone("1005", "*70", keys=SECRETS.login(AGENT))
    assert feature_result(ami, "login")["Result"] == "logged_in"
    added = member_event(ami, "QueueMemberAdded", "PJSIP/1005", Queue="support")
    assert (added["MemberName"], added["Penalty"]) == ("2003", "0")
    assert agent_state(daemon, "2003")["state"] == "ready"

    softphone("1005", "*71", keys=[(1500, "2")])
    assert feature_result(ami, "pause")["Result"] == "paused:lunch"
    paused = member_event(ami, "QueueMemberPause", "PJSIP/1005", Paused="1")
    assert paused["PausedReason"] == "lunch"

    softphone("1005", "*72")
    assert feature_result(ami, "resume")["Result"] == "resumed"
    member_event(ami, "QueueMemberPause", "PJSIP/1005", Paused="0")

    softphone("1005", "*73")
    assert feature_result(ami, "logout")["Result"] == "logged_out"
    member_event(ami, "QueueMemberRemoved", "PJSIP/1005", Queue="support")
    assert agent_state(daemon, "2003")["state"] == "logged_out"


def test_wrong_pin_is_refused(daemon, softphone, ami):
    daemon.start()
    softphone(
        "1005",
        "*70",
        patience_ms=40000,
        keys=[
            (1500, "2003#"),
            (1500, "1111#"),
            (2500, "2003#"),
            (1500, "2222#"),
            (2500, "2003#"),
            (1500, "3333#"),
        ],
    )
    assert feature_result(ami, "login", 60)["Result"] == "wrong_pin"
    assert ami.find(lambda e: e.get("Event") == "QueueMemberAdded") == []
    assert agent_state(daemon, "2003")["state"] == "logged_out"


def test_pause_from_a_phone_nobody_is_logged_in_at(daemon, softphone, ami):
    daemon.start()
    softphone("1006", "*71", keys=[(1500, "1")])
    assert feature_result(ami, "pause")["Result"] == "not_logged_in"


def test_ring_no_answer_pauses_the_agent(daemon, softphone, phones, call, ami):
    """The only agent's phone rings out: the engine pauses them (reason ring-no-answer),
    visibly in Asterisk and in the daemon's state."""
    phones(names=("1006",), unanswered=True)
    daemon.start()
    softphone("1006", "*70", keys=SECRETS.login(AGENT))
    assert feature_result(ami, "login")["Result"] == "logged_in"
    call(["5558001"], dialled="100", patience_ms=30000)
    ami.wait(
        lambda e: e.get("Event") == "AgentRingNoAnswer" and e.get("MemberName") == "2003",
        30,
        "the agent's phone to ring out",
    )
    # Asterisk's autopause (for when the daemon is down) and the daemon's own pause race; the
    # daemon's, with its reason, is the one that stands
    member_event(ami, "QueueMemberPause", "PJSIP/1006", Paused="1", PausedReason="ring-no-answer")
    seen = wait_until(
        lambda: agent_state(daemon, "2003")["state"] == "paused" and agent_state(daemon, "2003"),
        10,
        "the daemon to show the pause",
    )
    assert seen["reason"] == "ring-no-answer"


def test_daemon_restart_restores_logins_and_pauses(daemon, softphone, pbx, ami):
    """State lives in redis: after the daemon and Asterisk's members both forget, a new
    daemon puts the agent back in their queues, still paused."""
    daemon.start()
    softphone("1005", "*70", keys=SECRETS.login(AGENT))
    assert feature_result(ami, "login")["Result"] == "logged_in"
    softphone("1005", "*71", keys=[(1500, "1")])
    assert feature_result(ami, "pause")["Result"] == "paused:break"
    daemon.stop()
    pbx.cli("queue remove member PJSIP/1005 from support")  # as if Asterisk had restarted
    assert "PJSIP/1005" not in pbx.cli("queue show support")
    daemon.start()
    shown = wait_until(
        lambda: "PJSIP/1005" in (text := pbx.cli("queue show support")) and text,
        15,
        "the member to be re-added",
    )
    line = next(row for row in shown.splitlines() if "PJSIP/1005" in row)
    assert "paused" in line.lower()
    assert agent_state(daemon, "2003")["state"] == "paused"


def test_wrap_up_after_each_call(daemon, phones, call, ami):
    """After a sales call the agent is in wrap-up (visible in the daemon's state) and is not
    offered the next caller until the queue's wrap-up time has passed: the daemon holds the
    member paused (reason 'wrapup') from the answer, Asterisk's own wrapuptime is 0."""
    from tests.e2e.conftest import SALES_WRAPUP

    daemon.start()
    phones(talk_ms=1000, names=("1003",))
    call(["5559001", "5559002"], dialled="200", rate=1, patience_ms=40000)
    done = ami.call_ended("5559001".__eq__, "sales", 30, "the first sales call to end")
    since = ami.mark()
    wait_until(lambda: agent_state(daemon, "1003")["state"] == "wrap_up", 5, "the agent in wrap-up")
    member_event(ami, "QueueMemberPause", "PJSIP/1003", Paused="1", PausedReason="wrapup")
    lifted = ami.wait(
        lambda e: (
            e.get("Event") == "QueueMemberPause"
            and e.get("Interface") == "PJSIP/1003"
            and e.get("Paused") == "0"
        ),
        30,
        "the wrap-up hold lifted",
        since=since,
    )
    assert float(lifted["Timestamp"]) - float(done["Timestamp"]) >= SALES_WRAPUP - 0.5
    second = ami.wait(
        lambda e: e.get("Event") == "AgentConnect" and e.get("CallerIDNum") == "5559002",
        30,
        "the second caller connected",
    )
    assert float(second["Timestamp"]) - float(done["Timestamp"]) >= SALES_WRAPUP - 0.5
    wait_until(
        lambda: agent_state(daemon, "1003")["state"] in ("on_call", "ready", "wrap_up"),
        5,
        "the agent back at work",
    )


def test_login_at_a_phone_another_agent_holds_is_refused(daemon, softphone, ami, pbx):
    """Finding 7: one agent per phone. A second agent's login at a held phone (a free phone
    someone logged in at, or a fixed seat) is refused and said; the holder stays."""
    daemon.start()
    softphone("1005", "*70", keys=SECRETS.login(AGENT))
    assert feature_result(ami, "login")["Result"] == "logged_in"
    since = ami.mark()
    softphone("1005", "*70", keys=SECRETS.login("2001"))  # Emil at Gero's phone
    refused = ami.wait(
        lambda e: e.get("UserEvent") == "AcdAgentFeature" and e.get("Feature") == "login",
        30,
        "the second login's result",
        since=since,
    )
    assert (refused["Result"], refused["Agent"]) == ("in_use", "2001")
    since = ami.mark()
    softphone("1001", "*70", keys=SECRETS.login("2002"))  # Farah at Alice's fixed seat
    refused = ami.wait(
        lambda e: e.get("UserEvent") == "AcdAgentFeature" and e.get("Feature") == "login",
        30,
        "the login at a fixed seat",
        since=since,
    )
    assert refused["Result"] == "in_use"
    assert (
        ami.find(lambda e: e.get("Event") == "QueueMemberAdded" and e.get("MemberName") in ("2001", "2002"))
        == []
    )
    assert agent_state(daemon, "2001")["state"] == agent_state(daemon, "2002")["state"] == "logged_out"
    assert agent_state(daemon, "2003")["interface"] == "PJSIP/1005"
    assert "2003" in next(line for line in pbx.cli("queue show support").splitlines() if "PJSIP/1005" in line)
    softphone("1005", "*73")  # the holder logs out: the phone is free
    since = ami.mark()
    softphone("1005", "*70", keys=SECRETS.login("2001"))
    assert (
        ami.wait(
            lambda e: e.get("UserEvent") == "AcdAgentFeature" and e.get("Feature") == "login",
            30,
            "Emil's login once the phone is free",
            since=since,
        )["Result"]
        == "logged_in"
    )
