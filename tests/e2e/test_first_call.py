"""The first call, end to end: carrier -> Answer -> FastAGI -> Queue -> a sipp agent answers."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import call_by_caller, wait_until

pytestmark = pytest.mark.e2e


def test_queued_call_matches_queue_log(pbx, daemon, phones, call):
    """The daemon's core shows the call with the queue, agent, wait and talk time that
    Asterisk's own queue_log records for it, and the call was routed by the FastAGI route."""
    daemon.start()
    phones(talk_ms=2000)
    call(["5552001"], dialled="200", patience_ms=30000)  # 200 -> sales in config/acd.yaml

    logged = wait_until(
        lambda: call_by_caller(pbx, "5552001", "completed"), 30, "queue_log COMPLETE* for the call"
    )
    assert logged.queue == "sales"  # the daemon's choice, not the dialplan default
    assert "CONNECT" in logged.verbs

    state = daemon.wait_for(
        lambda s: any(c["id"] == logged.call_id for c in s["recent_calls"]),
        10,
        "the daemon to see the call end",
    )
    seen = next(c for c in state["recent_calls"] if c["id"] == logged.call_id)
    assert seen["routed"] is True
    assert seen["caller_id"] == "+495552001"  # normalised to E.164
    assert seen["dialled"] == "200"
    assert seen["queue"] == logged.queue
    assert seen["agent"] == logged.agent
    assert seen["outcome"] == "completed"
    assert seen["wait"] == logged.hold_time
    assert seen["talk"] == logged.talk_time
    assert seen["talk"] >= 1  # the agent hangs up after 2 s of talk
    assert state["links"]["fastagi_served"] >= 1
    sales = state["queues"]["sales"]
    assert sales["answered"] >= 1 and sales["offered"] >= 1


def test_abandoned_call_is_counted(pbx, daemon, phones, call):
    """A caller who hangs up while no agent is free shows as abandoned, with queue_log's wait."""
    daemon.start()
    call(["5552002"], dialled="200", patience_ms=3000)

    logged = wait_until(
        lambda: call_by_caller(pbx, "5552002", "abandoned"), 20, "queue_log ABANDON for the call"
    )
    state = daemon.wait_for(
        lambda s: any(c["id"] == logged.call_id for c in s["recent_calls"]),
        10,
        "the daemon to see the abandon",
    )
    seen = next(c for c in state["recent_calls"] if c["id"] == logged.call_id)
    assert seen["outcome"] == "abandoned"
    assert seen["wait"] == logged.hold_time
    assert state["queues"]["sales"]["abandoned"] >= 1


def test_caller_hanging_up_first_completes_the_call(pbx, daemon, phones, call):
    """When the caller ends the talk (AgentComplete then lacks the caller's channel), the
    daemon still closes the call with queue_log's talk time."""
    daemon.start()
    phones(talk_ms=20000)
    call(["5552003"], dialled="100", patience_ms=4000)  # hangs up about 3 s into the talk

    logged = wait_until(lambda: call_by_caller(pbx, "5552003", "completed"), 20, "queue_log COMPLETECALLER")
    assert "COMPLETECALLER" in logged.verbs
    state = daemon.wait_for(
        lambda s: any(c["id"] == logged.call_id for c in s["recent_calls"]),
        10,
        "the daemon to see the call end",
    )
    seen = next(c for c in state["recent_calls"] if c["id"] == logged.call_id)
    assert (seen["outcome"], seen["hung_up_by"]) == ("completed", "caller")
    assert (seen["agent"], seen["talk"]) == (logged.agent, logged.talk_time)
    assert seen["wait"] == logged.hold_time
    assert not any(c["id"] == logged.call_id for c in state["calls"])
