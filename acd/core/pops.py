"""The screen pop: for each call ringing (or connected to) an agent, what their screen shows.

A read model (a model=True bus subscriber, so a restart folds it back from the journal). Each
call's story comes from its own events: the route (what the IVR learned), the queues it
waited in, escalations with the earlier agent's note, the customer an agent picked on a
shared number. A pop opens with the queue's AgentCalled (AgentRung), before the phone is
answered, and closes when the ring stops for that agent: answered elsewhere, abandoned, timed
out, rung out, or the agent's leg hung up. The agent who answers keeps it until the call ends.

Pure: what only the store knows (the customer's name and record, the last contacts, knowledge
hints, offers) is added by acd/store/pops.py, on a thread, when a screen asks.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from acd.core import checkpoint, recording, tiers
from acd.core import events as ev
from acd.core.center import UNANSWERED_EXITS

RINGING, CONNECTED = "ringing", "connected"
MAX_RING = 600.0  # seconds: a ring whose end was never seen is forgotten after this
MAX_CONNECTED = 12 * 3600.0
CALLS_REMEMBERED = 20_000  # call stories kept; the oldest go first
SWEEP_EVERY = 60.0
POP_EVENTS = frozenset(
    {
        ev.CallRouted,
        ev.CallerJoined,
        ev.CallerWaiting,
        ev.CallEscalated,
        ev.CustomerPicked,
        ev.AgentRung,
        ev.AgentMissed,
        ev.CallAnswered,
        ev.CallCompleted,
        ev.CallerAbandoned,
        ev.QueueExited,
        ev.ChannelHungUp,
        ev.ResyncStarted,
        ev.MemberChanged,
        ev.ResyncFinished,
    }
)


@dataclass(frozen=True, slots=True)
class Escalation:
    at: float
    from_queue: str
    to_queue: str
    agent: str
    reason: str
    note: str


@dataclass(slots=True)
class Story:
    """What the call brought with it, whichever agent it rings."""

    call_id: str
    seen_at: float
    caller_id: str = ""
    dialled: str = ""
    customer_id: int | None = None
    candidates: int = 0  # customers sharing the caller's number
    picked_by: str = ""  # the agent who said which of them calls
    greeted: bool = False
    language: str = ""
    category: str = ""
    account: str = ""
    verification: str = ""
    steps: tuple[str, ...] = ()
    priority: int = 0
    joined_at: float | None = None  # in the queue it waits in now
    queues: list[str] = field(default_factory=list)  # every queue it waited in, in order
    escalations: list[Escalation] = field(default_factory=list)


@dataclass(slots=True)
class Pop:
    """One agent's pop of one call."""

    call_id: str
    agent: str
    queue: str
    rung_at: float
    channel_id: str = ""  # the agent's leg
    state: str = RINGING
    answered_at: float | None = None


@dataclass(frozen=True)
class Seats:
    """What the config says about agents and queues, for the pop's line, overflow and recording."""

    lines: Mapping[str, int] = field(default_factory=dict)  # queue -> line
    skills: Mapping[str, frozenset[str]] = field(default_factory=dict)  # agent -> own queues
    hired: Mapping[str, dt.date | None] = field(default_factory=dict)
    policy: recording.Policy = field(default_factory=recording.Policy)


