"""AMI messages -> core events: one small pure translator per Asterisk event name.

AMI is untrusted input: a translator that meets a missing or malformed header raises
BadEvent, which the dispatcher logs with the event and drops; nothing else is affected.
"""
from __future__ import annotations

from typing import Callable, Mapping

from acd.core import events as ev
from acd.core.model import DEVICE_STATES

Message = Mapping[str, str]
Translator = Callable[[Message, float], "ev.Event | None"]


class BadEvent(ValueError):
    """An AMI event that lacks a header we need, or has one we cannot read."""


def timestamp(msg: Message, fallback: float) -> float:
    """The PBX's own clock (manager.conf timestampevents), else our receive time."""
    try:
        return float(msg["Timestamp"])
    except (KeyError, TypeError, ValueError):
        return fallback


def _text(msg: Message, key: str, limit: int = 256) -> str:
    try:
        value = msg[key]
    except KeyError:
        raise BadEvent(f"missing {key}") from None
    if not isinstance(value, str) or len(value) > limit:
        raise BadEvent(f"bad {key}")
    return value


def _number(msg: Message, key: str, default: float | None = None) -> float:
    try:
        value = float(msg[key])
    except KeyError:
        if default is None:
            raise BadEvent(f"missing {key}") from None
        return default
    except (TypeError, ValueError):
        raise BadEvent(f"bad {key}: {msg[key]!r}") from None
    if value != value or value < 0:  # NaN or negative
        raise BadEvent(f"bad {key}: {msg[key]!r}")
    return value


def _flag(msg: Message, key: str) -> bool:
    return msg.get(key, "0") in ("1", "true", "yes")


def _call_id(msg: Message) -> str:
    """The caller channel's uniqueid. When the caller hung up first, AgentComplete carries no
    caller snapshot; the agent leg's linkedid names the same call, since an inbound call's
    journey starts with (and is named after) the caller's channel."""
    if "Uniqueid" not in msg and "DestLinkedid" in msg:
        return _text(msg, "DestLinkedid")
    return _text(msg, "Uniqueid")


def _caller_id(msg: Message) -> str:
    return msg.get("CallerIDNum", "")[:64]


def caller_joined(msg: Message, at: float) -> ev.Event:
    return ev.CallerJoined(at, _text(msg, "Uniqueid"), _text(msg, "Queue"), _caller_id(msg),
                           int(_number(msg, "Position", 0)), _text(msg, "Channel"))


def caller_left(msg: Message, at: float) -> ev.Event:
    return ev.CallerLeft(at, _text(msg, "Uniqueid"), _text(msg, "Queue"))


def caller_abandoned(msg: Message, at: float) -> ev.Event:
    return ev.CallerAbandoned(at, _text(msg, "Uniqueid"), _text(msg, "Queue"),
                              _number(msg, "HoldTime", 0))


def agent_called(msg: Message, at: float) -> ev.Event:
    return ev.AgentRung(at, _text(msg, "Uniqueid"), _text(msg, "Queue"), _text(msg, "MemberName"))


def agent_ring_no_answer(msg: Message, at: float) -> ev.Event:
    return ev.AgentMissed(at, _text(msg, "Uniqueid"), _text(msg, "Queue"),
                          _text(msg, "MemberName"), _number(msg, "RingTime", 0) / 1000)


def agent_connected(msg: Message, at: float) -> ev.Event:
    return ev.CallAnswered(at, _text(msg, "Uniqueid"), _text(msg, "Queue"),
                           _text(msg, "MemberName"), _number(msg, "HoldTime"),
                           _number(msg, "RingTime", 0))


def agent_completed(msg: Message, at: float) -> ev.Event:
    reason = msg.get("Reason", "")
    return ev.CallCompleted(at, _call_id(msg), _text(msg, "Queue"),
                            _text(msg, "MemberName"), _number(msg, "HoldTime"),
                            _number(msg, "TalkTime"), reason if reason in ("caller", "agent", "transfer") else "")


