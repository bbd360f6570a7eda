"""The engine's own facts in Asterisk's queue_log (AMI QueueLog), beside app_queue's lines:
tools that read queue_log (QueueMetrics, Asternic) see the dispositions, escalations,
callbacks and survey answers, each on the call's own uniqueid, so a call stays one story there.

    ACDDISPOSITION  code|resolved (1/0)|follow-up (1/0)   the agent coded the call
    ACDESCALATE     to queue|reason                        sent to the next line
    ACDCALLBACK     callback id                            booked instead of waiting
    ACDSURVEY       question|score                         the caller rated the call

Live events only (the bus's live=True): a reconstructed event is history queue_log has.
The daemon's own readers of queue_log (acd/asterisk/queue_log.py, the reconciler) skip them.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Protocol

from twisted.logger import Logger

from acd.asterisk import actions
from acd.background import background
from acd.core import events as ev
from acd.core.center import CallCenter

log = Logger()
Line = tuple[str, str, str, str, tuple[str, ...]]
QUEUE_LOG_EVENTS = frozenset({ev.CallWrappedUp, ev.CallEscalated, ev.CallbackBooked, ev.SurveyAnswered})


class Ami(Protocol):
    connected: bool

    def action(self, action: actions.Action) -> Awaitable[object]: ...


class QueueLogVerbs:
    def __init__(self, ami: Ami, center: CallCenter) -> None:
        self.ami, self.center = ami, center

    def on_event(self, event: ev.Event) -> None:
        line = self._line(event)
        if line is not None:
            background(self._send(line), "writing to queue_log")

    def _line(self, event: ev.Event) -> Line | None:
        """(queue, call id, agent, verb, fields) for the events queue_log is told of."""
        if isinstance(event, ev.CallWrappedUp):
            call = self.center.calls.get(event.call_id)
            queue = call.queue if call is not None and call.queue else "NONE"
            coded = (event.disposition, str(int(event.resolved)), str(int(event.follow_up)))
            return queue, event.call_id, event.agent, "ACDDISPOSITION", coded
        if isinstance(event, ev.CallEscalated):
            where = (event.to_queue, event.reason)
            return event.from_queue, event.call_id, event.agent, "ACDESCALATE", where
        if isinstance(event, ev.CallbackBooked):
            return event.queue, event.call_id, "", "ACDCALLBACK", (event.callback_id,)
        if isinstance(event, ev.SurveyAnswered):
            rated = (str(event.question), str(event.score))
            return event.queue, event.call_id, event.agent, "ACDSURVEY", rated
        return None

    async def _send(self, line: Line) -> None:
        try:
            action = actions.queue_log(*line)
        except actions.UnsafeAction as exc:
            log.error("queue_log line refused before sending: {why}", why=exc)
            return
        try:
            await self.ami.action(action)
        except Exception as exc:  # noqa: BLE001  AMI down: the journal has the fact; queue_log lacks it
            log.warn("queue_log line not sent: {why}", why=exc)
