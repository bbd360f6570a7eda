"""A call's story for the store: which segments open and close, and how the interaction ends.

One interaction is one journey (the caller's channel, Asterisk's linkedid). Its segments: the
IVR (written whole by the route), each queue it waited in, each agent who took it. A segment
closes with an end time and an outcome; the interaction closes when the call ends:

    answered      the queue segment closes "answered", an agent segment opens
    completed     the agent segment closes; so does the interaction ("completed", or
                  "transferred" when the agent transferred the caller)
    escalated     the agent segment closes "escalated" (whichever of the escalation and the
                  agent leg's end comes first); the interaction goes on to the next line
    abandoned     the queue segment and the interaction close "abandoned"
    timed out     the queue segment closes with Queue()'s status, the interaction "timed_out"
    hung up       a caller gone before any queue (the IVR, the greeting): the interaction
                  closes "hung_up", unless something closed it already

A join reopens a closed interaction: the call went on (the next line, or the queue after the
preferred agent's). Reconstructed ends (from queue_log) close interactions as live ones do.

Pure: the store writer (acd/store/journeys.py) turns these into rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from acd.core import events as ev
from acd.core.center import UNANSWERED_EXITS
from acd.core.model import Call


@dataclass(frozen=True, slots=True)
class Join:
    """The call waits in `queue` since `at`: its interaction exists and is open, and a queue
    segment is open there (one, however often the PBX reports the caller)."""

    call_id: str
    caller_id: str
    queue: str
    at: float


@dataclass(frozen=True, slots=True)
class Open:
    call_id: str
    kind: str  # queue | agent
    name: str
    at: float


@dataclass(frozen=True, slots=True)
class Close:
    """The latest segment of this kind and name ends (again: a later end is the better one)."""

    call_id: str
    kind: str
    name: str
    at: float
    outcome: str


@dataclass(frozen=True, slots=True)
class End:
    """The interaction ends, and every segment still open with it. `if_open`: only when
    nothing has ended it yet (a hang-up, which comes before or after the queue's own end)."""

    call_id: str
    at: float
    outcome: str
    if_open: bool = False


Write = Join | Open | Close | End
JOURNEY_EVENTS = frozenset(
    {
        ev.CallerJoined,
        ev.CallerWaiting,
        ev.CallAnswered,
        ev.CallCompleted,
        ev.CallEscalated,
        ev.CallerAbandoned,
        ev.QueueExited,
        ev.ChannelHungUp,
    }
)


def writes(event: ev.Event, call: Call | None) -> list[Write]:
    """What `event` writes into the call's story; `call` is the core's, after the event."""
    if isinstance(event, ev.CallerJoined):
        return [Join(event.call_id, event.caller_id, event.queue, event.at)]
    if isinstance(event, ev.CallerWaiting):
        return [Join(event.call_id, event.caller_id, event.queue, event.at - event.wait)]
    if isinstance(event, ev.CallAnswered):
        return [
            Close(event.call_id, "queue", event.queue, event.at, "answered"),
            Open(event.call_id, "agent", event.agent, event.at),
        ]
    if isinstance(event, ev.CallCompleted):
        return _completed(event, call)
    if isinstance(event, ev.CallEscalated):
        # the route applies it after its Redirect: the agent leg's end may have come first
        return [Close(event.call_id, "agent", event.agent, event.at, "escalated")]
    if isinstance(event, ev.CallerAbandoned):
        return [
            Close(event.call_id, "queue", event.queue, event.at, "abandoned"),
            End(event.call_id, event.at, "abandoned"),
        ]
    if isinstance(event, ev.QueueExited) and event.status in UNANSWERED_EXITS:
        return [
            Close(event.call_id, "queue", event.queue, event.at, event.status.lower()),
            End(event.call_id, event.at, "timed_out"),
        ]
    if isinstance(event, ev.ChannelHungUp) and event.channel_id == event.call_id:
        return [End(event.call_id, event.at, "hung_up", if_open=True)]  # the caller's own leg
    return []


def _completed(event: ev.CallCompleted, call: Call | None) -> list[Write]:
    if escalated_from(call, event.queue, event.agent):
        return [Close(event.call_id, "agent", event.agent, event.at, "escalated")]
    outcome = "transferred" if event.hung_up_by == "transfer" else "completed"
    return [
        Close(event.call_id, "agent", event.agent, event.at, outcome),
        End(event.call_id, event.at, outcome),
    ]


def escalated_from(call: Call | None, queue: str, agent: str) -> bool:
    """Whether the call's last escalation was this agent's, out of this queue: their leg's end
    is then the segment's, not the call's."""
    if call is None or not call.escalations:
        return False
    from_queue, _, by, _ = call.escalations[-1]
    return bool(from_queue == queue and by == agent)
