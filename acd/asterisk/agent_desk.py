"""Agents at work: what their feature codes ask for (acd/asterisk/agent_codes.py, the phone
side) carried out as queue memberships and pauses over AMI, the book's records mirrored in redis.

An adapter: the agents' state is the core's book (acd/core/agent_book.py), which also says
what may be done now; tiers.py says which queues and penalties. A feature code asks the
book, emits the agent's event through the daemon's `apply`, then carries it out on
Asterisk. Ring-no-answer pauses the agent (reason `ring-no-answer`) so a caller is not
offered to an empty seat again and again. A pause asked for during a call is sent at once
(Asterisk pauses a member in a call) and the book takes it as the call ends.

After every AMI (re)connect, what redis remembers is re-applied: a restarted Asterisk gets
its dynamic members and pauses back, and a record newer than the book's (a daemon without a
journal) is told to the book as the agents' events. A ring or a call is never restored from
redis: what Asterisk's census says of those is the truth. What redis gives back is checked
first (anyone who can write to redis could otherwise choose the interface and pause reason
sent to Asterisk): the phone must be one of the configured phones, the reason one of the
configured ones; a record that is not is logged and dropped.
"""

from __future__ import annotations

import asyncio
import functools
import math
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from twisted.logger import Logger

from acd.asterisk import actions
from acd.asterisk.agent_codes import FeatureCodes, PinCheck
from acd.asterisk.guess_limits import GuessLimits
from acd.background import background
from acd.config import Config
from acd.core import events as ev
from acd.core import tiers
from acd.core.agent_book import RNA, WRAPUP, AgentBook
from acd.core.agents import Agent, State
from acd.speech import SpeechCache

log = Logger()


class Ami(Protocol):
    connected: bool

    def action(self, action: actions.Action) -> Awaitable[object]: ...


class Live(Protocol):
    async def save(self, agent: Agent) -> None: ...

    async def load(self) -> dict[str, Agent]: ...


