"""An AgentComplete with neither channel's snapshot: Asterisk 22 sends one when both legs are
gone before app_queue builds the event (seen on the lab's PBX: an agent hanging up, then only
Queue, Interface, MemberName, HoldTime, TalkTime and Reason). The call it ends is the one the
agent was talking on in that queue, as the read model has it; dropped, the call never ended
(no completion counted, no handle time, no outcome for its interaction)."""

from __future__ import annotations

import time

import pytest
from twisted.logger import formatEvent, globalLogPublisher

from acd.core import events as ev
from acd.core.model import Outcome
from tests.web.test_push import make_daemon

BARE = {
    "Event": "AgentComplete",
    "Privilege": "agent,all",
    "SystemName": "acd",
    "Queue": "support",
    "Interface": "PJSIP/1002",
    "MemberName": "1002",
    "HoldTime": "1",
    "TalkTime": "2",
    "Reason": "agent",
}


@pytest.fixture
def warnings():
    """The warnings logged meanwhile, as text."""
    said: list[str] = []

    def observer(event: dict) -> None:
        if getattr(event.get("log_level"), "name", "") == "warn":
            said.append(formatEvent(event))

    globalLogPublisher.addObserver(observer)
    yield said
    globalLogPublisher.removeObserver(observer)


def bare(at: float, **fields: str) -> dict[str, str]:
    return {**BARE, "Timestamp": f"{at:.6f}", **fields}


def answered(daemon, call_id: str, agent: str, at: float) -> None:
    daemon.apply(ev.CallerJoined(at - 3, call_id, "support", "+4930111", 1, f"PJSIP/trunk-{call_id}"))
    daemon.apply(ev.CallAnswered(at - 2, call_id, "support", agent, 1.0, 0.5))


def test_a_bare_agent_complete_ends_the_call_the_agent_was_talking_on(tmp_path):
    daemon = make_daemon(tmp_path)
    try:
        now = time.time()
        answered(daemon, "c-other", "1001", now)  # another agent's call stays as it is
        answered(daemon, "c-1002", "1002", now)
        daemon.ami._deliver(bare(now))
        call = daemon.center.calls["c-1002"]
        assert call.outcome is Outcome.COMPLETED and call.talk == 2.0 and call.hung_up_by == "agent"
        assert daemon.center.calls["c-other"].outcome is Outcome.TALKING
        assert daemon.center.queue("support").stats.completed == 1
        (done,) = [e for e in daemon.journal.since(0) if isinstance(e.event, ev.CallCompleted)]
        assert done.event.call_id == "c-1002"  # journaled with its call: a replay ends it too
    finally:
        daemon.feed.stop()
        daemon.journal.close()


def test_a_bare_agent_complete_for_an_agent_on_no_call_is_dropped_and_said(tmp_path, warnings):
    daemon = make_daemon(tmp_path)
    try:
        now = time.time()
        answered(daemon, "c-1001", "1001", now)
        daemon.ami._deliver(bare(now))  # 1002 talks on nothing here
        daemon.ami._deliver(bare(now, Queue="sales", MemberName="1001"))  # 1001's call is support's
        assert daemon.center.calls["c-1001"].outcome is Outcome.TALKING
        assert daemon.center.queue("support").stats.completed == 0
        said = [line for line in warnings if "AgentComplete" in line]
        assert len(said) == 2 and all("on no call" in line for line in said), said
    finally:
        daemon.feed.stop()
        daemon.journal.close()