class Pops(checkpoint.Checkpointed):
    STATE = ("stories", "pops", "_swept_at", "_census")

    def __init__(self, seats: Seats, capacity: int = CALLS_REMEMBERED) -> None:
        self.seats, self.capacity = seats, capacity
        self.stories: OrderedDict[str, Story] = OrderedDict()
        self.pops: dict[tuple[str, str], Pop] = {}  # (call, agent)
        self._swept_at = 0.0
        self._census: tuple[set[tuple[str, str]], set[str]] | None = None  # during a resync
        self._handlers: dict[type[ev.Event], Callable[[Any], None]] = {
            ev.CallRouted: self._routed,
            ev.CallerJoined: self._joined,
            ev.CallerWaiting: self._joined,
            ev.CallEscalated: self._escalated,
            ev.CustomerPicked: self._picked,
            ev.AgentRung: self._rung,
            ev.AgentMissed: self._missed,
            ev.CallAnswered: self._answered,
            ev.CallCompleted: self._completed,
            ev.CallerAbandoned: self._gone,
            ev.QueueExited: self._exited,
            ev.ChannelHungUp: self._hung_up,
            ev.ResyncStarted: self._resync_started,
            ev.MemberChanged: self._member,
            ev.ResyncFinished: self._resync_finished,
        }

    def apply(self, event: ev.Event) -> None:
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event)
        if event.at - self._swept_at >= SWEEP_EVERY:
            self.sweep(event.at)

    # -- reading -----------------------------------------------------------------------------

    def of_agent(self, agent: str) -> list[Pop]:
        return sorted((p for p in self.pops.values() if p.agent == agent), key=lambda p: p.rung_at)

    def of_call(self, call_id: str) -> list[Pop]:
        return [p for p in self.pops.values() if p.call_id == call_id]

    def get(self, call_id: str, agent: str) -> Pop | None:
        return self.pops.get((call_id, agent))

    def view(self, pop: Pop, now: float) -> dict[str, Any]:
        """What the screen shows of `pop` (the store adds the customer's record to it)."""
        story = self.stories.get(pop.call_id) or Story(pop.call_id, pop.rung_at)
        return {
            "call": pop.call_id,
            "agent": pop.agent,
            "state": pop.state,
            "rung_at": pop.rung_at,
            "answered_at": pop.answered_at,
            "queue": pop.queue,
            "line": self.seats.lines.get(pop.queue),
            "personal": pop.queue.startswith(tiers.PERSONAL),  # the caller's last agent, first
            "joined_at": story.joined_at,
            "waited": round(max(0.0, now - story.joined_at), 1) if story.joined_at is not None else None,
            "caller": caller(story),
            "ivr": ivr(story),
            "priority": story.priority,
            "queues": list(story.queues),
            "overflow": self._overflow(pop),
            "escalations": [_escalation(e) for e in story.escalations],
            "recording": self._recording(pop, now),
        }

    def _overflow(self, pop: Pop) -> dict[str, Any] | None:
        """The agent takes this queue as the next line (their own queues are others)."""
        own = self.seats.skills.get(pop.agent)
        if own is None or pop.queue in own or pop.queue.startswith(tiers.PERSONAL):
            return None
        return {"queue": pop.queue, "line": self.seats.lines.get(pop.queue), "own_queues": sorted(own)}

    def _recording(self, pop: Pop, now: float) -> dict[str, Any]:
        """The policy's share for this agent and line: decided by a draw as the call connects,
        so while it rings the pop can say "recorded", "not recorded" or "may be recorded"."""
        today = dt.datetime.fromtimestamp(now, dt.UTC).date()
        share, why = recording.share_for(
            self.seats.policy, pop.queue, pop.agent, self.seats.hired.get(pop.agent), today
        )
        shown = "yes" if share >= 1.0 else "no" if share <= 0.0 else "maybe"
        return {"recorded": shown, "share": share, "why": why}

    # -- the call's story ---------------------------------------------------------------------

    def _story(self, call_id: str, at: float) -> Story:
        story = self.stories.get(call_id)
        if story is None:
            story = self.stories[call_id] = Story(call_id, at)
            while len(self.stories) > self.capacity:
                gone, _ = self.stories.popitem(last=False)
                self._close_call(gone)
        return story

    def _routed(self, e: ev.CallRouted) -> None:
        s = self._story(e.call_id, e.at)
        s.caller_id, s.dialled, s.candidates, s.greeted = e.caller_id, e.dialled, e.candidates, e.greeted
        if not s.picked_by:
            s.customer_id = e.customer_id
        s.language, s.category, s.account = e.language, e.category, e.account
        s.verification, s.steps, s.priority = e.verification, e.ivr_steps, e.priority

    def _joined(self, e: ev.CallerJoined | ev.CallerWaiting) -> None:
        if self._census is not None:
            self._census[0].add((e.queue, e.call_id))
        s = self._story(e.call_id, e.at)
        s.caller_id = s.caller_id or e.caller_id
        joined = e.at - e.wait if isinstance(e, ev.CallerWaiting) else e.at
        if not s.queues or s.queues[-1] != e.queue:
            s.queues.append(e.queue)
            s.joined_at = joined
        elif s.joined_at is None:
            s.joined_at = joined

    def _escalated(self, e: ev.CallEscalated) -> None:
        s = self._story(e.call_id, e.at)
        s.escalations.append(Escalation(e.at, e.from_queue, e.to_queue, e.agent, e.reason, e.note))
        self._close(lambda p: p.call_id == e.call_id and p.agent == e.agent)

    def _picked(self, e: ev.CustomerPicked) -> None:
        s = self._story(e.call_id, e.at)
        s.customer_id, s.picked_by = e.customer_id, e.agent

    # -- rings -------------------------------------------------------------------------------

    def _rung(self, e: ev.AgentRung) -> None:
        self._story(e.call_id, e.at)
        self.pops[(e.call_id, e.agent)] = Pop(e.call_id, e.agent, e.queue, e.at, e.agent_channel_id)

    def _missed(self, e: ev.AgentMissed) -> None:
        self._close(lambda p: p.call_id == e.call_id and p.agent == e.agent and p.state == RINGING)

    def _answered(self, e: ev.CallAnswered) -> None:
        """The agent who answered keeps their pop (or gets one, if the ring was not seen);
        every other agent's ring of this call has stopped."""
        self._close(lambda p: p.call_id == e.call_id and p.agent != e.agent)
        pop = self.pops.get((e.call_id, e.agent))
        if pop is None:
            self._story(e.call_id, e.at)
            pop = self.pops[(e.call_id, e.agent)] = Pop(
                e.call_id, e.agent, e.queue, e.at - e.ring_time, e.agent_channel_id
            )
        pop.state, pop.answered_at = CONNECTED, e.at
        pop.channel_id = e.agent_channel_id or pop.channel_id

    def _completed(self, e: ev.CallCompleted) -> None:
        self._close(lambda p: p.call_id == e.call_id and p.agent == e.agent)

    def _gone(self, e: ev.CallerAbandoned) -> None:
        self._close(lambda p: p.call_id == e.call_id)

    def _exited(self, e: ev.QueueExited) -> None:
        if e.status in UNANSWERED_EXITS:
            self._close(lambda p: p.call_id == e.call_id)

    def _hung_up(self, e: ev.ChannelHungUp) -> None:
        """The caller's leg ends the call; an agent's leg ends that agent's pop."""
        if e.channel_id == e.call_id:
            self.stories.pop(e.call_id, None)
            self._close(lambda p: p.call_id == e.call_id)
        else:
            self._close(lambda p: p.call_id == e.call_id and p.channel_id == e.channel_id)

    # -- a resync: what the PBX no longer has ended while the daemon was away ------------------

    def _resync_started(self, e: ev.ResyncStarted) -> None:
        self._census = (set(), set())

    def _member(self, e: ev.MemberChanged) -> None:
        if self._census is not None and e.in_call:
            self._census[1].add(e.agent)

    def _resync_finished(self, e: ev.ResyncFinished) -> None:
        """A ring whose caller no longer waits there, a connected pop whose agent is on no
        call: both ended unseen (their end is not in queue_log's reconciled facts either)."""
        waiting, busy = self._census or (set(), set())
        self._census = None
        resynced = set(e.queues)

        def ended(p: Pop) -> bool:
            if p.state == RINGING:
                return p.queue in resynced and (p.queue, p.call_id) not in waiting
            return p.agent not in busy

        self._close(ended)

    def _close_call(self, call_id: str) -> None:
        self._close(lambda p: p.call_id == call_id)

    def _close(self, which: Callable[[Pop], bool]) -> None:
        for key in [k for k, p in self.pops.items() if which(p)]:
            del self.pops[key]

    def sweep(self, now: float) -> None:
        """Pops whose end was never seen (an event lost while the daemon was away) go by age."""
        self._swept_at = now

        def stale(p: Pop) -> bool:
            if p.state == RINGING:
                return now - p.rung_at > MAX_RING
            return now - (p.answered_at or p.rung_at) > MAX_CONNECTED

        self._close(stale)
        for call_id in [c for c, s in self.stories.items() if now - s.seen_at > MAX_CONNECTED]:
            if not self.of_call(call_id):
                del self.stories[call_id]


