"""FastAGI routes, one `async def` per route, named like the route (acd/enter -> enter)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy.exc import SQLAlchemyError
from twisted.logger import Logger

from acd.asterisk import channel_vars as var
from acd.asterisk.fastagi import AgiChannel, AgiError, Hangup, Route
from acd.asterisk.guess_limits import GuessLimits
from acd.asterisk.ivr_player import IvrPlayer
from acd.asterisk.survey import Survey
from acd.background import background
from acd.config import Config
from acd.core import events as ev
from acd.core import numbers, routing
from acd.core.text import ascii_digits, clean_name
from acd.speech import SpeechCache, SpeechError
from acd.store import fields
from acd.store.customers import CustomerCard
from acd.store.directory import Directory, IvrRecord
from ivr import hours
from ivr.flow import Caller, IvrCall
from ivr.menu import Menu

log = Logger()

Sink = Callable[[ev.Event], object]  # the daemon's apply; its entry is not ours to use
_UNIQUEID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class Routes:
    def __init__(
        self,
        config: Config,
        sink: Sink,
        directory: Directory,
        speech: SpeechCache,
        menu: Menu,
        ready: Callable[[str], bool] = lambda agent: False,
        clock: Callable[[], float] = time.time,
        limits: GuessLimits | None = None,
        survey: Survey | None = None,
    ) -> None:
        self.config = config
        self.survey = survey  # who rates the call after the agent hangs up (None: nobody)
        self.limits = limits  # identity guesses across calls (redis)
        self.menu = menu
        self.ready = ready  # is this agent logged in and free?
        self.sink = sink
        self.directory = directory
        self.speech = speech
        self.clock = clock

    def table(self) -> dict[str, Route]:
        return {"acd/enter": self.enter}

    async def enter(self, channel: AgiChannel) -> None:
        """A new inbound call: who is calling, which queue, and a greeting by name."""
        headers = channel.headers
        call_id = headers.get("agi_uniqueid", "")
        if not _UNIQUEID.fullmatch(call_id):
            log.warn("acd/enter without a usable uniqueid; the dialplan default applies")
            return
        caller = self._caller_number(call_id, headers.get("agi_callerid", ""))
        dialled = headers.get("agi_extension", "")[:32]
        rules = self.config.routing
        queue = self.config.queue(routing.queue_for(dialled, rules.numbers, rules.default_queue))
        # what the call gets is set in one batch after the lookup: one round trip, not eight
        values = {var.QUEUE: queue.name, var.MAX_WAIT: str(queue.max_wait), var.ROUTED: "daemon"}
        window = rules.last_agent_window
        since = self.clock() - window if window else None
        found, last_agent = await self._look_up(caller, since) if caller else ([], None)
        known = found[0] if len(found) == 1 else None
        if known is not None:
            values.update(self._customer_values(known))
        elif found:
            values[var.CANDIDATES] = str(len(found))
        # Asterisk need not wait for the journey's row: it is written beside the call.
        background(
            self.directory.open_interaction(call_id, known.id if known else None, caller, self.clock()),
            "recording the journey",
        )
        routed = ev.CallRouted(
            self.clock(), call_id, caller or "", dialled, queue.name, known.id if known else None, len(found)
        )
        if dialled in rules.ivr:
            await channel.set_variables(values)
            routed = await self._ivr(channel, routed, known)
        else:
            priority = self.menu.vip_priority if known is not None and known.vip else 0
            await channel.set_variables({**values, var.PRIORITY: str(priority)})
            greeted = await self._greet(channel, known) if known is not None else False
            routed = replace(routed, greeted=greeted, priority=priority)
        if since is not None and routed.customer_id is not None:
            if known is None or routed.customer_id != known.id:  # named by an account in the IVR
                last_agent = await self.directory.last_agent(routed.customer_id, since)
            await self._offer_last_agent(channel, last_agent)
        if self.survey is not None and routed.queue:
            language = routed.language or values.get(var.LANGUAGE, "")
            opted_in = "survey:yes" in routed.ivr_steps
            chosen = await self.survey.values(call_id, language, opted_in)
            if chosen:
                await channel.set_variables(chosen)
        self.sink(routed)

    async def _look_up(self, caller: str, since: float | None) -> tuple[list[CustomerCard], str | None]:
        """The store's answer; an unreachable store makes the caller unknown, not the call fail."""
        try:
            return await self.directory.caller(caller, since)
        except (SQLAlchemyError, OSError) as exc:
            log.error("caller lookup failed, caller treated as unknown: {why}", why=exc)
            return [], None

    async def _offer_last_agent(self, channel: AgiChannel, agent: str | None) -> None:
        """A repeat caller rings the agent who served them last, if that agent is free."""
        preferred = routing.last_agent_queue(agent, self.ready)
        if preferred is not None:
            await channel.set_variable(var.PREFERRED_QUEUE, preferred)

    async def _ivr(
        self, channel: AgiChannel, routed: ev.CallRouted, known: CustomerCard | None
    ) -> ev.CallRouted:
        """Menus, account and identity; what they learn goes on the channel and the journey."""
        caller = Caller(
            known.id if known else None,
            known.language if known else None,
            known.vip if known else False,
            known.accounts if known else (),
            routed.candidates,
            self._greeting_text(known),
            routed.caller_id or None,
        )
        call = IvrCall(
            self.menu,
            caller,
            open=hours.is_open(self.menu.hours, self.clock()),
            survey_offer=self._survey_offer(routed.call_id),
        )
        player = IvrPlayer(channel, self.speech, self.directory, self.limits)
        started = self.clock()
        try:
            await player.play(call)
        except Hangup:
            call.steps.append("hangup")
            raise
        finally:
            background(
                self.directory.record_ivr(
                    IvrRecord(
                        routed.call_id,
                        started,
                        self.clock(),
                        call.customer_id,
                        call.language,
                        call.category.name if call.category else "",
                        call.account,
                        call.verification,
                        " ".join(call.steps),
                    )
                ),
                "recording what the IVR learned",
            )
        named = player.found.get(call.customer_id) if call.customer_id is not None else None
        if named is not None and named is not known:
            await channel.set_variables(self._customer_values(named))
        await self._tell_ivr(channel, call)
        return replace(
            routed,
            queue=call.queue,
            customer_id=call.customer_id,
            greeted=call.greeted,
            language=call.language,
            category=call.category.name if call.category else "",
            account=call.account or "",
            verification=call.verification,
            priority=call.priority,
            ivr_steps=tuple(call.steps),
        )

    def _survey_offer(self, call_id: str) -> dict[str, str]:
        """The IVR's "rate us afterwards?" per language, the default language's first; {} when
        the survey takes no opt-ins, or the share has chosen this call already (no need to ask)."""
        if self.survey is None:
            return {}
        settings = self.survey.settings
        if not settings.enabled or not settings.ivr_opt_in or self.survey.wanted(call_id, opted_in=False):
            return {}
        words = settings.opt_in
        return dict(sorted(words.items(), key=lambda item: item[0] != settings.default_language))

    async def _tell_ivr(self, channel: AgiChannel, call: IvrCall) -> None:
        values = {
            var.QUEUE: call.queue,
            var.CLOSED: "" if call.open else "1",
            var.LANGUAGE: call.language,
            var.CATEGORY: call.category.name if call.category else "",
            var.ACCOUNT: call.account or "",
            var.VERIFIED: call.verification,
            var.PRIORITY: str(call.priority),
            var.IVR_STEPS: " ".join(call.steps)[:200],
        }
        if call.queue:
            values[var.MAX_WAIT] = str(self.config.queue(call.queue).max_wait)
        await channel.set_variables(values)

    def _caller_number(self, call_id: str, raw: str) -> str | None:
        rules = self.config.numbers
        caller = numbers.normalize(raw, rules.country_code, rules.national_prefix, rules.international_prefix)
        if caller is None and raw.strip().lower() not in numbers.WITHHELD:
            log.warn(
                "call {call}: unusable caller ID {raw!r} treated as withheld", call=call_id, raw=raw[:80]
            )
        return caller

    def _customer_values(self, card: CustomerCard) -> dict[str, str]:
        spoken = {*self.menu.languages.values(), *self.config.greeting.text}  # the languages we speak
        return {
            var.CUSTOMER_ID: str(card.id),
            var.SEGMENT: fields.segment(card.segment),
            var.LANGUAGE: fields.language(card.language, spoken) or "",
            var.VIP: "1" if card.vip else "0",
            "CALLERID(name)": clean_name(card.name, 60),
        }  # the agent's phone shows who calls

    def _greeting_language(self, card: CustomerCard) -> str:
        greeting = self.config.greeting
        return card.language if card.language in greeting.text else greeting.default_language

    def _greeting_text(self, card: CustomerCard | None) -> str | None:
        greeting = self.config.greeting
        if card is None or not greeting.enabled:
            return None
        language = self._greeting_language(card)
        if greeting.name == "none":  # no name said to whoever holds the caller ID
            return greeting.text_without_name.get(language, greeting.text_without_name.get("en", ""))
        name = clean_name(card.name, 60)
        return greeting.text[language].format(
            name=name.split()[0] if greeting.name == "first" and name else name
        )

    async def _greet(self, channel: AgiChannel, card: CustomerCard) -> bool:
        """Play "Hello <name>" (rendered once, then cached); True if samples reached the caller."""
        text = self._greeting_text(card)
        if text is None:
            return False
        try:
            path = await self.speech.render(text, self._greeting_language(card))
            result = await channel.command(f'STREAM FILE {path} ""')
        except (SpeechError, AgiError) as exc:
            log.error("greeting not played: {why}", why=exc)
            return False
        endpos = result.get("endpos", ("0", ""))[0]
        return ascii_digits(endpos) and int(endpos) > 0
