"""Who may listen in: supervisors only (a supervisor phone and the PIN), and only to their own
teams' agents; from the phone and from the web. Every attempt is an audit row."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import CALLBACK_TRUNK_PORT, SECRETS, wait_until
from tests.e2e.web import call_api

pytestmark = pytest.mark.e2e
SOFIA, TOMAS, QUINN = "9001", "9002", "9101"  # staff; their web passwords: SECRETS.web


def audit_rows(lab_config, agent: str) -> list[dict]:
    from acd.store import db, quality

    config, _ = lab_config
    with db.sessions(db.engine(config.store.url))() as session:
        return quality.supervision_sessions(session, {agent})


def audited(lab_config, agent: str, count: int) -> list[dict]:
    return wait_until(
        lambda: len(rows := audit_rows(lab_config, agent)) >= count and rows,
        20,
        f"{count} audit rows for agent {agent}",
    )


def call_in_progress(phones, call, ami, caller: str) -> dict:
    """Agent 1001 talks to a carrier caller for a while."""
    phones(talk_ms=40000, names=("1001",))
    call([caller], dialled="100", patience_ms=45000)
    return ami.wait(
        lambda e: e.get("Event") == "AgentConnect" and e.get("CallerIDNum") == caller, 20, "the call answered"
    )


def no_spying(ami) -> bool:
    return (
        ami.find(
            lambda e: e.get("Event") == "ChanSpyStart" and not e.get("SpyerChannel", "").startswith("Local/")
        )
        == []
    )


def test_agents_and_callers_are_refused(pbx, daemon, phones, softphone, call, ami, lab_config):
    daemon.start()
    call_in_progress(phones, call, ami, "5559101")
    before = len(audit_rows(lab_config, "1001"))
    softphone("1005", "*221001")  # an agent's softphone
    call(
        ["5559102"],
        dialled="*231001",
        patience_ms=8000,  # a caller over the (second) trunk
        trunk_port=CALLBACK_TRUNK_PORT,
    )
    rows = audited(lab_config, "1001", before + 2)[before:]
    assert sorted((r["supervisor"], r["outcome"]) for r in rows) == [
        ("caller", "refused:not_supervisor"),
        ("phone 1005", "refused:not_supervisor"),
    ]
    assert no_spying(ami)


def test_a_supervisor_is_refused_outside_their_teams_and_without_the_pin(
    pbx, daemon, phones, softphone, call, ami, lab_config
):
    daemon.start()
    call_in_progress(phones, call, ami, "5559201")
    before = len(audit_rows(lab_config, "1001"))
    softphone("9002", "*221001", keys=[(1500, f"{SECRETS.pin(TOMAS)}#")])  # Tomas: team back, 1001 is front
    softphone(
        "9001",
        "*221001",
        patience_ms=30000,  # Sofia: wrong PIN three times
        keys=[(1500, "1111#"), (2500, "2222#"), (2500, "3333#")],
    )
    rows = audited(lab_config, "1001", before + 2)[before:]
    assert sorted((r["supervisor"], r["outcome"]) for r in rows) == [
        ("phone 9001", "refused:wrong_pin"),
        ("phone 9002", "refused:other_team"),
    ]
    assert no_spying(ami)


def test_without_the_daemon_nobody_listens_in(pbx, daemon, phones, softphone, call, ami):
    """The call is still answered; the spy code gets the PBX's own refusal."""
    call_in_progress(phones, call, ami, "5559301")
    dialled = softphone("9001", "*221001", keys=[(1500, f"{SECRETS.pin(SOFIA)}#")])
    dialled.wait(20)
    assert no_spying(ami)


def test_from_the_web_the_supervisors_phone_rings_into_the_chosen_mode(
    pbx, daemon, phones, call, ami, lab_config
):
    daemon.start()
    connect = call_in_progress(phones, call, ami, "5559401")
    phones(talk_ms=4000, names=("9001",))  # Sofia's desk phone answers the engine's call
    base = daemon.base
    assert call_api(base, "POST", "/api/supervise", None, {"agent": "1001"})[0] == 401
    assert (
        call_api(base, "POST", "/api/supervise", ("1001", SECRETS.pin("1001")), {"agent": "1001"})[0] == 401
    )  # an agent
    assert call_api(base, "POST", "/api/supervise", ("9001", "wrong-password"), {"agent": "1001"})[0] == 401
    assert (
        call_api(base, "POST", "/api/supervise", SECRETS.web(QUINN), {"agent": "1001"})[0] == 403
    )  # quality
    status, body = call_api(base, "POST", "/api/supervise", SECRETS.web(TOMAS), {"agent": "1001"})
    assert (status, body["error"]) == (403, "other_team")
    status, body = call_api(base, "POST", "/api/supervise", SECRETS.web(TOMAS), {"agent": "2001"})
    assert (status, body["error"]) == (409, "not_logged_in")
    assert (
        call_api(base, "POST", "/api/supervise", SECRETS.web(SOFIA), {"agent": "1001", "mode": "spy"})[0]
        == 400
    )
    assert no_spying(ami)

    status, body = call_api(
        base, "POST", "/api/supervise", SECRETS.web(SOFIA), {"agent": "1001", "mode": "whisper"}
    )
    assert (status, body["mode"]) == (202, "whisper")
    started = ami.wait(
        lambda e: e.get("Event") == "ChanSpyStart" and e.get("SpyerChannel", "").startswith("PJSIP/9001-"),
        20,
        "ChanSpy from the web",
    )
    assert started["SpyerUniqueid"].startswith("acd-spy-")
    assert started["SpyeeChannel"].startswith("PJSIP/1001-")
    row = wait_until(
        lambda: next(
            (r for r in audit_rows(lab_config, "1001") if r["session"] == body["session"] and r["linkedid"]),
            None,
        ),
        10,
        "the web session's audit row",
    )
    assert (row["supervisor"], row["origin"], row["modes"], row["linkedid"]) == (
        "9001",
        "web",
        ["whisper"],
        connect["Linkedid"],
    )
    status, listed = call_api(base, "GET", "/api/supervision", SECRETS.web(SOFIA))
    assert status == 200 and body["session"] in [r["session"] for r in listed["sessions"]]
    assert body["session"] not in [
        r["session"] for r in call_api(base, "GET", "/api/supervision", SECRETS.web(TOMAS))[1]["sessions"]
    ]


def test_a_listen_in_call_that_never_connects_is_closed_in_the_audit(
    pbx, daemon, phones, softphone, ami, lab_config
):
    """Tomas's desk phone (9002) is not registered: the engine's call to it fails, and his
    session ends at once without a call instead of staying open."""
    daemon.start()
    phones(talk_ms=1500, names=("1005",))
    softphone("1005", "*70", keys=SECRETS.login("2001"))  # 2001, team back
    ami.wait(
        lambda e: e.get("UserEvent") == "AcdAgentFeature" and e.get("Result") == "logged_in",
        30,
        "agent 2001 logged in",
    )
    status, body = call_api(
        daemon.base, "POST", "/api/supervise", SECRETS.web(TOMAS), {"agent": "2001", "mode": "barge"}
    )
    assert status == 202
    row = wait_until(
        lambda: next(
            (r for r in audit_rows(lab_config, "2001") if r["session"] == body["session"] and r["ended_at"]),
            None,
        ),
        20,
        "the session closed",
    )
    assert (row["origin"], row["modes"], row["outcome"], row["linkedid"]) == (
        "web",
        ["barge"],
        "no_call",
        None,
    )