class AgentDesk(FeatureCodes):
    def __init__(
        self,
        config: Config,
        ami: Ami,
        live: Live,
        speech: SpeechCache,
        pins: GuessLimits,
        book: AgentBook,
        apply: Callable[[ev.Event], object],
        people: PinCheck,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.people = people  # the staff table: the PIN hashes
        self.config, self.ami, self.live, self.speech, self.clock = config, ami, live, speech, clock
        self.pins = pins  # wrong PINs per agent-at-phone and per phone, across calls
        self.book, self.apply = book, apply
        self.lines = config.lines()
        self._wrapping: dict[str, float] = {}  # agent -> the wrap-up end a timer waits for
        self._held: set[str] = set()  # agents the desk holds paused for wrap-up on Asterisk
        self._unsaved: dict[str, None] = {}  # agents whose state redis has yet to get, in order
        self._saving = False

    # -- what the agents ask for -----------------------------------------------------------

    def _request(self, event: ev.Event) -> bool:
        """Ask the book, then tell it: no pause in between, so two logins cannot both win."""
        why = self.book.refusal(event)
        if why is not None:
            log.info("agent {agent}: {why}", agent=getattr(event, "agent", "?"), why=why)
            return False
        self.apply(event)
        return True

    async def login(self, number: str, interface: str) -> bool:
        """Log `number` in at `interface`; refused while another agent holds that phone."""
        old = self.book.get(number)
        if old is None or not self._request(ev.AgentLoggedIn(self.clock(), number, interface)):
            return False
        if old.interface and old.interface != interface and old.state is not State.LOGGED_OUT:
            await self._remove(number, old.interface)  # the agent moved to another phone
        await self._add(number, interface, paused=self.book.agents[number].state is State.PAUSED)
        return True

    async def pause(self, number: str, reason: str) -> bool:
        """Paused now, or (during a ring or call) as it ends; Asterisk is told at once."""
        if not self._request(ev.AgentPaused(self.clock(), number, reason)):
            return False
        await self._pause_member(self.book.agents[number].interface, True, reason)
        return True

    async def resume(self, number: str) -> bool:
        """Ready now, or (during a call) the pending pause taken back: on Asterisk the member
        is then held for the call's wrap-up, if its queue has one, else unpaused."""
        if not self._request(ev.AgentResumed(self.clock(), number)):
            return False
        paused, reason = self.book.hold(number)
        if reason != WRAPUP:  # a hold is the book's to follow (on_event sent it already)
            await self._pause_member(self.book.agents[number].interface, paused, reason)
        return True

    async def logout(self, number: str) -> bool:
        agent = self.book.get(number)
        if agent is None or not self._request(ev.AgentLoggedOut(self.clock(), number)):
            return False
        await self._remove(number, agent.interface)
        return True

    # -- Asterisk --------------------------------------------------------------------------

    def _penalties(self, number: str) -> dict[str, int]:
        lines = tiers.memberships(self.people.staffing.queues(number), self.lines)
        return {**lines, tiers.personal_queue(number): tiers.OWN}

    async def _add(self, number: str, interface: str, paused: bool) -> None:
        for queue, penalty in self._penalties(number).items():
            await self._send(functools.partial(actions.queue_add, queue, interface, penalty, paused, number))

    async def _remove(self, number: str, interface: str) -> None:
        for queue in self._penalties(number):
            await self._send(functools.partial(actions.queue_remove, queue, interface))

    async def _pause_member(self, interface: str, paused: bool, reason: str) -> None:
        await self._send(lambda: actions.queue_pause(interface, paused, reason))

    async def _send(self, build: Callable[[], actions.Action]) -> None:
        try:
            action = build()
        except actions.UnsafeAction as exc:  # never on the wire; the agent's state says why
            log.error("AMI action refused before sending: {why}", why=exc)
            return
        try:
            answer = await self.ami.action(action)
        except Exception as exc:  # noqa: BLE001  AMI down: redis still has the intent; re-applied on reconnect
            log.warn("{action} not sent: {why}", action=action.name, why=exc)
            return
        if isinstance(answer, dict) and answer.get("Response") == "Error":
            log.info("{action}: {msg}", action=action.name, msg=answer.get("Message"))

    # -- after the book took an event ------------------------------------------------------

    def on_event(self, event: ev.Event) -> None:
        """The book has taken `event` already (it is subscribed first): save what moved, and
        act on it: pause on Asterisk an agent who did not answer, time wrap-ups."""
        if self.book.last is not event:
            return  # not the book's (or it failed on it)
        for number in self.book.moved:
            self._save_later(number)
            self._time_wrap_up(number)
            self._follow_hold(number)
        if isinstance(event, ev.AgentMissed) and event.agent in self.book.moved:
            agent = self.book.agents[event.agent]
            if agent.state is State.PAUSED:
                log.info(
                    "agent {agent} did not answer: paused ({reason})", agent=agent.number, reason=agent.reason
                )
                background(self._pause_member(agent.interface, True, agent.reason), "pausing an agent")
        elif isinstance(event, ev.ResyncFinished):
            for number in list(self.book.wrap_ends):  # wrap-ups the journal's replay left running
                self._time_wrap_up(number)
            for number in self.book.agents:
                self._settle_hold(number)
            background(self.restore(), "restoring agents from redis")

    def _follow_hold(self, number: str) -> None:
        """The wrap-up hold on Asterisk follows the book: paused (reason WRAPUP) from the
        answer of a call whose queue has wrap-up, lifted when the wrap-up ends (submitted or
        timed out). Pauses of the agent's own are sent where they are asked for."""
        paused, reason = self.book.hold(number)
        interface = self.book.agents[number].interface
        if reason == WRAPUP:
            if number not in self._held:
                self._held.add(number)
                background(self._pause_member(interface, True, WRAPUP), "holding an agent for wrap-up")
        elif number in self._held:
            self._held.discard(number)
            if not paused and self.book.agents[number].state is not State.LOGGED_OUT:
                background(self._pause_member(interface, False, ""), "ending an agent's wrap-up hold")

    def _settle_hold(self, number: str) -> None:
        """After a census: a wrap-up hold the PBX still has (from before a restart) that the
        book no longer wants is lifted, or set where the book wants it and the PBX lacks it."""
        agent = self.book.agents[number]
        if agent.state is State.LOGGED_OUT:
            return
        want, have = self.book.hold(number), self.book.pbx_holds(number)
        stale = any(reason == WRAPUP for _, reason in have) and want[1] != WRAPUP
        if stale or (want[1] == WRAPUP and want not in have):
            self._held.discard(number)
            if want[1] == WRAPUP:
                self._held.add(number)
            background(self._pause_member(agent.interface, *want), "settling a wrap-up hold")

    def _save_later(self, number: str) -> None:
        """Agents that moved are saved one write at a time, each as it is when written: a
        burst (a resync, a storm of pauses) costs one connection, and the latest state wins."""
        self._unsaved[number] = None
        if not self._saving:
            self._saving = True
            background(self._save_unsaved(), "saving agents' states")

    async def _save_unsaved(self) -> None:
        try:
            while self._unsaved:
                number = next(iter(self._unsaved))
                del self._unsaved[number]
                await self.live.save(self.book.agents[number])
        finally:
            self._saving = False

    def saving(self) -> bool:
        """Whether states are still waiting for redis (tests and a clean stop wait on it)."""
        return self._saving

    def _time_wrap_up(self, number: str) -> None:
        until = self.book.wrap_ends.get(number)
        if until is None or self.book.agents[number].state is not State.WRAP_UP:
            return
        if self._wrapping.get(number) != until:
            self._wrapping[number] = until
            background(self._wrapped(number, until), "ending wrap-up")

    async def _wrapped(self, number: str, until: float) -> None:
        await asyncio.sleep(max(0.0, until - self.clock()))
        if self._wrapping.get(number) == until:
            del self._wrapping[number]
        agent = self.book.agents[number]
        if agent.state is State.WRAP_UP and self.book.wrap_ends.get(number) == until:
            self.apply(ev.AgentWrappedUp(self.clock(), number))

    # -- redis -----------------------------------------------------------------------------

    def untrusted(self, number: str, agent: Agent) -> str | None:
        """Why a record read back from redis cannot be used as it is; None when it can."""
        if number not in self.book.agents or agent.number != number:
            return "not a configured agent"
        phones = {f"PJSIP/{p.name}" for p in self.config.phones}
        phones |= {f"PJSIP/{a.phone}" for a in self.config.agents if a.phone}
        if agent.interface not in phones and not (agent.interface == "" and agent.state is State.LOGGED_OUT):
            return f"interface {agent.interface[:40]!r} is not a configured phone"
        reasons = {"", RNA, "other", *self.config.features.pause_reasons.values()}
        if agent.reason not in reasons or agent.pending not in reasons:
            return f"pause reason {(agent.reason + agent.pending)[:40]!r} is not a configured reason"
        if not math.isfinite(agent.since):
            return "since is not a time"
        return None

    async def restore(self) -> None:
        """Re-apply what redis remembers: memberships, pauses and logouts; what the book
        does not know yet (a record newer than its own) is told to it first."""
        saved = await self.live.load()
        for number, record in saved.items():
            why = self.untrusted(number, record)
            if why is not None:
                log.warn("dropped agent {agent!r}'s record from redis: {why}", agent=number[:20], why=why)
                continue
            held = self.book.holder(record.interface, number)
            if record.state is not State.LOGGED_OUT and held is not None:
                log.warn(
                    "redis has agent {agent} at {iface}, held by {holder}: not restored",
                    agent=number,
                    iface=record.interface[:40],
                    holder=held.number,
                )
                continue
            if record.since > self.book.agents[number].since:
                self._catch_up(record)
            await self._reapply(number)
        if saved:
            log.info("agent state restored from redis ({n} agents)", n=len(saved))

    def _catch_up(self, record: Agent) -> None:
        """The book's events for what the record says: logged in where, paused why. Never a
        ring or a call: those are the PBX's to say (its census came before this)."""
        number, at, now = record.number, record.since, self.book.agents[record.number]
        wanted: list[ev.Event] = []
        if record.state is State.LOGGED_OUT:
            if now.state is not State.LOGGED_OUT:
                wanted.append(ev.AgentLoggedOut(at, number))
        elif now.state is State.LOGGED_OUT or now.interface != record.interface:
            wanted.append(ev.AgentLoggedIn(at, number, record.interface))
        if record.state is State.PAUSED and (now.state, now.reason) != (State.PAUSED, record.reason):
            wanted.append(ev.AgentPaused(at, number, record.reason))
        if record.pending:
            wanted.append(ev.AgentPaused(at, number, record.pending))
        for event in wanted:
            if self.book.refusal(event) is None:
                self.apply(event)

    async def _reapply(self, number: str) -> None:
        """Asterisk gets the book's state of this agent: a restarted PBX forgot it."""
        agent = self.book.agents[number]
        if agent.state is State.LOGGED_OUT:
            seat = self.config.agent(number)
            if seat is not None and seat.phone:
                await self._remove(number, f"PJSIP/{seat.phone}")
            return
        paused, reason = self.book.hold(number)
        await self._add(number, agent.interface, paused=paused)
        if paused:
            await self._pause_member(agent.interface, True, reason)

    def snapshot(self) -> list[dict]:
        return self.book.snapshot(self.clock())
