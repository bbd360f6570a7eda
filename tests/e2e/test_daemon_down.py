"""The daemon is off the media path: calls are answered without it, and it resyncs on return."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import queued_calls, wait_until

pytestmark = pytest.mark.e2e

CALLERS = ["5553001", "5553002", "5553003", "5553004"]


def _by_caller(pbx, number):
    return next((c for c in queued_calls(pbx).values() if c.caller_id == number), None)


def _all_connected(pbx, numbers):
    found = [_by_caller(pbx, n) for n in numbers]
    return found if all(c is not None and c.outcome == "connected" for c in found) else None


def test_calls_answered_while_daemon_down_then_resync(pbx, daemon, phones, call):
    """With no daemon, calls still queue (default queue) and agents answer them; when the
    daemon starts it rebuilds the queue from the PBX: the caller still waiting, with the
    wait Asterisk has counted, and the agents on their calls."""
    daemon.stop()
    phones(talk_ms=15000)  # three agents, each busy for 15 s
    call(CALLERS, dialled="200", rate=2, patience_ms=60000)

    connected = wait_until(
        lambda: _all_connected(pbx, CALLERS[:3]), 20, "three CONNECTs in queue_log without the daemon"
    )
    # dialled 200 would be `sales` through the daemon; without it the dialplan's default applies
    assert {c.queue for c in connected} == {"support"}
    assert len({c.agent for c in connected}) == 3
    waiting = wait_until(lambda: _by_caller(pbx, CALLERS[3]), 10, "the fourth caller to queue")
    assert waiting.outcome == "waiting"

    daemon.start()
    state = daemon.state()
    support = state["queues"]["support"]
    assert [c["call_id"] for c in support["callers"]] == [waiting.call_id]
    assert support["callers"][0]["position"] == 1
    assert support["callers"][0]["waited"] == pytest.approx(time.time() - waiting.entered, abs=2)
    for agent in ("1001", "1002", "1003"):
        assert state["agents"][agent]["in_call"] is True, state["agents"][agent]

    # live tracking resumed: the waiting caller is answered once an agent frees up
    logged = wait_until(
        lambda: (c := _by_caller(pbx, CALLERS[3])) and c.outcome != "waiting" and c,
        30,
        "the fourth caller to be answered",
    )
    assert logged.outcome in ("connected", "completed")
    state = daemon.wait_for(
        lambda s: any(c["id"] == logged.call_id and c["agent"] for c in s["calls"] + s["recent_calls"]),
        10,
        "the daemon to see the fourth call answered",
    )
    seen = next(c for c in state["calls"] + state["recent_calls"] if c["id"] == logged.call_id)
    assert seen["agent"] == logged.agent
    assert seen["wait"] == logged.hold_time
    assert seen["routed"] is False  # it entered while the daemon was down


def test_daemon_reconnects_after_pbx_restart(pbx, daemon):
    """When Asterisk restarts under it, the daemon reconnects (with backoff) and resyncs."""
    daemon.start()
    before = daemon.state()
    pbx.down(say=lambda line: None)
    daemon.wait_for(lambda s: not s["links"]["ami_connected"], 15, "the daemon to notice")
    pbx.up(say=lambda line: None)
    after = daemon.wait_for(
        lambda s: (
            s["links"]["ami_logins"] > before["links"]["ami_logins"] and s["resyncs"] > before["resyncs"]
        ),
        30,
        "reconnect and resync",
    )
    assert set(after["queues"]) >= {"support", "sales"}
    assert set(after["agents"]) == {"1001", "1002", "1003", "1004"}
