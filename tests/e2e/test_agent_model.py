"""The daemon's agents follow the PBX (issue 10): two ways an agent got stuck, reproduced on
the real PBX, and a pause asked for during a call.

- a caller abandons while the agent's phone rings: the daemon kept the agent `ringing`;
- a call ends while the daemon is down (kill -9): the restarted daemon kept them `on_call`;
in both the agent's *71 was then refused. And *71 during a call was refused outright; now
Asterisk pauses the member at once (QueuePause allows it) and the daemon moves the agent to
paused as the call ends, not to wrap-up or ready.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import wait_until
from tests.e2e.test_agents import agent_state, feature_result, member_event
from tests.e2e.test_kill9 import kill9

pytestmark = pytest.mark.e2e
SEAT = "1001"  # fixed seat: agent 1001 at phone 1001, member of support (dialled 100)


def wait_event(ami, name: str, timeout: float = 30, **fields: str) -> dict[str, str]:
    return ami.wait(
        lambda e: e.get("Event") == name and all(e.get(k) == v for k, v in fields.items()),
        timeout,
        f"{name} {fields}",
    )


def test_a_caller_who_abandons_while_the_agent_rings_leaves_the_agent_free_to_pause(
    daemon, phones, softphone, call, ami, pbx
):
    phones(names=(SEAT,), unanswered=True)  # rings, nobody picks up
    daemon.start()
    call(["5558101"], dialled="100", patience_ms=30000)
    rung = wait_event(ami, "AgentCalled", 20, MemberName=SEAT)
    wait_until(lambda: agent_state(daemon, SEAT)["state"] == "ringing", 5, "the daemon to see the ring")
    pbx.cli(f"channel request hangup {rung['Channel']}")  # the caller gives up mid-ring
    wait_event(ami, "QueueCallerAbandon", 10, Uniqueid=rung["Uniqueid"])
    wait_until(
        lambda: agent_state(daemon, SEAT)["state"] == "ready", 5, "the daemon to end the ring with the call"
    )
    softphone(SEAT, "*71", keys=[(1500, "2")])
    assert feature_result(ami, "pause")["Result"] == "paused:lunch"
    member_event(ami, "QueueMemberPause", f"PJSIP/{SEAT}", Paused="1", PausedReason="lunch")
    assert agent_state(daemon, SEAT)["state"] == "paused"


def test_a_call_that_ends_while_the_daemon_is_down_leaves_the_agent_free_to_pause(
    daemon, phones, softphone, call, ami
):
    phones(talk_ms=6000, names=(SEAT,))
    daemon.start()
    call(["5558102"], dialled="100", patience_ms=40000)
    wait_event(ami, "AgentConnect", 30, MemberName=SEAT)
    wait_until(lambda: agent_state(daemon, SEAT)["state"] == "on_call", 5, "the daemon to see the call")
    kill9(daemon)
    wait_event(ami, "AgentComplete", 30, MemberName=SEAT)  # the agent hangs up, nobody watching
    daemon.start()
    wait_until(
        lambda: agent_state(daemon, SEAT)["state"] == "ready", 10, "the restarted daemon to see the call over"
    )
    softphone(SEAT, "*71", keys=[(1500, "1")])
    assert feature_result(ami, "pause")["Result"] == "paused:break"
    member_event(ami, "QueueMemberPause", f"PJSIP/{SEAT}", Paused="1", PausedReason="break")
    assert agent_state(daemon, SEAT)["state"] == "paused"


def test_a_pause_during_a_call_pauses_the_agent_when_the_call_ends(daemon, phones, softphone, call, ami):
    phones(talk_ms=9000, names=(SEAT,))
    daemon.start()
    call(["5558103"], dialled="100", patience_ms=40000)
    wait_event(ami, "AgentConnect", 30, MemberName=SEAT)
    softphone(SEAT, "*71", keys=[(1500, "2")])
    assert feature_result(ami, "pause")["Result"] == "pending:lunch"
    # Asterisk pauses the member at once: no next caller is offered to them
    member_event(ami, "QueueMemberPause", f"PJSIP/{SEAT}", Paused="1", PausedReason="lunch")
    during = agent_state(daemon, SEAT)
    assert (during["state"], during["pending"]) == ("on_call", "lunch")
    wait_event(ami, "AgentComplete", 30, MemberName=SEAT)
    after = wait_until(
        lambda: (seen := agent_state(daemon, SEAT))["state"] == "paused" and seen,
        5,
        "the agent paused as the call ends",
    )
    assert (after["reason"], after["pending"]) == ("lunch", "")
