"""Agents at work: feature codes (log in, pause, resume, log out) over FastAGI, queue
memberships and pauses over AMI, live state in redis.

The decisions are the core's (acd/core/agents.py for what may follow what, tiers.py for
which queues and penalties); this module only carries them out on Asterisk and remembers
them. Ring-no-answer pauses the agent (reason `ring-no-answer`) so a caller is not offered
to an empty seat again and again. After every AMI (re)connect, what redis remembers is
re-applied: a restarted Asterisk gets its dynamic members and pauses back. What redis gives
back is checked first (anyone who can write to redis could otherwise choose the interface
and pause reason sent to Asterisk): the phone must be one of the configured phones, the
reason one of the configured ones; a record that is not is logged and dropped.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import math
import re
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from twisted.logger import Logger

from acd import security_log
from acd.asterisk import actions
from acd.asterisk import channel_vars as var
from acd.asterisk.fastagi import AgiChannel, Route
from acd.asterisk.guess_limits import GuessLimits, pin_keys
from acd.asterisk.ivr_player import read_digits, say
from acd.background import background
from acd.config import Agent as AgentConfig
from acd.config import Config
from acd.core import events as ev
from acd.core import tiers
from acd.core.agents import Act, Agent, Refused, State, holder
from acd.speech import SpeechCache

log = Logger()
RNA = "ring-no-answer"
_ENDPOINT = re.compile(r"PJSIP/([0-9]{1,20})-[0-9a-f]+")
PROMPTS = {
    "number": "Agent number, then hash.",
    "pin": "PIN, then hash.",
    "wrong_pin": "Wrong PIN.",
    "locked": "Too many wrong PINs. Login is locked for now.",
    "logged_in": "You are logged in.",
    "logged_out": "You are logged out.",
    "reason": "Pause reason.",
    "paused": "You are paused.",
    "resumed": "You are ready.",
    "not_here": "No agent is logged in at this phone.",
    "refused": "Not possible now.",
    "in_use": "Another agent is logged in at this phone. They must log out first.",
}


class Ami(Protocol):
    connected: bool

    def action(self, action: actions.Action) -> Awaitable[object]: ...


class Live(Protocol):
    async def save(self, agent: Agent) -> None: ...

    async def load(self) -> dict[str, Agent]: ...


class AgentDesk:
    def __init__(
        self,
        config: Config,
        ami: Ami,
        live: Live,
        speech: SpeechCache,
        pins: GuessLimits,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config, self.ami, self.live, self.speech, self.clock = config, ami, live, speech, clock
        self.pins = pins  # wrong PINs per agent-at-phone and per phone, across calls
        self.lines = config.lines()
        self.agents = {a.number: self._initial(a) for a in config.agents}
        self._census: set[str] | None = None  # members the PBX reports paused, during a resync
        self._pbx_paused: frozenset[str] = frozenset()

    def _initial(self, agent: AgentConfig) -> Agent:
        """A fixed seat is a member from the PBX's start: ready until they say otherwise."""
        if agent.phone:
            return Agent(agent.number, State.READY, 0.0, interface=f"PJSIP/{agent.phone}")
        return Agent(agent.number)

    def table(self) -> dict[str, Route]:
        return {"acd/agent": self.feature}

    # -- feature codes ---------------------------------------------------------------------

    async def feature(self, channel: AgiChannel) -> None:
        action = channel.headers.get("agi_arg_1", "")
        found = _ENDPOINT.fullmatch(channel.headers.get("agi_channel", ""))
        if found is None:
            log.warn("agent feature {action!r} from an unknown channel", action=action[:20])
            return
        interface = f"PJSIP/{found.group(1)}"
        handler = {
            "login": self._login_call,
            "pause": self._pause_call,
            "resume": self._resume_call,
            "logout": self._logout_call,
        }.get(action)
        if handler is None:
            log.warn("unknown agent feature {action!r}", action=action[:20])
            return
        result = await handler(channel, interface)
        await channel.set_variable(var.AGENT_RESULT, result)

    async def _login_call(self, channel: AgiChannel, interface: str) -> str:
        features = self.config.features
        for _ in range(features.pin_attempts):
            number = await self._read(channel, "number", 8)
            pin = await self._read(channel, "pin", 8)
            agent = self.config.agent(number)
            keys = pin_keys(number, interface)
            if await self.pins.wait(keys, interface) > 0:
                await self._say(channel, "locked")
                return "locked"
            if agent is not None and hmac.compare_digest(pin.encode(), agent.pin.encode()):
                await self.pins.guessed(keys[:1], right=True, remote=interface)
                await channel.set_variable(var.AGENT, number)
                held = holder(self.agents.values(), interface, number)
                if held is not None:
                    self._refuse_held(number, interface, held.number)
                    await self._say(channel, "in_use")
                    return "in_use"
                ok = await self.login(number, interface)
                log.info("agent {agent} logged in at {iface}", agent=number, iface=interface)
                await self._say(channel, "logged_in" if ok else "refused")
                return "logged_in" if ok else "refused"
            log.warn("wrong PIN for agent {agent!r} from {iface}", agent=number[:8], iface=interface)
            await self.pins.guessed(keys, right=False, remote=interface)
            await self._say(channel, "wrong_pin")
        return "wrong_pin"

    def _refuse_held(self, number: str, interface: str, held_by: str) -> None:
        log.info(
            "agent {agent} refused at {iface}: agent {holder} is logged in there",
            agent=number,
            iface=interface,
            holder=held_by,
        )
        security_log.event("PhoneInUse", "agent-desk", interface, agent=number, holder=held_by)

    async def _pause_call(self, channel: AgiChannel, interface: str) -> str:
        agent = self.agent_at(interface)
        if agent is None:
            await self._say(channel, "not_here")
            return "not_logged_in"
        await channel.set_variable(var.AGENT, agent.number)
        reasons = self.config.features.pause_reasons
        reason = reasons.get(await self._read(channel, "reason", 1), "other")
        ok = await self.pause(agent.number, reason)
        await self._say(channel, "paused" if ok else "refused")
        return f"paused:{reason}" if ok else "refused"

    async def _resume_call(self, channel: AgiChannel, interface: str) -> str:
        return await self._simple(channel, interface, self.resume, "resumed")

    async def _logout_call(self, channel: AgiChannel, interface: str) -> str:
        return await self._simple(channel, interface, self.logout, "logged_out")

    async def _simple(
        self, channel: AgiChannel, interface: str, do: Callable[[str], Awaitable[bool]], done: str
    ) -> str:
        agent = self.agent_at(interface)
        if agent is None:
            await self._say(channel, "not_here")
            return "not_logged_in"
        await channel.set_variable(var.AGENT, agent.number)
        ok = await do(agent.number)
        await self._say(channel, done if ok else "refused")
        return done if ok else "refused"

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

    async def _read(self, channel: AgiChannel, prompt: str, max_digits: int) -> str:
        return await read_digits(channel, self.speech, [("en", PROMPTS[prompt])], max_digits, 6000)

    async def _say(self, channel: AgiChannel, prompt: str) -> None:
        await say(channel, self.speech, [("en", PROMPTS[prompt])])

    # -- what the agents ask for -----------------------------------------------------------

    async def login(self, number: str, interface: str) -> bool:
        """Log `number` in at `interface`; refused while another agent holds that phone
        (checked and taken without a pause in between, so two logins cannot both win)."""
        old = self.agents[number]
        if holder(self.agents.values(), interface, number) is not None:
            return False
        if not await self._move(number, Act.LOGIN, interface=interface):
            return False
        if old.interface and old.interface != interface and old.state is not State.LOGGED_OUT:
            await self._remove(number, old.interface)  # the agent moved to another phone
        await self._add(number, interface, paused=self.agents[number].state is State.PAUSED)
        return True

    async def pause(self, number: str, reason: str) -> bool:
        if not await self._move(number, Act.PAUSE, reason=reason):
            return False
        await self._pause_member(self.agents[number], True)
        return True

    async def resume(self, number: str) -> bool:
        if not await self._move(number, Act.RESUME):
            return False
        await self._pause_member(self.agents[number], False)
        return True

    async def logout(self, number: str) -> bool:
        interface = self.agents[number].interface
        if not await self._move(number, Act.LOGOUT):
            return False
        await self._remove(number, interface)
        return True

    async def _move(self, number: str, act: Act, **changes: object) -> bool:
        try:
            self.agents[number] = self.agents[number].to(act, self.clock(), **changes)
        except Refused as why:
            log.info("{why}", why=why)
            return False
        await self.live.save(self.agents[number])
        return True

    # -- Asterisk --------------------------------------------------------------------------

    def _penalties(self, number: str) -> dict[str, int]:
        agent = self.config.agent(number)
        lines = tiers.memberships(agent.queues if agent else (), self.lines)
        return {**lines, tiers.personal_queue(number): tiers.OWN}

    def ready_at(self, number: str) -> bool:
        """Is the agent logged in and free for a call right now?"""
        agent = self.agents.get(number)
        return agent is not None and agent.state is State.READY

    async def _add(self, number: str, interface: str, paused: bool) -> None:
        for queue, penalty in self._penalties(number).items():
            await self._send(functools.partial(actions.queue_add, queue, interface, penalty, paused, number))

    async def _remove(self, number: str, interface: str) -> None:
        for queue in self._penalties(number):
            await self._send(functools.partial(actions.queue_remove, queue, interface))

    async def _pause_member(self, agent: Agent, paused: bool) -> None:
        await self._send(lambda: actions.queue_pause(agent.interface, paused, agent.reason))

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

    # -- what Asterisk reports -------------------------------------------------------------

    def on_event(self, event: ev.Event) -> None:
        if isinstance(event, ev.AgentMissed):
            background(self._missed(event.agent), "pausing an agent who did not answer")
        elif isinstance(event, (ev.AgentRung, ev.CallAnswered, ev.CallCompleted)):
            act = {ev.AgentRung: Act.RING, ev.CallAnswered: Act.ANSWER, ev.CallCompleted: Act.HANG_UP}[
                type(event)
            ]
            self._track(event.agent, act, event.at)
            if act is Act.HANG_UP:
                background(self._wrapped(event.agent, self._wrapup(event.queue)), "ending wrap-up")
        elif isinstance(event, ev.ResyncStarted):
            self._census = set()
        elif isinstance(event, ev.MemberChanged) and self._census is not None and event.paused:
            self._census.add(event.agent)
        elif isinstance(event, ev.ResyncFinished):
            self._pbx_paused, self._census = frozenset(self._census or ()), None
            background(self.restore(self._pbx_paused), "restoring agents from redis")

    def paused_by_pbx(self) -> frozenset[str]:
        """Members the last resync found paused (by us, or by Asterisk's autopause alone)."""
        return self._pbx_paused

    def _track(self, number: str, act: Act, at: float) -> None:
        agent = self.agents.get(number)
        if agent is None:
            return
        try:
            self.agents[number] = agent.to(act, at)
        except Refused as why:
            log.debug("{why}", why=why)  # e.g. a ring that raced a pause: Asterisk is right
            return
        background(self.live.save(self.agents[number]), "saving an agent's state")

    async def _missed(self, number: str) -> None:
        if number in self.agents and await self._move(number, Act.MISS, reason=RNA):
            log.info("agent {agent} did not answer: paused ({reason})", agent=number, reason=RNA)
            await self._pause_member(self.agents[number], True)

    async def _wrapped(self, number: str, seconds: float) -> None:
        await asyncio.sleep(seconds)
        if number in self.agents and self.agents[number].state is State.WRAP_UP:
            await self._move(number, Act.WRAPPED)

    def _wrapup(self, queue: str) -> float:
        return float(next((q.wrapup for q in self.config.queues if q.name == queue), 0))

    def untrusted(self, number: str, agent: Agent) -> str | None:
        """Why a record read back from redis cannot be used as it is; None when it can."""
        if number not in self.agents or agent.number != number:
            return "not a configured agent"
        phones = {f"PJSIP/{p.name}" for p in self.config.phones}
        phones |= {f"PJSIP/{a.phone}" for a in self.config.agents if a.phone}
        if agent.interface not in phones and not (agent.interface == "" and agent.state is State.LOGGED_OUT):
            return f"interface {agent.interface[:40]!r} is not a configured phone"
        reasons = {"", RNA, "other", *self.config.features.pause_reasons.values()}
        if agent.reason not in reasons:
            return f"pause reason {agent.reason[:40]!r} is not a configured reason"
        if not math.isfinite(agent.since):
            return "since is not a time"
        return None

    async def restore(self, pbx_paused: frozenset[str] = frozenset()) -> None:
        """Re-apply what redis remembers: memberships, pauses and logouts; a pause the PBX made
        while we were away (autopause on ring-no-answer) is adopted, never undone."""
        saved = await self.live.load()
        for number, agent in saved.items():
            why = self.untrusted(number, agent)
            if why is not None:
                log.warn("dropped agent {agent!r}'s record from redis: {why}", agent=number[:20], why=why)
                continue
            held = holder(self.agents.values(), agent.interface, number)
            if agent.state is not State.LOGGED_OUT and held is not None:
                log.warn(
                    "redis has agent {agent} at {iface}, held by {holder}: not restored",
                    agent=number,
                    iface=agent.interface[:40],
                    holder=held.number,
                )
                continue
            self.agents[number] = agent
            if agent.state is State.LOGGED_OUT:
                seat = self.config.agent(number)
                if seat is not None and seat.phone:
                    await self._remove(number, f"PJSIP/{seat.phone}")
                continue
            await self._add(number, agent.interface, paused=agent.state is State.PAUSED)
            if agent.state is State.PAUSED:
                await self._pause_member(agent, True)
        if saved:
            log.info("agent state restored from redis ({n} agents)", n=len(saved))
        await self._adopt_pauses(pbx_paused)

    async def _adopt_pauses(self, pbx_paused: frozenset[str]) -> None:
        for number in sorted(pbx_paused & self.agents.keys()):
            agent = self.agents[number]
            act = {State.READY: Act.PAUSE, State.RINGING: Act.MISS}.get(agent.state)
            if act is None:
                continue
            self.agents[number] = agent.to(act, self.clock(), reason=RNA)
            log.info(
                "agent {agent} was paused by the PBX while we were away ({reason})", agent=number, reason=RNA
            )
            await self.live.save(self.agents[number])

    def snapshot(self) -> list[dict]:
        return [a.as_dict() for a in self.agents.values()]