def caller(story: Story) -> dict[str, Any]:
    """Who calls and how sure the match is: the caller's number names one customer ("number"),
    the IVR's account named them ("account"), the agent picked them on a shared number
    ("picked"), several share the number and nobody has picked yet ("shared"), or "unknown"."""
    if story.customer_id is not None:
        match = "picked" if story.picked_by else "number" if story.candidates == 1 else "account"
    else:
        match = "shared" if story.candidates > 1 else "unknown"
    return {
        "number": story.caller_id,
        "withheld": not story.caller_id,
        "match": match,
        "customer_id": story.customer_id,
        "candidates": story.candidates,
        "picked_by": story.picked_by,
        "verified": story.verification == "verified",
        "greeted": story.greeted,
        "language": story.language,
    }


def ivr(story: Story) -> dict[str, Any] | None:
    """What the IVR learned; None when the call came by a number without one."""
    if not story.steps and not story.category and not story.verification:
        return None
    return {
        "category": story.category,
        "account": story.account,
        "verification": story.verification,
        "verified_by": verified_by(story.steps) if story.verification == "verified" else "",
        "steps": list(story.steps),
    }


def verified_by(steps: tuple[str, ...]) -> str:
    """The question whose right answer verified the caller (the last one answered right)."""
    for step in reversed(steps):
        question, _, result = step.partition(":")
        if result == "right":
            return question
    return ""


def _escalation(e: Escalation) -> dict[str, Any]:
    return {
        "at": e.at,
        "from_queue": e.from_queue,
        "to_queue": e.to_queue,
        "agent": e.agent,
        "reason": e.reason,
        "note": e.note,
    }


checkpoint.register(Escalation, Story, Pop)
