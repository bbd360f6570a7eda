"""Our verbs in queue_log: each event becomes one AMI QueueLog on the call's uniqueid; a field
never carries the separator or a line break; our readers of queue_log skip the lines."""

from __future__ import annotations

import pytest

from acd.asterisk import actions, queue_log
from acd.asterisk.queue_log_verbs import QueueLogVerbs
from acd.core import events as ev
from acd.core import reconcile
from acd.core.center import CallCenter
from tests.asterisk.test_fastagi import on_asyncio


class Ami:
    connected = True

    def __init__(self) -> None:
        self.sent: list[actions.Action] = []

    async def action(self, action: actions.Action) -> object:
        self.sent.append(action)
        return {"Response": "Success"}


@on_asyncio
async def test_each_fact_is_one_line_on_the_calls_uniqueid():
    import asyncio

    center = CallCenter({"support": 20.0, "support-2": 30.0})
    for event in (
        ev.CallerJoined(1.0, "acd-1.1", "support", "+4930111", 1),
        ev.CallAnswered(5.0, "acd-1.1", "support", "1001", 4, 1),
    ):
        center.apply(event)
    ami = Ami()
    verbs = QueueLogVerbs(ami, center)
    for event in (
        ev.CallWrappedUp(9.0, "acd-1.1", "1001", "fault_fixed", True, False),
        ev.CallEscalated(6.0, "acd-1.1", "support", "support-2", "1001", "technical"),
        ev.CallbackBooked(7.0, "acd-1.2", "support", "cb-7"),
        ev.SurveyAnswered(8.0, "acd-1.1", "support", "1001", 2, 4),
        ev.CallerAbandoned(9.0, "acd-1.3", "support", 4),  # not ours to log: app_queue does
    ):
        verbs.on_event(event)
    await asyncio.sleep(0.01)
    assert [a.as_dict() for a in ami.sent] == [
        {"Action": "QueueLog", "Queue": "support", "Event": "ACDDISPOSITION", "Uniqueid": "acd-1.1",
         "Interface": "1001", "Message": "fault_fixed|1|0"},
        {"Action": "QueueLog", "Queue": "support", "Event": "ACDESCALATE", "Uniqueid": "acd-1.1",
         "Interface": "1001", "Message": "support-2|technical"},
        {"Action": "QueueLog", "Queue": "support", "Event": "ACDCALLBACK", "Uniqueid": "acd-1.2",
         "Interface": "NONE", "Message": "cb-7"},
        {"Action": "QueueLog", "Queue": "support", "Event": "ACDSURVEY", "Uniqueid": "acd-1.1",
         "Interface": "1001", "Message": "2|4"},
    ]  # fmt: skip


def test_a_field_never_holds_the_separator_or_a_line_break():
    made = actions.queue_log("support", "acd-1.1", "1001", "ACDDISPOSITION", ("a|b", "1"))
    assert made.get("Message") == "a/b|1"
    with pytest.raises(actions.UnsafeAction):
        actions.queue_log("support", "acd-1.1", "1001", "ACDDISPOSITION", ("x\r\nAction: Originate",))
    with pytest.raises(actions.UnsafeAction):
        actions.queue_log("support", "acd-1.1", "1001", "CONNECT", ())  # app_queue's verbs are its own


def test_our_readers_skip_our_lines():
    lines = [
        "100|acd-1.1|support|NONE|ENTERQUEUE||+4930111|1",
        "104|acd-1.1|support|1001|CONNECT|4|acd-1.9|1",
        "160|acd-1.1|support|1001|COMPLETEAGENT|4|56|1",
        "170|acd-1.1|support|1001|ACDDISPOSITION|fault_fixed|1|0",
        "171|acd-1.1|support|1001|ACDSURVEY|1|5",
    ]
    entries = list(queue_log.parse(lines))
    assert queue_log.calls(entries)["acd-1.1"].outcome == "completed"
    assert [reconcile.translate(e) for e in entries[3:]] == [None, None]
    assert queue_log.day_counts(entries, 0)["support"] == {"offered": 1, "answered": 1, "abandoned": 0}
