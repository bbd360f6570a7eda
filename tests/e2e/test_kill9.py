"""kill -9 with calls in several states at once: Asterisk carries every call on without the
daemon, and the daemon's state after its restart is what Asterisk says.

States held at the kill: a caller ringing an agent who does not answer, a caller waiting
behind them, a caller in the IVR's menus (the daemon runs them over FastAGI), and a callback
placeholder holding a caller's place; and, in a test of its own, a caller on the way from the
first line to the second, escalated by their agent the moment the daemon dies.
"""

from __future__ import annotations

import os
import re
import signal

import pytest

from tests.e2e.conftest import CALLBACK_TRUNK_PORT, wait_until

pytestmark = pytest.mark.e2e
AGENT_PHONE = "1001"  # fixed seat, agent 1001, member of support: its phone rings and rings


def queue_callers(pbx, queue: str) -> list[str]:
    """The channels Asterisk has waiting in `queue`, in order (`queue show`)."""
    text = pbx.cli(f"queue show {queue}")
    return re.findall(r"^\s+\d+\. (\S+) \(wait:", text, flags=re.MULTILINE)


def member_paused(pbx, queue: str, interface: str) -> bool:
    line = next((row for row in pbx.cli(f"queue show {queue}").splitlines() if f"({interface}" in row), "")
    return "paused" in line.lower()


def channels(pbx) -> list[str]:
    return [row.split("!")[0] for row in pbx.cli("core show channels concise").splitlines() if "!" in row]


def kill9(daemon) -> None:
    assert daemon.popen is not None
    os.kill(daemon.popen.pid, signal.SIGKILL)
    daemon.popen.wait(timeout=10)
    daemon.popen = None


def test_kill9_with_calls_in_every_state(pbx, daemon, phones, call, ami, lab_config):
    config, _ = lab_config
    daemon.start()
    rung = call(["5559001", "5559002"], dialled="100", rate=2, patience_ms=60000)
    daemon.wait_for(lambda s: s["queues"]["support"]["waiting"] == 2, 20, "two callers waiting")
    held = call(
        ["5559004"],
        dialled="100",
        keys=[(3000, config.callback.key)],
        patience_ms=15000,
        trunk_port=CALLBACK_TRUNK_PORT,
    )
    held.wait(40)  # thanked and hung up: the placeholder keeps the place
    daemon.wait_for(
        lambda s: s["queues"]["support"]["waiting"] == 3, 30, "two callers and the placeholder waiting"
    )
    in_ivr = call(["5559003"], dialled="800", patience_ms=40000, trunk_port=CALLBACK_TRUNK_PORT)
    wait_until(
        lambda: len([c for c in channels(pbx) if c.startswith("PJSIP/trunk")]) == 3,
        15,
        "the IVR caller in the menus",
    )
    phones(names=(AGENT_PHONE,), unanswered=True)  # the agent's phone comes up: it rings
    ami.wait(
        lambda e: e.get("Event") == "AgentCalled" and e.get("MemberName") == "1001",
        20,
        "the agent's phone ringing",
    )

    kill9(daemon)
    # Asterisk alone: the ringing agent rings out and Asterisk pauses them (autopause)
    ami.wait(
        lambda e: e.get("Event") == "AgentRingNoAnswer" and e.get("MemberName") == "1001",
        30,
        "the agent's phone to ring out without the daemon",
    )
    wait_until(
        lambda: member_paused(pbx, "support", f"PJSIP/{AGENT_PHONE}"),
        10,
        "Asterisk to pause the agent who did not answer",
    )
    # the IVR caller lost the daemon's session: the dialplan's fallback puts them in a queue
    wait_until(lambda: len(queue_callers(pbx, "support")) == 4, 30, "the IVR caller queued by the fallback")

    daemon.start()
    waiting = queue_callers(pbx, "support")
    state = daemon.wait_for(
        lambda s: s["queues"]["support"]["waiting"] == len(waiting), 15, "the daemon to see who waits"
    )
    channel_of = {c["id"]: c["channel"] for c in state["calls"]}
    seen = sorted(state["queues"]["support"]["callers"], key=lambda c: c["position"])
    assert [channel_of[c["call_id"]] for c in seen] == waiting  # the same callers, in Asterisk's order
    assert state["agents"]["1001"]["paused"] is True
    desk = daemon.wait_for(
        lambda s: any(a["number"] == "1001" and a["state"] == "paused" for a in s["links"]["agent_states"]),
        10,
        "the agent desk to adopt the PBX's pause",
    )  # so *72 resumes
    assert (
        next(a for a in desk["links"]["agent_states"] if a["number"] == "1001")["reason"] == "ring-no-answer"
    )
    assert sum(1 for c in waiting if c.startswith("Local/s@acd-callback-hold")) == 1

    # nobody is stuck: the callers give up at their patience, and leave every table
    rung.wait(90)
    in_ivr.wait(90)
    try:
        left = wait_until(
            lambda: (
                (found := channels(pbx))
                and all(
                    c.startswith(("Local/s@acd-callback-hold", "Local/announce@acd-announce")) for c in found
                )
                and found
            ),
            30,
            "only the placeholder's channels left (and its position announcement)",
        )
    except AssertionError as exc:
        raise AssertionError(f"{exc}; channels now: {channels(pbx)}") from None
    assert len([c for c in left if c.startswith("Local/s@acd-callback-hold")]) == 2  # its two halves
    after = daemon.wait_for(
        lambda s: s["queues"]["support"]["waiting"] == 1, 15, "only the placeholder waiting"
    )
    open_calls = [
        c["caller_id"] for c in after["calls"] if c["outcome"] not in ("completed", "abandoned", "timed_out")
    ]
    assert len(open_calls) == 1 and open_calls[0].endswith("5559004")  # the placeholder alone
    import redis

    client = redis.Redis.from_url(config.redis.url, password=config.redis.password)
    client.delete(f"{config.redis.prefix}:callbacks")  # the next test starts with none
    client.close()


