"""CallCenter: the live state of calls, queues and agents, driven only by events.

Pure: no I/O and no clock of its own. Every event carries the PBX's time, so a recorded AMI
trace replays to exactly the state the daemon had.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from acd.core import checkpoint
from acd.core import events as ev
from acd.core.model import ENDED, Call, Member, Outcome, QueueState, QueueStats

# Queue() results that mean "left unanswered by the queue's rules", not by the caller.
UNANSWERED_EXITS = frozenset({"TIMEOUT", "FULL", "JOINEMPTY", "LEAVEEMPTY", "JOINUNAVAIL", "LEAVEUNAVAIL"})
DEFAULT_SERVICE_LEVEL = 20.0
# The live table's bounds (by the PBX's clock): a call not seen to end is forgotten once it
# is older than this, and the oldest go first when the table holds more than MAX_CALLS.
MAX_AGE = {Outcome.ROUTED: 3600.0, Outcome.LEFT: 3600.0}  # pre-queue and between two events
MAX_AGE_ACTIVE = 12 * 3600.0  # waiting or talking
MAX_CALLS = 20_000
SWEEP_EVERY = 60.0
GONE_KEPT = 2000  # hung-up channels remembered, for a route reported after its caller left


class CallCenter(checkpoint.Checkpointed):
    STATE = (
        "queues",
        "calls",
        "resyncs",
        "last_event_at",
        "_ended",
        "_resync_seen",
        "_swept_at",
        "_gone",
        "_entered",
        "forgotten",
        "day_ends",
    )

    def __init__(
        self,
        service_levels: Mapping[str, float],
        keep_ended: int = 500,
        lines: Mapping[str, int] | None = None,
        max_calls: int = MAX_CALLS,
        day_end: Callable[[float], float] | None = None,
    ) -> None:
        """`day_end(at)`: when the local day holding `at` ends (PBX time). With it, the queues'
        counters are the day's: they restart with the first event of a new day, not when the
        daemon does. Without it they count from the first event on (tests, benchmarks)."""
        self.queues = {name: QueueState(name, sl) for name, sl in service_levels.items()}
        self.lines = dict(lines or {})  # queue -> first, second or third line
        self.calls: dict[str, Call] = {}
        self.resyncs = 0
        self.last_event_at = 0.0
        self._keep_ended = keep_ended
        self._ended: deque[str] = deque()
        self._resync_seen: set[tuple[str, str]] | None = None
        self._max_calls = max_calls
        self._swept_at = 0.0
        self._gone: dict[str, None] = {}  # recently hung-up channels, oldest first
        self._entered: dict[str, dict[str, None]] = {}  # queue -> ids of calls that joined it
        self.forgotten = 0  # calls the sweep dropped without seeing them end
        self._day_end = day_end
        self.day_ends = float("-inf") if day_end is not None else float("inf")

    def adopt(self, values: Mapping[str, Any]) -> None:
        """A checkpoint's queues, with the service levels the config says now."""
        configured = {name: q.service_level_s for name, q in self.queues.items()}
        super().adopt(values)
        for name, level in configured.items():
            self.queue(name).service_level_s = level

    def apply(self, event: ev.Event) -> None:
        handler = _HANDLERS.get(type(event))
        if handler is None:
            raise TypeError(f"no handler for {type(event).__name__}")
        self.last_event_at = max(self.last_event_at, event.at)
        if event.at >= self.day_ends:
            self._new_day(event.at)
        handler(self, event)
        if self.last_event_at - self._swept_at >= SWEEP_EVERY or len(self.calls) > self._max_calls:
            self.sweep(self.last_event_at)

    def _new_day(self, at: float) -> None:
        """Midnight passed: the day's counters start again; calls and members carry on."""
        assert self._day_end is not None
        self.day_ends = self._day_end(at)
        for queue in self.queues.values():
            queue.stats = QueueStats()

    def queue(self, name: str) -> QueueState:
        if name not in self.queues:  # a queue Asterisk has that the config does not
            self.queues[name] = QueueState(name, DEFAULT_SERVICE_LEVEL)
        return self.queues[name]

    def waiting(self, queue: str) -> list[Call]:
        return sorted(self._queued(queue), key=lambda c: c.position)

    def _queued(self, queue: str) -> list[Call]:
        """The queue's waiting calls, from the ids that entered it (those since gone, moved
        or answered are dropped as they are met): a scan of every call per join cost 20 us
        an event with a day's calls in the table."""
        entered = self._entered.get(queue)
        if not entered:
            return []
        found = []
        for call_id in list(entered):
            call = self.calls.get(call_id)
            if call is None or call.outcome is not Outcome.WAITING or call.queue != queue:
                del entered[call_id]
            else:
                found.append(call)
        return found

    def active_calls(self) -> list[Call]:
        return [c for c in self.calls.values() if c.outcome not in ENDED]

    # -- handlers -------------------------------------------------------------------------------

    def sweep(self, now: float) -> None:
        """Bound the table: forget calls whose end was never seen (an event lost, a call that
        left between two resyncs), by age, then the oldest while there are too many."""
        self._swept_at = now
        for call in list(self.calls.values()):
            if call.outcome not in ENDED and now - call.seen_at > MAX_AGE.get(call.outcome, MAX_AGE_ACTIVE):
                self._forget(call.id)
        if len(self.calls) > self._max_calls:
            by_age = sorted(self.calls.values(), key=lambda c: (c.outcome is not Outcome.ROUTED, c.seen_at))
            for call in by_age[: len(self.calls) - self._max_calls]:
                self._forget(call.id)

    def _forget(self, call_id: str) -> None:
        if self.calls.pop(call_id, None) is not None:
            self.forgotten += 1

    def _call(self, call_id: str, at: float) -> Call:
        if call_id not in self.calls:
            self.calls[call_id] = Call(call_id, seen_at=at)
        return self.calls[call_id]

    def _routed(self, e: ev.CallRouted) -> None:
        if e.call_id in self._gone:
            return  # the caller hung up before the route was reported: nothing to track
        call = self._call(e.call_id, e.at)
        call.caller_id, call.dialled, call.queue, call.routed = e.caller_id, e.dialled, e.queue, True
        call.customer_id, call.candidates, call.greeted = e.customer_id, e.candidates, e.greeted
        call.language, call.category, call.account = e.language, e.category, e.account
        call.verification, call.priority = e.verification, e.priority
        if call.outcome is Outcome.WAITING:  # routed again while queued: it waits in the new queue
            self._entered.setdefault(e.queue, {})[call.id] = None

    def _joined(self, e: ev.CallerJoined) -> None:
        # a caller who joins ahead of others (priority, a kept place) moves them back
        for other in self._queued(e.queue):  # no sorting: with thousands waiting, it adds up
            if other.id != e.call_id and other.position >= e.position:
                other.position += 1
        self._enter(e.call_id, e.queue, e.caller_id, e.position, joined_at=e.at, channel=e.channel)

    def _escalated(self, e: ev.CallEscalated) -> None:
        self.queue(e.from_queue).stats.escalated += 1
        call = self.calls.get(e.call_id)
        if call is not None:
            call.escalations.append((e.from_queue, e.to_queue, e.agent, e.reason))

    def closed_per_line(self) -> dict[int, float]:
        """Share of the closed calls each line closed (escalated calls count where they end)."""
        closed: dict[int, int] = {}
        for name, queue in self.queues.items():
            if name in self.lines:
                line = self.lines[name]
                closed[line] = closed.get(line, 0) + queue.stats.closed
        total = sum(closed.values())
        return {line: count / total for line, count in sorted(closed.items())} if total else {}

    def _announced(self, e: ev.CallerAnnounced) -> None:
        call = self.calls.get(e.call_id)
        if call is not None:
            call.expected_wait, call.announced_at = e.expected_wait, e.at

    def _found_waiting(self, e: ev.CallerWaiting) -> None:
        if self._resync_seen is not None:
            self._resync_seen.add((e.queue, e.call_id))
        known = self.calls.get(e.call_id)
        if known is not None and known.outcome is Outcome.WAITING and known.queue == e.queue:
            known.position = e.position
            known.channel = e.channel or known.channel  # one known from queue_log has none yet
            return
        self._enter(e.call_id, e.queue, e.caller_id, e.position, joined_at=e.at - e.wait, channel=e.channel)

    def _enter(
        self, call_id: str, queue: str, caller_id: str, position: int, joined_at: float, channel: str = ""
    ) -> None:
        call = self._call(call_id, joined_at)
        call.queue, call.position, call.joined_at, call.channel = queue, position, joined_at, channel
        if not call.routed:  # the route's normalised number (or "" for withheld) stands
            call.caller_id = caller_id
        call.outcome = Outcome.WAITING
        self._entered.setdefault(queue, {})[call_id] = None
        self.queue(queue).stats.offered += 1

    def _left(self, e: ev.CallerLeft) -> None:
        call = self.calls.get(e.call_id)
        if call is None or call.outcome is not Outcome.WAITING:
            return
        call.outcome = Outcome.LEFT
        for other in self._queued(e.queue):
            if other.position > call.position:
                other.position -= 1

    def _answered(self, e: ev.CallAnswered) -> None:
        call = self._call(e.call_id, e.at)
        call.queue, call.agent, call.answered_at = e.queue, e.agent, e.at
        call.wait, call.outcome = e.hold_time, Outcome.TALKING
        queue = self.queue(e.queue)
        queue.stats.answered += 1
        queue.stats.total_wait_answered += e.hold_time
        if e.hold_time <= queue.service_level_s:
            queue.stats.answered_in_service += 1

    def talking(self, agent: str, queue: str) -> str | None:
        """The call `agent` talks on in `queue` (the latest answered, should there be two)."""
        found = [
            c
            for c in self.calls.values()
            if c.outcome is Outcome.TALKING and (c.agent, c.queue) == (agent, queue)
        ]
        return max(found, key=lambda c: c.answered_at or 0.0).id if found else None

    def _completed(self, e: ev.CallCompleted) -> None:
        call = self._call(e.call_id, e.at)
        call.queue, call.agent, call.wait = e.queue, e.agent, e.hold_time
        call.talk, call.hung_up_by = e.talk_time, e.hung_up_by
        self._end(call, Outcome.COMPLETED, e.at)
        stats = self.queue(e.queue).stats
        stats.completed += 1
        stats.total_talk += e.talk_time

    def _abandoned(self, e: ev.CallerAbandoned) -> None:
        call = self._call(e.call_id, e.at)
        call.queue, call.wait = e.queue, e.hold_time
        self._end(call, Outcome.ABANDONED, e.at)
        self.queue(e.queue).stats.abandoned += 1

    def _exited(self, e: ev.QueueExited) -> None:
        call = self.calls.get(e.call_id)
        if e.status not in UNANSWERED_EXITS or call is None or call.outcome in ENDED:
            return
        call.wait = call.waited(e.at)
        self._end(call, Outcome.TIMED_OUT, e.at)
        self.queue(e.queue).stats.timed_out += 1

    def _end(self, call: Call, outcome: Outcome, at: float) -> None:
        if call.outcome not in ENDED:
            self._ended.append(call.id)
        call.outcome, call.ended_at = outcome, at
        while len(self._ended) > self._keep_ended:
            old = self.calls.get(self._ended.popleft())
            if old is not None and old.outcome in ENDED:  # not one that came back (escalated)
                del self.calls[old.id]

    def _member(self, e: ev.MemberChanged) -> None:
        if self._resync_seen is not None:
            self._resync_seen.add((e.queue, e.agent))
        self.queue(e.queue).members[e.agent] = Member(
            agent=e.agent,
            interface=e.interface,
            device=e.device,
            paused=e.paused,
            in_call=e.in_call,
            calls_taken=e.calls_taken,
        )

    def _member_removed(self, e: ev.MemberRemoved) -> None:
        self.queue(e.queue).members.pop(e.agent, None)

    def _resync_started(self, e: ev.ResyncStarted) -> None:
        self._resync_seen = set()

    def _resync_finished(self, e: ev.ResyncFinished) -> None:
        """Forget members and waiting callers the PBX no longer has (they left meanwhile)."""
        seen = self._resync_seen or set()
        for name in e.queues:
            queue = self.queue(name)
            queue.members = {k: m for k, m in queue.members.items() if (name, k) in seen}
        busy_agents = {a for q in self.queues.values() for a, m in q.members.items() if m.in_call}
        for call in list(self.calls.values()):
            pending = call.outcome in (Outcome.WAITING, Outcome.LEFT, Outcome.ROUTED)
            if pending and (call.queue, call.id) not in seen:
                del self.calls[call.id]
            elif call.outcome is Outcome.TALKING and call.agent not in busy_agents:
                del self.calls[call.id]  # it ended while we were away; its talk time is unknown
        self._resync_seen = None
        self.resyncs += 1

    def _hung_up(self, e: ev.ChannelHungUp) -> None:
        """A caller gone before (or between) queue events: the IVR, the greeting, closed hours.
        Calls in a queue or with an agent end by the queue's own events instead."""
        self._gone[e.channel_id] = None
        if len(self._gone) > GONE_KEPT:
            del self._gone[next(iter(self._gone))]
        call = self.calls.get(e.channel_id)
        if call is not None and call.outcome in (Outcome.ROUTED, Outcome.LEFT):
            del self.calls[e.channel_id]

    def _ignore(self, e: ev.Event) -> None:
        """Known and deliberately unused for now (ring attempts feed agent states later)."""