def member_changed(msg: Message, at: float, name: str = "MemberName",
                   interface: str = "Interface") -> ev.Event:
    status = int(_number(msg, "Status", 0))
    return ev.MemberChanged(at, _text(msg, "Queue"), _text(msg, name, 80),
                            _text(msg, interface, 128), DEVICE_STATES.get(status, "unknown"),
                            _flag(msg, "Paused"), _flag(msg, "InCall"),
                            int(_number(msg, "CallsTaken", 0)))


def member_listed(msg: Message, at: float) -> ev.Event:
    """QueueMember, part of a QueueStatus answer: the same facts under other header names."""
    return member_changed(msg, at, name="Name", interface="Location")


def member_removed(msg: Message, at: float) -> ev.Event:
    return ev.MemberRemoved(at, _text(msg, "Queue"), _text(msg, "MemberName", 80))


def caller_waiting(msg: Message, at: float) -> ev.Event:
    """QueueEntry, part of a QueueStatus answer."""
    return ev.CallerWaiting(at, _text(msg, "Uniqueid"), _text(msg, "Queue"), _caller_id(msg),
                            int(_number(msg, "Position", 0)), _number(msg, "Wait", 0),
                            _text(msg, "Channel"))


def spy_started(msg: Message, at: float) -> ev.Event:
    return ev.SpyStarted(at, _text(msg, "SpyerUniqueid"), _text(msg, "SpyeeLinkedid"),
                         _text(msg, "SpyeeChannel"))


def digit_pressed(msg: Message, at: float) -> ev.Event | None:
    if msg.get("Direction") != "Received":
        return None
    return ev.DigitPressed(at, _text(msg, "Uniqueid"), _text(msg, "Digit", 1))


def hung_up(msg: Message, at: float) -> ev.Event:
    return ev.ChannelHungUp(at, _text(msg, "Uniqueid"), _text(msg, "Channel"), _text(msg, "Linkedid"))


def originate_answered(msg: Message, at: float) -> ev.Event | None:
    if msg.get("Response") != "Failure":
        return None
    return ev.OriginateFailed(at, _text(msg, "Uniqueid"))


def user_event(msg: Message, at: float) -> ev.Event | None:
    if msg.get("UserEvent") == "AcdCallback":
        return ev.CallbackDialled(at, _text(msg, "Id"), _text(msg, "Status", 32))
    if msg.get("UserEvent") == "AcdSpyEnded":
        return ev.SpyEnded(at, _text(msg, "Uniqueid"))
    if msg.get("UserEvent") != "AcdQueueExit":
        return None
    return ev.QueueExited(at, _text(msg, "Uniqueid"), _text(msg, "Queue"), _text(msg, "Status", 32))


AMI_EVENTS: dict[str, Translator] = {
    "QueueCallerJoin": caller_joined,
    "QueueCallerLeave": caller_left,
    "QueueCallerAbandon": caller_abandoned,
    "AgentCalled": agent_called,
    "AgentRingNoAnswer": agent_ring_no_answer,
    "AgentConnect": agent_connected,
    "AgentComplete": agent_completed,
    "QueueMemberStatus": member_changed,
    "QueueMemberAdded": member_changed,
    "QueueMemberPause": member_changed,
    "QueueMemberRemoved": member_removed,
    "UserEvent": user_event,
    "ChanSpyStart": spy_started,
    "DTMFEnd": digit_pressed,
    "Hangup": hung_up,
    "OriginateResponse": originate_answered,
    # QueueStatus answers (a resync)
    "QueueMember": member_listed,
    "QueueEntry": caller_waiting,
}


def translate(msg: Message, now: float) -> ev.Event | None:
    """The core event for an AMI message, or None for events the core does not use."""
    translator = AMI_EVENTS.get(msg.get("Event", ""))
    if translator is None:
        return None
    return translator(msg, timestamp(msg, now))
