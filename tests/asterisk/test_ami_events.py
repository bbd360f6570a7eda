"""Recorded real-Asterisk AMI traces replayed through the translators into the core."""

from __future__ import annotations

from pathlib import Path

import pytest
from panoramisk.message import Message

from acd.asterisk import ami_events
from acd.core import events as ev
from acd.core.center import CallCenter
from acd.core.model import Outcome

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ami"


def messages(name: str) -> list[Message]:
    raw = (FIXTURES / name).read_bytes().decode()
    found = [Message.from_line(block.strip()) for block in raw.split("\r\n\r\n")]
    return [m for m in found if m is not None and ("Event" in m or "Response" in m)]


def replay(center: CallCenter, name: str, now: float = 0.0) -> None:
    for message in messages(name):
        event = ami_events.translate(message, now)
        if event is not None:
            center.apply(event)


@pytest.fixture
def center() -> CallCenter:
    return CallCenter({"support": 20.0, "sales": 30.0})


def test_three_calls_trace(center):
    """Two answered calls (one ended by the caller, one by the agent's side) and one
    abandon, exactly as the recorded PBX reported them."""
    replay(center, "three_calls_two_agents.txt")
    first, second, third = (
        center.calls[f"acd-{x}"] for x in ("1795362415.0", "1795362415.1", "1795362416.3")
    )
    assert (first.agent, first.wait, first.talk, first.outcome) == ("1001", 0.0, 4.0, Outcome.COMPLETED)
    assert first.hung_up_by == "caller"
    assert (second.agent, second.talk, second.outcome) == ("1002", 3.0, Outcome.COMPLETED)
    assert (third.outcome, third.wait, third.caller_id) == (Outcome.ABANDONED, 4.0, "5551003")
    stats = center.queues["support"].stats
    assert (stats.offered, stats.answered, stats.abandoned, stats.completed) == (3, 2, 1, 2)
    assert first.joined_at == pytest.approx(1795362415.555348)  # the PBX's Timestamp header


def test_queue_status_resync(center):
    """A QueueStatus answer rebuilds every queue's members with their device state."""
    center.apply(ev.ResyncStarted(1.0))
    answer = messages("queue_status_idle.txt")
    for message in answer:
        event = ami_events.translate(message, 1.0)
        if event is not None:
            center.apply(event)
    queues = tuple(m["Queue"] for m in answer if m.get("Event") == "QueueParams")
    center.apply(ev.ResyncFinished(1.0, queues))
    assert queues == ("support", "sales")
    assert set(center.queues["support"].members) == {"1001", "1002", "1003"}
    assert set(center.queues["sales"].members) == {"1003", "1004"}
    assert center.queues["support"].members["1001"].device == "not_in_use"
    assert center.queues["support"].members["1001"].calls_taken == 1


@pytest.mark.parametrize(
    "message",
    [
        {"Event": "QueueCallerJoin", "Queue": "support", "Position": "1"},  # no Uniqueid
        {"Event": "AgentConnect", "Uniqueid": "u1", "Queue": "q", "MemberName": "1001", "HoldTime": "abc"},
        {"Event": "AgentConnect", "Uniqueid": "u1", "Queue": "q", "MemberName": "1001", "HoldTime": "-5"},
        {"Event": "AgentConnect", "Uniqueid": "u1", "Queue": "q", "MemberName": "1001", "HoldTime": "nan"},
        {"Event": "QueueCallerJoin", "Uniqueid": "u" * 300, "Queue": "support"},
    ],
)
def test_malformed_events_raise_bad_event(message):
    """AMI is untrusted: a missing or unreadable header is a BadEvent, never a crash."""
    with pytest.raises(ami_events.BadEvent):
        ami_events.translate(message, 0.0)


@pytest.mark.parametrize(
    "message",
    [
        {"Event": "Newchannel", "Uniqueid": "u1"},
        {"Event": "UserEvent", "UserEvent": "SomethingElse", "Uniqueid": "u1"},
        {"Response": "Success"},
    ],
)
def test_unused_events_translate_to_nothing(message):
    assert ami_events.translate(message, 0.0) is None


@pytest.mark.parametrize("stamp, expected", [("1795362415.5", 1795362415.5), ("junk", 7.0), (None, 7.0)])
def test_timestamp_header_or_receive_time(stamp, expected):
    """The PBX's clock is preferred; our receive time is the fallback."""
    message = {"Event": "QueueCallerLeave", "Uniqueid": "u1", "Queue": "support"}
    if stamp is not None:
        message["Timestamp"] = stamp
    assert ami_events.translate(message, 7.0).at == expected


def test_supervision_and_recording_events():
    """ChanSpy's start, a digit from a phone, a hang-up and the dialplan's end of a spy."""
    spy = ami_events.translate(
        {
            "Event": "ChanSpyStart",
            "SpyerUniqueid": "acd-1.5",
            "SpyeeLinkedid": "acd-1.0",
            "SpyeeChannel": "PJSIP/1001-0000002",
        },
        1.0,
    )
    assert spy == ev.SpyStarted(1.0, "acd-1.5", "acd-1.0", "PJSIP/1001-0000002")
    digit = {"Event": "DTMFEnd", "Uniqueid": "acd-1.5", "Digit": "5", "Direction": "Received"}
    assert ami_events.translate(digit, 2.0) == ev.DigitPressed(2.0, "acd-1.5", "5")
    assert ami_events.translate({**digit, "Direction": "Sent"}, 2.0) is None
    gone = {"Event": "Hangup", "Uniqueid": "acd-1.5", "Channel": "PJSIP/9001-1", "Linkedid": "acd-1.5"}
    assert ami_events.translate(gone, 3.0) == ev.ChannelHungUp(3.0, "acd-1.5", "PJSIP/9001-1", "acd-1.5")
    ended = {"Event": "UserEvent", "UserEvent": "AcdSpyEnded", "Uniqueid": "acd-1.5", "Session": "s"}
    assert ami_events.translate(ended, 4.0) == ev.SpyEnded(4.0, "acd-1.5")


def test_only_a_failed_originate_is_an_event():
    failed = {"Event": "OriginateResponse", "Response": "Failure", "Uniqueid": "acd-spy-1", "Reason": "0"}
    assert ami_events.translate(failed, 5.0) == ev.OriginateFailed(5.0, "acd-spy-1")
    assert ami_events.translate({**failed, "Response": "Success"}, 5.0) is None


def test_a_digit_event_with_a_long_digit_is_dropped():
    with pytest.raises(ami_events.BadEvent):
        ami_events.translate({"Event": "DTMFEnd", "Uniqueid": "u", "Digit": "55", "Direction": "Received"}, 0)