def test_kill9_in_the_middle_of_an_escalation(pbx, daemon, call, ami, lab_config):
    """The first-line agent escalates (*5, reason 2 = complaint) and the daemon dies as the
    caller is redirected: Asterisk queues them in the second line alone, the restarted daemon
    sees them where Asterisk has them, and they leave at their patience; nothing is stuck."""
    from acd.lab import sipp
    from tests.lab import sipp_phones

    config, _ = lab_config
    daemon.start()
    passwords = {p.name: p.password for p in config.phones}
    first = sipp_phones.EscalatingAgent(
        sipp.Pbx(port=config.pbx.sip.port),
        pbx.state_dir.parent,
        "1001",
        passwords["1001"],
        6121,
        config.features.escalate,
        "2",
        42500,
    )
    try:
        caller = call(["5559011"], dialled="100", patience_ms=30000)
        ami.wait(
            lambda e: e.get("UserEvent") == "AcdEscalated" and e.get("Queue") == "support-2",
            40,
            "the escalation",
        )
        kill9(daemon)
        waiting = wait_until(
            lambda: queue_callers(pbx, "support-2"),
            15,
            "the caller queued in the second line by Asterisk alone",
        )
        assert len(waiting) == 1 and waiting[0].startswith("PJSIP/trunk")
        daemon.start()
        state = daemon.wait_for(
            lambda s: s["queues"]["support-2"]["waiting"] == 1,
            15,
            "the daemon to see the caller in the second line",
        )
        channel_of = {c["id"]: c["channel"] for c in state["calls"]}
        assert [channel_of[c["call_id"]] for c in state["queues"]["support-2"]["callers"]] == waiting
        caller.wait(90)
    finally:
        first.stop()
    wait_until(
        lambda: not [c for c in channels(pbx) if c.startswith("PJSIP/trunk")],
        30,
        "the caller gone from the PBX",
    )
    daemon.wait_for(lambda s: s["queues"]["support-2"]["waiting"] == 0, 15, "the second line empty")
