"""Supervisors listen in: the spy codes' FastAGI route, the web's call to the supervisor's
phone, and the audit of every session from ChanSpy's AMI events.

A spy code from a phone with the supervisor role reaches `spy` in the dialplan's
acd-spy-ask context; the route asks for the PIN, checks the team and sets ChanSpy's target
and options (acd/core/supervision.py decides). Spy codes from anywhere else arrive from
acd-spy-refused and are only noted. Every attempt, allowed or not, is an audit row.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

from twisted.logger import Logger

from acd.asterisk import actions
from acd.asterisk import channel_vars as var
from acd.asterisk.fastagi import AgiChannel, Hangup, Route
from acd.asterisk.guess_limits import GuessLimits, pin_keys
from acd.asterisk.ivr_player import read_digits, say
from acd.background import background
from acd.config import Config
from acd.core import events as ev
from acd.core.people import Person
from acd.core.supervision import (
    Mode,
    Refusal,
    Session,
    SessionBook,
    SpyRefused,
    Supervisor,
    may_spy,
    refused,
    spy_options,
)
from acd.speech import SpeechCache
from acd.store import quality
from acd.store.directory import Directory
from acd.store.roster import Roster

log = Logger()
ASK_CONTEXT = "acd-spy-ask"
# what on_event reads: a spy's start and end, its digits, a hang-up, a call that never connected
SUPERVISOR_DESK_EVENTS = frozenset(
    {ev.SpyStarted, ev.DigitPressed, ev.SpyEnded, ev.ChannelHungUp, ev.OriginateFailed}
)
RING_S = 30  # how long the web's call rings the supervisor's phone
_ENDPOINT = re.compile(r"PJSIP/([0-9]{1,20})-[0-9a-f]+")
_AGENT = re.compile(r"[0-9]{1,20}")
MODES = {m.value for m in Mode}
PROMPTS = {
    "supervisors_only": "Only supervisors can listen in.",
    "number": "Supervisor number, then hash.",
    "pin": "PIN, then hash.",
    "wrong_pin": "Wrong PIN.",
    "locked": "Too many wrong PINs. Listening in is locked for now.",
    "other_team": "That agent is not in your team.",
    "unknown_agent": "There is no such agent.",
    "not_logged_in": "That agent is not logged in.",
}


class SupervisorDesk:
    def __init__(
        self,
        config: Config,
        ami,
        directory: Directory,
        speech: SpeechCache,
        interface_of: Callable[[str], str | None],
        pins: GuessLimits,
        people: Roster,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config, self.ami, self.directory, self.speech = config, ami, directory, speech
        self.people = people  # the staff table: who supervises, their phones and PIN hashes
        self.interface_of = interface_of  # an agent's phone (PJSIP/1005) while logged in
        self.clock = clock
        self.book = SessionBook()
        self.pins = pins  # wrong PINs, shared with the agent desk's (other keys)

    def table(self) -> dict[str, Route]:
        return {"acd/spy": self.spy}

    # -- the phone ---------------------------------------------------------------------------

    async def spy(self, channel: AgiChannel) -> None:
        headers = channel.headers
        mode_name, agent = headers.get("agi_arg_1", ""), headers.get("agi_arg_2", "")[:20]
        found = _ENDPOINT.fullmatch(headers.get("agi_channel", ""))
        phone = self.config.phone(found.group(1)) if found else None
        caller = f"phone {phone.name}" if phone else "caller"
        allowed = (
            headers.get("agi_context") == ASK_CONTEXT
            and phone is not None
            and phone.role == "supervisor"
            and mode_name in MODES
        )
        if phone is None or not allowed or not _AGENT.fullmatch(agent):
            await self._refuse(channel, caller, agent, Refusal.NOT_SUPERVISOR, "supervisors_only")
            return
        try:
            person = await self._identify(channel, phone.name)
            target = self.check(person, agent)
        except SpyRefused as no:
            await self._refuse(channel, caller, agent, no.why, no.why.value)
            return
        except Hangup:
            self._save(refused(uuid.uuid4().hex, caller, agent, "phone", Refusal.ABANDONED, self.clock()))
            raise
        session = self._open(person, agent, "phone", headers.get("agi_uniqueid", ""), Mode(mode_name))
        await channel.set_variables(
            {
                var.SPY_TARGET: target,
                var.SPY_OPTIONS: spy_options(Mode(mode_name)),
                var.SPY_SESSION: session.id,
            }
        )
        log.info(
            "supervisor {who} listens to agent {agent} ({mode})",
            who=person.number,
            agent=agent,
            mode=mode_name,
        )

    async def _identify(self, channel: AgiChannel, phone: str) -> Person:
        """The supervisor at this phone, by PIN (and number, when the phone is nobody's own)."""
        own = [
            p
            for p in self.people.people.values()
            if p.phone == phone and p.role == "supervisor" and not p.disabled
        ]
        for _ in range(self.config.features.pin_attempts):
            number = own[0].number if len(own) == 1 else await self._read(channel, "number", 8)
            pin = await self._read(channel, "pin", 8)
            person = self.people.person(number)
            if person is None or person.role != "supervisor" or person.disabled:
                raise SpyRefused(Refusal.NOT_SUPERVISOR)
            interface = f"PJSIP/{phone}"
            keys = pin_keys(number, interface)
            if await self.pins.attempt(keys, interface) > 0:
                raise SpyRefused(Refusal.LOCKED)
            checked = await self.people.check_pin(number, pin)
            if checked is not None and checked.role == "supervisor":
                await self.pins.right_pin(keys, interface)
                return checked
            log.warn("wrong supervisor PIN for {who!r} at phone {phone}", who=number, phone=phone)
            await self.pins.guessed(keys, right=False, remote=interface)
            await say(channel, self.speech, [("en", PROMPTS["wrong_pin"])])
        raise SpyRefused(Refusal.WRONG_PIN)

    async def _refuse(self, channel: AgiChannel, who: str, agent: str, why: Refusal, prompt: str) -> None:
        log.info("spying refused: {who} on agent {agent!r}: {why}", who=who, agent=agent, why=why.value)
        self._save(refused(uuid.uuid4().hex, who, agent, "phone", why, self.clock()))
        await say(channel, self.speech, [("en", PROMPTS.get(prompt, PROMPTS["supervisors_only"]))])

    async def _read(self, channel: AgiChannel, prompt: str, max_digits: int) -> str:
        return await read_digits(channel, self.speech, [("en", PROMPTS[prompt])], max_digits, 6000)

    # -- the rules, for the phone and the web ------------------------------------------------

    def check(self, person: Person | None, agent: str) -> str:
        """ChanSpy's target (the agent's phone) when `person` may listen to `agent`."""
        configured = self.people.staffing.everyone.get(agent)  # the staff table's agents
        supervisor = (
            Supervisor(person.number, frozenset(person.teams))
            if person is not None and person.role == "supervisor"
            else None
        )
        why = may_spy(supervisor, configured.team if configured else None, configured is not None)
        if why is not None:
            raise SpyRefused(why)
        interface = self.interface_of(agent)
        if not interface:
            raise SpyRefused(Refusal.NOT_LOGGED_IN)
        return f"{interface}-"  # the dash: PJSIP/1001 must not also match PJSIP/10010

    # -- the web -----------------------------------------------------------------------------

    async def listen_from_web(self, person: Person | None, agent: str, mode: Mode) -> Session:
        """Ring the supervisor's own phone; answering lands them in ChanSpy in `mode`."""
        who = person.number if person is not None else "web"
        try:
            target = self.check(person, agent)
            if person is None:  # check() refuses nobody first; this tells mypy so
                raise SpyRefused(Refusal.NOT_SUPERVISOR)
            if person.phone is None:
                raise SpyRefused(Refusal.NO_PHONE)
        except SpyRefused as no:
            self._save(refused(uuid.uuid4().hex, who, agent, "web", no.why, self.clock()))
            raise
        spyer = f"acd-spy-{uuid.uuid4().hex[:16]}"
        session = self._open(person, agent, "web", spyer, mode)
        variables = {
            var.SPY_TARGET: target,
            var.SPY_OPTIONS: spy_options(mode),
            var.SPY_SESSION: session.id,
        }
        try:
            answer = await self.ami.action(
                actions.originate(
                    f"PJSIP/{person.phone}",
                    actions.SPY,
                    variables,
                    timeout_ms=RING_S * 1000,
                    channel_id=spyer,
                    caller_id=f"Listen {agent} <{agent}>",
                )
            )
        except BaseException:
            self._end(spyer)
            raise
        if isinstance(answer, dict) and answer.get("Response") == "Error":
            self._end(spyer)
            raise ConnectionError(f"the PBX refused the call: {answer.get('Message')}")
        log.info(
            "web: supervisor {who} listens to agent {agent} ({mode})", who=who, agent=agent, mode=mode.value
        )
        return session

    def _end(self, spyer: str) -> None:
        ended = self.book.end(spyer, self.clock())
        if ended is not None:
            self._save(ended)

    # -- what the PBX reports ----------------------------------------------------------------

    def on_event(self, event: ev.Event) -> None:
        """The bus hands it SUPERVISOR_DESK_EVENTS only: keep that set in step with this."""
        changed = None
        if isinstance(event, ev.SpyStarted):
            changed = self.book.spying(event.spyer, event.call_id, event.at)
        elif isinstance(event, ev.DigitPressed):
            changed = self.book.digit(event.channel_id, event.digit)
        elif isinstance(event, (ev.SpyEnded, ev.ChannelHungUp, ev.OriginateFailed)):
            # the dialplan's end, the phone's hang-up, or the web's call that never connected
            spyer = event.spyer if isinstance(event, ev.SpyEnded) else event.channel_id
            changed = self.book.end(spyer, event.at)
        if changed is not None:
            self._save(changed)

    def _open(self, person: Person, agent: str, origin: str, spyer: str, mode: Mode) -> Session:
        session = Session(uuid.uuid4().hex, person.number, agent, origin, self.clock())
        started = self.book.start(spyer, session, mode)
        self._save(started)
        return started

    def _save(self, session: Session) -> None:
        background(self.directory.write(quality.save_supervision, session), "auditing a supervision session")

    def snapshot(self) -> list[dict]:
        return [s.as_dict() for s in self.book.open.values()]
