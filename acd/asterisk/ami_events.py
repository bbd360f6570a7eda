"""AMI messages -> core events: one small pure translator per Asterisk event name.

AMI is untrusted input: a translator that meets a missing or malformed header raises
BadEvent, which the dispatcher logs with the event and drops; nothing else is affected.
Malformed means: a header given twice (panoramisk makes a list of it), a value with a
control character, a number that is not finite or not in range (inf, nan, 1e400, -1).
translate() raises nothing else, whatever the mapping.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping

from acd.core import events as ev
from acd.core.model import DEVICE_STATES

Message = Mapping[str, object]
Translator = Callable[[Message, float], "ev.Event | None"]
MAX_NUMBER = 1e10  # counts, seconds, milliseconds: far below, whatever the PBX
MAX_CLOCK = 1e11  # epoch seconds
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BadEvent(ValueError):
    """An AMI event that lacks a header we need, or has one we cannot read."""


def _get(msg: Message, key: str) -> str | None:
    """The header's one text value; None when absent; BadEvent when doubled or not text."""
    try:  # not msg.get: on panoramisk's Message that is one more Python call, per header
        value = msg[key]
    except KeyError:
        return None
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadEvent(
            f"{key} given {len(value) if isinstance(value, list) else 'as non-text'}"
            f"{' times' if isinstance(value, list) else ''}"
        )
    if not value.isprintable() and _CONTROL.search(value):  # a C check first: a control
        raise BadEvent(f"control character in {key}")  # character is never printable
    return value


def timestamp(msg: Message, fallback: float) -> float:
    """The PBX's own clock (manager.conf timestampevents), else our receive time."""
    raw = _get(msg, "Timestamp")
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return fallback
    return value if math.isfinite(value) and 0 <= value < MAX_CLOCK else fallback


def _text(msg: Message, key: str, limit: int = 256) -> str:
    value = _get(msg, key)
    if value is None:
        raise BadEvent(f"missing {key}")
    if len(value) > limit:
        raise BadEvent(f"bad {key}")
    return value


def _number(msg: Message, key: str, default: float | None = None) -> float:
    raw = _get(msg, key)
    if raw is None:
        if default is None:
            raise BadEvent(f"missing {key}")
        return default
    try:
        value = float(raw)
    except ValueError:
        raise BadEvent(f"bad {key}: {raw[:40]!r}") from None
    if not math.isfinite(value) or not 0 <= value <= MAX_NUMBER:  # inf, 1e400, NaN, negative
        raise BadEvent(f"bad {key}: {raw[:40]!r}")
    return value


def _flag(msg: Message, key: str) -> bool:
    return _get(msg, key) in ("1", "true", "yes")


def _call_id(msg: Message) -> str:
    """The caller channel's uniqueid. When the caller hung up first, AgentComplete carries no
    caller snapshot; the agent leg's linkedid names the same call, since an inbound call's
    journey starts with (and is named after) the caller's channel. With neither snapshot (both
    legs gone before app_queue built the event): "", for the link to name from the read model
    (AmiService, `whose_call`)."""
    if _get(msg, "Uniqueid") is None:
        return _text(msg, "DestLinkedid") if _get(msg, "DestLinkedid") is not None else ""
    return _text(msg, "Uniqueid")


def _caller_id(msg: Message) -> str:
    return (_get(msg, "CallerIDNum") or "")[:64]


def caller_joined(msg: Message, at: float) -> ev.Event:
    return ev.CallerJoined(
        at,
        _text(msg, "Uniqueid"),
        _text(msg, "Queue"),
        _caller_id(msg),
        int(_number(msg, "Position", 0)),
        _text(msg, "Channel"),
    )


def caller_left(msg: Message, at: float) -> ev.Event:
    return ev.CallerLeft(at, _text(msg, "Uniqueid"), _text(msg, "Queue"))


def caller_abandoned(msg: Message, at: float) -> ev.Event:
    return ev.CallerAbandoned(at, _text(msg, "Uniqueid"), _text(msg, "Queue"), _number(msg, "HoldTime", 0))


def agent_called(msg: Message, at: float) -> ev.Event:
    return ev.AgentRung(
        at, _text(msg, "Uniqueid"), _text(msg, "Queue"), _text(msg, "MemberName"), *_agent_leg(msg)
    )


