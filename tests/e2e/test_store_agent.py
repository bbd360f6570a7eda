"""Issue 11 on the real PBX: an agent added with `acd staff add` while the daemon runs (in the
staff table only, not in acd.yaml) logs in with *70 from a free phone within the daemon's
next read of the table, joins their queue, takes a queued call; `acd staff disable` then takes
them off the queue."""

from __future__ import annotations

import secrets
import subprocess
import sys

import pytest

from tests.e2e.conftest import SECRETS, wait_until
from tests.e2e.test_agents import agent_state, feature_result, member_event

pytestmark = pytest.mark.e2e
NUMBER = "3071"  # nobody in acd.yaml


def staff(path, *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "acd", "-c", str(path), "staff", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_an_agent_added_while_the_daemon_runs_logs_in_by_phone_and_takes_a_call(
    daemon, lab_config, phones, softphone, call, ami
):
    _, path = lab_config
    phones(names=("1006",), talk_ms=3000)
    daemon.start()
    password, pin = secrets.token_urlsafe(16), f"{secrets.randbelow(10**6):06d}"
    add = ["add", NUMBER, "--name", "Nia Holm", "--role", "agent", "--team", "back", "--queue", "support"]
    staff(path, *add, "--password-stdin", "--pin-stdin", stdin=f"{password}\n{pin}\n")
    wait_until(
        lambda: any(a["number"] == NUMBER for a in daemon.state()["links"]["agent_states"]),
        15,
        "the daemon's book to enrol the new agent",
    )
    softphone("1006", "*70", keys=SECRETS.login(NUMBER, pin))
    assert feature_result(ami, "login")["Result"] == "logged_in"
    added = member_event(ami, "QueueMemberAdded", "PJSIP/1006", Queue="support")
    assert (added["MemberName"], added["Penalty"]) == (NUMBER, "0")
    assert agent_state(daemon, NUMBER)["state"] == "ready"

    call(["5558071"], dialled="100", patience_ms=30000)
    connected = ami.wait(
        lambda e: e.get("Event") == "AgentConnect" and e.get("CallerIDNum") == "5558071",
        40,
        "the queued caller connected to the new agent",
    )
    assert (connected["MemberName"], connected["Queue"]) == (NUMBER, "support")
    wait_until(lambda: agent_state(daemon, NUMBER)["state"] == "on_call", 10, "the daemon to show the call")

    staff(path, "disable", NUMBER)
    member_event(ami, "QueueMemberRemoved", "PJSIP/1006", Queue="support")  # after the call
    wait_until(
        lambda: all(a["number"] != NUMBER for a in daemon.state()["links"]["agent_states"]),
        20,
        "the disabled agent withdrawn",
    )
