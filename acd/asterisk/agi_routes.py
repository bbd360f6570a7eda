"""FastAGI routes, one `async def` per route, named like the route (acd/enter -> enter)."""
from __future__ import annotations

import asyncio
import re
import time
from typing import Awaitable, Callable, Protocol

from twisted.logger import Logger

from acd.asterisk import channel_vars as var
from acd.asterisk.fastagi import AgiChannel, AgiError, Route
from acd.config import Config
from acd.core import events as ev
from acd.core import numbers, routing
from acd.speech import SpeechCache, SpeechError
from acd.store.customers import CustomerCard

log = Logger()

Sink = Callable[[ev.Event], None]
_UNIQUEID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")


class Directory(Protocol):
    async def lookup(self, e164: str) -> list[CustomerCard]: ...

    async def open_interaction(self, linkedid: str, customer_id: int | None,
                               caller_number: str | None, at: float) -> None: ...


class Routes:
    def __init__(self, config: Config, sink: Sink, directory: Directory, speech: SpeechCache,
                 clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.sink = sink
        self.directory = directory
        self.speech = speech
        self.clock = clock
        self._pending: set[asyncio.Future] = set()

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
        await channel.set_variable(var.QUEUE, queue.name)
        await channel.set_variable(var.MAX_WAIT, str(queue.max_wait))
        await channel.set_variable(var.ROUTED, "daemon")
        found = await self.directory.lookup(caller) if caller else []
        known = found[0] if len(found) == 1 else None
        if known is not None:
            await self._tell_customer(channel, known)
        elif found:
            await channel.set_variable(var.CANDIDATES, str(len(found)))
        greeted = await self._greet(channel, known) if known is not None else False
        # Asterisk need not wait for the journey's row: write it after the session is over.
        self._background(self.directory.open_interaction(
            call_id, known.id if known else None, caller, self.clock()))
        self.sink(ev.CallRouted(self.clock(), call_id, caller or "", dialled, queue.name,
                                known.id if known else None, len(found), greeted))

    def _background(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._pending.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Future) -> None:
        self._pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("interaction not recorded: {why!r}", why=task.exception())

    def _caller_number(self, call_id: str, raw: str) -> str | None:
        rules = self.config.numbers
        caller = numbers.normalize(raw, rules.country_code, rules.national_prefix,
                                   rules.international_prefix)
        if caller is None and raw.strip().lower() not in numbers.WITHHELD:
            log.warn("call {call}: unusable caller ID {raw!r} treated as withheld",
                     call=call_id, raw=raw[:80])
        return caller

    async def _tell_customer(self, channel: AgiChannel, card: CustomerCard) -> None:
        name = _UNPRINTABLE.sub("", card.name)[:60]
        await channel.set_variable(var.CUSTOMER_ID, str(card.id))
        await channel.set_variable(var.SEGMENT, card.segment)
        await channel.set_variable(var.LANGUAGE, card.language or "")
        await channel.set_variable(var.VIP, "1" if card.vip else "0")
        await channel.set_variable("CALLERID(name)", name)  # the agent's phone shows who calls

    async def _greet(self, channel: AgiChannel, card: CustomerCard) -> bool:
        """Play "Hello <name>" (rendered once, then cached); True if samples reached the caller."""
        greeting = self.config.greeting
        if not greeting.enabled:
            return False
        language = card.language if card.language in greeting.text else greeting.default_language
        text = greeting.text[language].format(name=_UNPRINTABLE.sub("", card.name)[:60])
        try:
            path = await self.speech.render(text, language)
            result = await channel.command(f'STREAM FILE {path} ""')
        except (SpeechError, AgiError) as exc:
            log.error("greeting not played: {why}", why=exc)
            return False
        endpos = result.get("endpos", ("0", ""))[0]
        return endpos.isdigit() and int(endpos) > 0