def agent_ring_no_answer(msg: Message, at: float) -> ev.Event:
    return ev.AgentMissed(
        at,
        _text(msg, "Uniqueid"),
        _text(msg, "Queue"),
        _text(msg, "MemberName"),
        _number(msg, "RingTime", 0) / 1000,
    )


def agent_connected(msg: Message, at: float) -> ev.Event:
    return ev.CallAnswered(
        at,
        _text(msg, "Uniqueid"),
        _text(msg, "Queue"),
        _text(msg, "MemberName"),
        _number(msg, "HoldTime"),
        _number(msg, "RingTime", 0),
        *_agent_leg(msg),
    )


def _agent_leg(msg: Message) -> tuple[str, str]:
    """The agent leg's channel name and uniqueid, when the event carries them."""
    if "DestChannel" not in msg or "DestUniqueid" not in msg:
        return "", ""
    return _text(msg, "DestChannel", 128), _text(msg, "DestUniqueid", 64)


def agent_completed(msg: Message, at: float) -> ev.Event:
    reason = _get(msg, "Reason")
    return ev.CallCompleted(
        at,
        _call_id(msg),
        _text(msg, "Queue"),
        _text(msg, "MemberName"),
        _number(msg, "HoldTime"),
        _number(msg, "TalkTime"),
        reason if reason in ("caller", "agent", "transfer") else "",
    )


def member_changed(
    msg: Message, at: float, name: str = "MemberName", interface: str = "Interface"
) -> ev.Event:
    status = int(_number(msg, "Status", 0))
    return ev.MemberChanged(
        at,
        _text(msg, "Queue"),
        _text(msg, name, 80),
        _text(msg, interface, 128),
        DEVICE_STATES.get(status, "unknown"),
        _flag(msg, "Paused"),
        _flag(msg, "InCall"),
        int(_number(msg, "CallsTaken", 0)),
        (_get(msg, "PausedReason") or "")[:40] if _flag(msg, "Paused") else "",
    )


def member_listed(msg: Message, at: float) -> ev.Event:
    """QueueMember, part of a QueueStatus answer: the same facts under other header names."""
    return member_changed(msg, at, name="Name", interface="Location")


def member_removed(msg: Message, at: float) -> ev.Event:
    return ev.MemberRemoved(at, _text(msg, "Queue"), _text(msg, "MemberName", 80))


def caller_waiting(msg: Message, at: float) -> ev.Event:
    """QueueEntry, part of a QueueStatus answer."""
    return ev.CallerWaiting(
        at,
        _text(msg, "Uniqueid"),
        _text(msg, "Queue"),
        _caller_id(msg),
        int(_number(msg, "Position", 0)),
        _number(msg, "Wait", 0),
        _text(msg, "Channel"),
    )


def spy_started(msg: Message, at: float) -> ev.Event:
    return ev.SpyStarted(
        at, _text(msg, "SpyerUniqueid"), _text(msg, "SpyeeLinkedid"), _text(msg, "SpyeeChannel")
    )


def digit_pressed(msg: Message, at: float) -> ev.Event | None:
    if _get(msg, "Direction") != "Received":
        return None
    return ev.DigitPressed(at, _text(msg, "Uniqueid"), _text(msg, "Digit", 1))


def hung_up(msg: Message, at: float) -> ev.Event:
    return ev.ChannelHungUp(at, _text(msg, "Uniqueid"), _text(msg, "Channel"), _text(msg, "Linkedid"))


def originate_answered(msg: Message, at: float) -> ev.Event | None:
    if _get(msg, "Response") != "Failure":
        return None
    return ev.OriginateFailed(at, _text(msg, "Uniqueid"))


def user_event(msg: Message, at: float) -> ev.Event | None:
    name = _get(msg, "UserEvent")
    if name == "AcdCallback":
        return ev.CallbackDialled(at, _text(msg, "Id"), _text(msg, "Status", 32))
    if name == "AcdSpyEnded":
        return ev.SpyEnded(at, _text(msg, "Uniqueid"))
    if name != "AcdQueueExit":
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
    """The core event for an AMI message, or None for events the core does not use.

    Raises BadEvent and nothing else: whatever a translator trips on is a BadEvent too.
    """
    try:
        translator = AMI_EVENTS.get(_get(msg, "Event") or "")
        if translator is None:
            return None
        return translator(msg, timestamp(msg, now))
    except BadEvent:
        raise
    except Exception as exc:  # a translator's own slip must not reach the link
        raise BadEvent(f"{type(exc).__name__}: {exc}"[:200]) from exc
