"""The agents book: every agent's state, the phone each is logged in at, the pause they
asked for during a call, and how long they have been in their state; kept from events alone.

It is the read model of agents (routing, announcements, the supervisor's and recorder's
lookups, the status API all read it); the agent desk only asks it what may be done and
emits the event. A restart replays the journal into it, so it must be pure.

The model follows the PBX: a ring ends with its call (the caller abandons or leaves, the
agent's leg hangs up, the ring times out), a call ends with AgentComplete or its leg's
hangup, and every resync (a census of the queues: acd/core/agent_census.py) ends what
Asterisk no longer has: a call that ended while the daemon was away, a ring nobody reported
the end of, a pause the PBX made itself. Otherwise an agent stayed `ringing` or `on_call`
and their *71 was refused.
A pause asked for during a ring or a call is pending and taken as it ends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from acd.core import checkpoint
from acd.core import events as ev
from acd.core.agent_census import RNA as RNA  # the book's names, where callers look for them
from acd.core.agent_census import WRAPUP as WRAPUP
from acd.core.agent_census import PbxWord
from acd.core.agent_records import Report, Ring
from acd.core.agents import Act, Agent, Refused, State, holder
from acd.core.staffing import seats as seats  # the config's fixed phones, as the book seats them

BUSY = frozenset({State.RINGING, State.ON_CALL})  # a pause asked for now is pending


AGENT_BOOK_EVENTS: tuple[type[ev.Event], ...] = (
    ev.AgentLoggedIn,
    ev.AgentLoggedOut,
    ev.AgentEnrolled,
    ev.AgentWithdrawn,
    ev.AgentPaused,
    ev.AgentResumed,
    ev.AgentWrappedUp,
    ev.CallWrappedUp,
    ev.AgentRung,
    ev.AgentMissed,
    ev.CallAnswered,
    ev.CallCompleted,
    ev.CallerAbandoned,
    ev.CallerLeft,
    ev.ChannelHungUp,
    ev.MemberChanged,
    ev.MemberRemoved,
    ev.ResyncStarted,
    ev.ResyncFinished,
)


class AgentBook(PbxWord, checkpoint.Checkpointed):
    """`seats`: agent number -> their fixed phone ("PJSIP/1001") or "" (free phones);
    `wrapups`: queue -> seconds of wrap-up after each call."""

    def __init__(self, seats: Mapping[str, str], wrapups: Mapping[str, float] | None = None) -> None:
        self.agents: dict[str, Agent] = {
            n: Agent(n, State.READY, 0.0, interface=i) if i else Agent(n) for n, i in seats.items()
        }
        self.wrapups = dict(wrapups or {})
        self.calls: dict[str, Ring] = {}  # agent -> the ring or call they are on
        self._by_call: dict[str, set[str]] = {}  # call id -> agents rung for or on it
        self._by_leg: dict[str, str] = {}  # agent leg's uniqueid -> agent
        self.wrap_ends: dict[str, float] = {}  # agent -> when their wrap-up is over
        self.wrap_calls: dict[str, Ring] = {}  # agent -> the call their wrap-up is for
        self.members: dict[str, dict[str, Report]] = {}  # agent -> queue -> the PBX's word
        self.moved: list[str] = []  # agents the last event changed, in order
        self.last: ev.Event | None = None  # that event
        self._census: dict[str, dict[str, Report]] | None = None
        self._handlers: dict[type[ev.Event], Callable[[Any], None]] = {
            ev.AgentLoggedIn: self._logged_in,
            ev.AgentLoggedOut: self._logged_out,
            ev.AgentEnrolled: self._enrolled,
            ev.AgentWithdrawn: self._withdrawn,
            ev.AgentPaused: self._paused,
            ev.AgentResumed: self._resumed,
            ev.AgentWrappedUp: self._wrapped_up,
            ev.CallWrappedUp: self._coded,
            ev.AgentRung: self._rung,
            ev.AgentMissed: self._missed,
            ev.CallAnswered: self._answered,
            ev.CallCompleted: self._completed,
            ev.CallerAbandoned: self._caller_gone,
            ev.CallerLeft: self._caller_gone,
            ev.ChannelHungUp: self._hung_up,
            ev.MemberChanged: self._member,
            ev.MemberRemoved: self._member_removed,
            ev.ResyncStarted: self._resync_started,
            ev.ResyncFinished: self._resync_finished,
        }

    STATE = ("agents", "calls", "_by_call", "_by_leg", "wrap_ends", "wrap_calls", "members", "_census")

    def adopt(self, values: Mapping[str, Any]) -> None:
        """A checkpoint's agents, and those the config seats that it did not know yet."""
        seated = self.agents
        super().adopt(values)
        self.agents = {**seated, **self.agents}

    # -- reading ------------------------------------------------------------------------------

    def get(self, number: str) -> Agent | None:
        return self.agents.get(number)

    def phone_of(self, number: str) -> str | None:
        """The phone (PJSIP/1005) agent `number` is logged in at, if they are."""
        agent = self.agents.get(number)
        return agent.interface if agent is not None and agent.state is not State.LOGGED_OUT else None

    def agent_at(self, interface: str) -> Agent | None:
        """The agent logged in at this phone (PJSIP/1001), if any."""
        return next(
            (a for a in self.agents.values() if a.interface == interface and a.state is not State.LOGGED_OUT),
            None,
        )

    def number_at(self, interface: str) -> str | None:
        found = self.agent_at(interface)
        return found.number if found is not None else None

    def ready_at(self, number: str) -> bool:
        """Is the agent logged in and free for a call right now?"""
        agent = self.agents.get(number)
        return agent is not None and agent.state is State.READY

    def holder(self, interface: str, number: str) -> Agent | None:
        """Another agent logged in at `interface`, if any (one agent per phone)."""
        return holder(self.agents.values(), interface, number)

    def refusal(self, event: ev.Event) -> str | None:
        """Why an agent's own request (login, pause, resume, logout) cannot be taken now;
        None when it can. Asked before the event is applied, with no pause in between."""
        agent = self.agents.get(getattr(event, "agent", ""))
        if agent is None:
            return "not a configured agent"
        if isinstance(event, ev.AgentLoggedIn):
            held = self.holder(event.interface, agent.number)
            if held is not None:
                return f"agent {held.number} is logged in at {event.interface}"
            return _why(agent, Act.LOGIN)
        if isinstance(event, ev.AgentPaused):
            return None if agent.state in BUSY else _why(agent, Act.PAUSE)
        if isinstance(event, ev.AgentResumed):
            return None if agent.state in BUSY and agent.pending else _why(agent, Act.RESUME)
        if isinstance(event, ev.AgentLoggedOut):
            return _why(agent, Act.LOGOUT)
        return f"not an agent's request: {type(event).__name__}"

    def hold(self, number: str) -> tuple[bool, str]:
        """Whether the PBX should hold this agent's member paused now, and with which reason:
        their pause, the one pending; during a call of a queue with wrap-up, and through that
        wrap-up, WRAPUP (paused at answer, so no caller can reach them between the hang-up
        and the daemon's word)."""
        agent = self.agents.get(number)
        if agent is None or agent.state is State.LOGGED_OUT:
            return False, ""
        if agent.state is State.PAUSED:
            return True, agent.reason
        if agent.pending:
            return True, agent.pending
        if agent.state is State.WRAP_UP:
            return True, WRAPUP
        ring = self.calls.get(number)
        if agent.state is State.ON_CALL and ring is not None and self.wrapups.get(ring.queue, 0.0) > 0:
            return True, WRAPUP
        return False, ""

    def wrapping(self, number: str) -> Ring | None:
        """The call whose wrap-up holds this agent now, if any."""
        agent = self.agents.get(number)
        return self.wrap_calls.get(number) if agent is not None and agent.state is State.WRAP_UP else None

    def snapshot(self, now: float) -> list[dict[str, object]]:
        return [{**a.as_dict(), "in_state": round(a.in_state(now), 3)} for a in self.agents.values()]

    # -- events -------------------------------------------------------------------------------

    def apply(self, event: ev.Event) -> None:
        self.moved, self.last = [], event
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event)

    def _set(self, agent: Agent) -> None:
        if self.agents.get(agent.number) != agent:
            self.agents[agent.number] = agent
            if agent.number not in self.moved:
                self.moved.append(agent.number)

    def _act(
        self,
        number: str,
        act: Act,
        at: float,
        *,
        reason: str | None = None,
        interface: str | None = None,
        pending: str | None = None,
    ) -> bool:
        agent = self.agents.get(number)
        if agent is None:
            return False
        try:
            self._set(agent.to(act, at, reason=reason, interface=interface, pending=pending))
        except Refused:  # e.g. a ring that raced a pause: the next event or resync settles it
            return False
        return True

    def _logged_in(self, event: ev.AgentLoggedIn) -> None:
        if self.holder(event.interface, event.agent) is not None:
            return
        if self._act(event.agent, Act.LOGIN, event.at, interface=event.interface) and self._pbx_paused(
            event.agent, event.interface
        ):  # the member was there already, paused: Asterisk keeps it so
            self._act(event.agent, Act.PAUSE, event.at, reason=RNA)

    def _logged_out(self, event: ev.AgentLoggedOut) -> None:
        if self._act(event.agent, Act.LOGOUT, event.at):
            self._drop_call(event.agent)
            self._wrap_over(event.agent)

    def _enrolled(self, event: ev.AgentEnrolled) -> None:
        if event.agent not in self.agents:
            self._set(Agent(event.agent))

    def _withdrawn(self, event: ev.AgentWithdrawn) -> None:
        """Only a logged-out agent is forgotten (the daemon logs a disabled one out first)."""
        agent = self.agents.get(event.agent)
        if agent is not None and agent.state is State.LOGGED_OUT:
            del self.agents[event.agent]
            self.members.pop(event.agent, None)

    def _paused(self, event: ev.AgentPaused) -> None:
        agent = self.agents.get(event.agent)
        if agent is not None and agent.state in BUSY:
            self._set(replace(agent, pending=event.reason))
        else:
            self._act(event.agent, Act.PAUSE, event.at, reason=event.reason)

    def _resumed(self, event: ev.AgentResumed) -> None:
        agent = self.agents.get(event.agent)
        if agent is not None and agent.state in BUSY:
            self._set(replace(agent, pending=""))
        else:
            self._act(event.agent, Act.RESUME, event.at)

    def _wrapped_up(self, event: ev.AgentWrappedUp) -> None:
        if self._act(event.agent, Act.WRAPPED, event.at):
            self._wrap_over(event.agent)

    def _coded(self, event: ev.CallWrappedUp) -> None:
        """The agent's disposition for the call their wrap-up is for ends it (a later one,
        for an earlier call, changes nothing)."""
        ring = self.wrapping(event.agent)
        if (
            ring is not None
            and ring.call_id == event.call_id
            and self._act(event.agent, Act.WRAPPED, event.at)
        ):
            self._wrap_over(event.agent)

    def _wrap_over(self, number: str) -> None:
        self.wrap_ends.pop(number, None)
        self.wrap_calls.pop(number, None)

    def _rung(self, event: ev.AgentRung) -> None:
        if self._act(event.agent, Act.RING, event.at):
            self._take_call(event.agent, Ring(event.call_id, event.queue, event.agent_channel_id))
            self._wrap_over(event.agent)

    def _answered(self, event: ev.CallAnswered) -> None:
        agent = self.agents.get(event.agent)
        if agent is None:
            return
        # picked up just as a pause landed: Asterisk keeps the member paused, so is the agent after
        pending = agent.reason if agent.state is State.PAUSED else agent.pending
        if self._act(event.agent, Act.ANSWER, event.at, pending=pending):
            leg = event.agent_channel_id or getattr(self.calls.get(event.agent), "leg", "")
            self._take_call(event.agent, Ring(event.call_id, event.queue, leg))
            self._wrap_over(event.agent)

    def _completed(self, event: ev.CallCompleted) -> None:
        self._end_call(event.agent, event.at, event.queue)

    def _missed(self, event: ev.AgentMissed) -> None:
        agent = self.agents.get(event.agent)
        if agent is not None and self._act(
            event.agent, Act.MISS, event.at, reason=agent.pending or RNA, pending=""
        ):
            self._drop_call(event.agent)

    def _caller_gone(self, event: ev.CallerAbandoned | ev.CallerLeft) -> None:
        """The caller left the queue (gave up, timed out, or was answered, by this agent or
        another): nobody is rung for them any longer."""
        for number in sorted(self._by_call.get(event.call_id, ())):
            if self.agents[number].state is State.RINGING:
                self._end_ring(number, event.at)

    def _hung_up(self, event: ev.ChannelHungUp) -> None:
        number = self._by_leg.get(event.channel_id)
        if number is None:
            return
        if self.agents[number].state is State.RINGING:
            self._end_ring(number, event.at)
        else:
            self._end_call(number, event.at, self.calls[number].queue)

    def _take_call(self, number: str, ring: Ring) -> None:
        self._drop_call(number)
        self.calls[number] = ring
        self._by_call.setdefault(ring.call_id, set()).add(number)
        if ring.leg:
            self._by_leg[ring.leg] = number

    def _drop_call(self, number: str) -> None:
        ring = self.calls.pop(number, None)
        if ring is None:
            return
        agents = self._by_call.get(ring.call_id, set())
        agents.discard(number)
        if not agents:
            self._by_call.pop(ring.call_id, None)
        if self._by_leg.get(ring.leg) == number:
            del self._by_leg[ring.leg]

    def _end_ring(self, number: str, at: float) -> None:
        self._drop_call(number)
        if self._act(number, Act.RING_ENDED, at):
            self._take_pending(number, at)

    def _end_call(self, number: str, at: float, queue: str | None) -> None:
        """The call is over: the pending pause, else wrap-up (ready at once when the queue
        has none, or when the call ended so long ago that it is over too)."""
        ring = self.calls.get(number)
        self._drop_call(number)
        if not self._act(number, Act.HANG_UP, at):
            return
        if self._take_pending(number, at):
            return
        wrapup = self.wrapups.get(queue, 0.0) if queue is not None else 0.0
        if wrapup > 0:
            self.wrap_ends[number] = at + wrapup
            if ring is not None:
                self.wrap_calls[number] = ring
        else:
            self._act(number, Act.WRAPPED, at)

    def _take_pending(self, number: str, at: float) -> bool:
        agent = self.agents[number]
        if not agent.pending:
            return False
        return self._act(number, Act.PAUSE, at, reason=agent.pending, pending="")


def _why(agent: Agent, act: Act) -> str | None:
    try:
        agent.to(act, agent.since)
    except Refused as why:
        return str(why)
    return None


checkpoint.register(Agent, State, Ring, Report)