# each handler takes the event type it is filed under (Any: the key says which)
_HANDLERS: dict[type[ev.Event], Callable[[CallCenter, Any], None]] = {
    ev.CallRouted: CallCenter._routed,
    ev.CallerJoined: CallCenter._joined,
    ev.CallerAnnounced: CallCenter._announced,
    ev.CallEscalated: CallCenter._escalated,
    ev.CallbackDialled: CallCenter._ignore,
    ev.CallerWaiting: CallCenter._found_waiting,
    ev.CallerLeft: CallCenter._left,
    ev.AgentRung: CallCenter._ignore,
    ev.AgentMissed: CallCenter._ignore,
    ev.CallAnswered: CallCenter._answered,
    ev.CallCompleted: CallCenter._completed,
    ev.CallerAbandoned: CallCenter._abandoned,
    ev.QueueExited: CallCenter._exited,
    ev.MemberChanged: CallCenter._member,
    ev.MemberRemoved: CallCenter._member_removed,
    ev.ResyncStarted: CallCenter._resync_started,
    ev.ResyncFinished: CallCenter._resync_finished,
    # supervision and recording: their own books (supervision.py, recording.py) keep them
    ev.SpyStarted: CallCenter._ignore,
    ev.SpyEnded: CallCenter._ignore,
    ev.DigitPressed: CallCenter._ignore,
    ev.ChannelHungUp: CallCenter._hung_up,
    ev.OriginateFailed: CallCenter._ignore,
}
CENTER_EVENTS = frozenset(_HANDLERS)
checkpoint.register(Call, Member, Outcome, QueueState, QueueStats)
