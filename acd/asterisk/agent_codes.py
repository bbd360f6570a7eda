"""Agents' feature codes on their phones (log in, pause, resume, log out), over FastAGI.

The phone side of the agent desk (acd/asterisk/agent_desk.py), apart so each file holds one
thing: what the caller keys in and hears. What is asked for goes through the desk's
`login`/`pause`/`resume`/`logout`, which ask the book first and then tell Asterisk.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Protocol

from twisted.logger import Logger

from acd import security_log
from acd.asterisk import channel_vars as var
from acd.asterisk.fastagi import AgiChannel, Route
from acd.asterisk.guess_limits import GuessLimits, pin_keys
from acd.asterisk.ivr_player import read_digits, say
from acd.config import Config
from acd.core.agent_book import AgentBook
from acd.core.agents import State
from acd.core.people import Person
from acd.core.staffing import Staffing
from acd.speech import SpeechCache

log = Logger()
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
    "pending": "You will be paused when this call ends.",
    "resumed": "You are ready.",
    "not_here": "No agent is logged in at this phone.",
    "refused": "Not possible now.",
    "in_use": "Another agent is logged in at this phone. They must log out first.",
}


class PinCheck(Protocol):
    """The staff table (acd/store/roster.py): its PIN check (the person, or None) and its agents."""

    staffing: Staffing

    async def check_pin(self, number: str, pin: str) -> Person | None: ...


class FeatureCodes:
    """What a phone's feature code does; the desk it is mixed into does the asking."""

    config: Config
    book: AgentBook
    people: PinCheck
    pins: GuessLimits
    speech: SpeechCache

    async def login(self, number: str, interface: str) -> bool:
        raise NotImplementedError

    async def pause(self, number: str, reason: str) -> bool:
        raise NotImplementedError

    async def resume(self, number: str) -> bool:
        raise NotImplementedError

    async def logout(self, number: str) -> bool:
        raise NotImplementedError

    def table(self) -> dict[str, Route]:
        return {"acd/agent": self.feature}

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
            agent = self.people.staffing.get(number)
            keys = pin_keys(number, interface)
            if await self.pins.attempt(keys, interface) > 0:
                await self._say(channel, "locked")
                return "locked"
            checked = await self.people.check_pin(number, pin)  # a stranger's costs the same
            if agent is not None and checked is not None and checked.role == "agent":
                await self.pins.right_pin(keys, interface)
                await channel.set_variable(var.AGENT, number)
                held = self.book.holder(interface, number)
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
        agent = self.book.agent_at(interface)
        if agent is None:
            await self._say(channel, "not_here")
            return "not_logged_in"
        await channel.set_variable(var.AGENT, agent.number)
        reasons = self.config.features.pause_reasons
        reason = reasons.get(await self._read(channel, "reason", 1), "other")
        if not await self.pause(agent.number, reason):
            await self._say(channel, "refused")
            return "refused"
        now = self.book.agents[agent.number]
        done = "paused" if now.state is State.PAUSED else "pending"
        await self._say(channel, done)
        return f"{done}:{reason}"

    async def _resume_call(self, channel: AgiChannel, interface: str) -> str:
        return await self._simple(channel, interface, self.resume, "resumed")

    async def _logout_call(self, channel: AgiChannel, interface: str) -> str:
        return await self._simple(channel, interface, self.logout, "logged_out")

    async def _simple(
        self, channel: AgiChannel, interface: str, do: Callable[[str], Awaitable[bool]], done: str
    ) -> str:
        agent = self.book.agent_at(interface)
        if agent is None:
            await self._say(channel, "not_here")
            return "not_logged_in"
        await channel.set_variable(var.AGENT, agent.number)
        ok = await do(agent.number)
        await self._say(channel, done if ok else "refused")
        return done if ok else "refused"

    async def _read(self, channel: AgiChannel, prompt: str, max_digits: int) -> str:
        return await read_digits(channel, self.speech, [("en", PROMPTS[prompt])], max_digits, 6000)

    async def _say(self, channel: AgiChannel, prompt: str) -> None:
        await say(channel, self.speech, [("en", PROMPTS[prompt])])
