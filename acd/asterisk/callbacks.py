"""Callbacks: a waiting caller presses the key, hangs up, and keeps their place.

A placeholder (a Local channel) joins the queue at the caller's position and priority;
when an agent takes it, its other half dials the customer through the trunk and the two
are connected (agent first, then the customer: nobody is called back to wait). Dial()'s
result comes back as a UserEvent; the core's rules (acd/core/callbacks.py) decide on a
retry or giving up. Every change is saved in redis (a finished callback's record is
removed), and after a daemon or Asterisk restart a pending callback whose placeholder is
gone is put back.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from twisted.logger import Logger

from acd import security_log
from acd.asterisk import actions, queue_log
from acd.asterisk import channel_vars as var
from acd.asterisk.fastagi import AgiChannel, Route
from acd.asterisk.ivr_player import say
from acd.background import background
from acd.config import Config
from acd.config_journal import Days
from acd.core import dialling
from acd.core import events as ev
from acd.core.callbacks import Callback, Rules, Status, after_attempt, due, overdue
from acd.core.center import CallCenter
from acd.core.text import ascii_digits
from acd.pbx.control import state_dir
from acd.speech import SpeechCache

log = Logger()
CALLBACK_EVENTS = frozenset({ev.CallbackDialled, ev.ResyncFinished})  # what on_event reads
PROMPTS = {
    "booked": "Thank you. We will call you back when it is your turn. Goodbye.",
    "withheld": "Your number is withheld, so we cannot call you back. Please hold.",
    "refused": "We cannot call this number back. Please hold.",
    "capped": "We cannot call this number back again today. Please hold.",
}
# what a German caller hears instead (the offer they answered was in their language too)
SPOKEN: dict[str, dict[str, str]] = {
    "en": PROMPTS,
    "de": {
        "booked": "Danke. Wir rufen Sie zurück, sobald Sie an der Reihe sind. Auf Wiederhören.",
        "withheld": "Ihre Nummer ist unterdrückt, wir können Sie nicht zurückrufen. Bitte bleiben Sie dran.",
        "refused": "Diese Nummer können wir nicht zurückrufen. Bitte bleiben Sie dran.",
        "capped": "Diese Nummer können wir heute nicht noch einmal zurückrufen. Bitte bleiben Sie dran.",
    },
}
HOLD = "Local/s@acd-callback-hold/n"
_CALLBACK_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class Callbacks:
    def __init__(
        self,
        config: Config,
        center: CallCenter,
        ami,
        live,
        speech: SpeechCache,
        clock: Callable[[], float] = time.time,
        queue_log_path: Path | None = None,
        sink: Callable[[ev.Event], object] = lambda event: None,  # the daemon's apply
    ) -> None:
        assert config.callback is not None
        self.sink = sink
        self.config, self.center, self.ami, self.live = config, center, ami, live
        self.speech, self.clock = speech, clock
        self.days = Days(config.timezone)
        self.queue_log = queue_log_path or state_dir(config) / "log" / "queue_log"
        rules = config.callback
        self.per_day = rules.per_number_per_day
        self.rules = Rules(rules.attempts, float(rules.retry_after), float(rules.give_up_after))
        self.pending: dict[str, Callback] = {}
        numbers = config.numbers
        self.numbers = dialling.Rules(
            numbers.country_code, numbers.national_prefix, numbers.international_prefix
        )
        self.policy = rules.dial_policy.core()

    def table(self) -> dict[str, Route]:
        return {"acd/callback": self.request}

    async def request(self, channel: AgiChannel) -> None:
        """The caller pressed the callback key (Queue() sent them to acd-queue-keys)."""
        call_id = channel.headers.get("agi_uniqueid", "")[:64]
        language = await channel.get_variable(var.LANGUAGE)
        words = SPOKEN.get(language, PROMPTS)
        spoken = language if language in SPOKEN else "en"
        verdict = dialling.check(channel.headers.get("agi_callerid", ""), self.numbers, self.policy)
        if not verdict.allowed or verdict.number is None:
            if verdict.reason != "withheld":
                security_log.event("CallbackRefused", "callback", "", reason=verdict.reason, call=call_id)
            await say(
                channel,
                self.speech,
                [(spoken, words["withheld" if verdict.reason == "withheld" else "refused"])],
            )
            return  # the dialplan puts them back in the queue
        number = verdict.number
        day = self.days.date(self.clock()).isoformat()  # the center's day, not UTC's
        booked = await self.live.count_callback(dialling.day_key(number, day))
        if booked is None or booked > self.per_day:
            log.warn(
                "callback for {number} refused: {n} bookings today (cap {cap})",
                number=number,
                n=booked,
                cap=self.per_day,
            )
            security_log.event("CallbackCapped", "callback", "", call=call_id, bookings=booked)
            await say(channel, self.speech, [(spoken, words["capped"])])
            return
        known = self.center.calls.get(call_id)
        queue = await channel.get_variable(var.QUEUE) or self.config.routing.default_queue
        priority = await channel.get_variable(var.PRIORITY)
        callback = Callback(
            call_id,
            number,
            queue,
            max(1, known.position if known else 1),
            int(priority) if ascii_digits(priority) else 0,
            self.clock(),
        )
        await self._place(callback)
        await channel.set_variable(var.CALLBACK, "1")
        self.sink(ev.CallbackBooked(self.clock(), call_id, queue, callback.id))
        await say(channel, self.speech, [(spoken, words["booked"])])
        log.info(
            "callback {id} for {number}: holds place {pos} in {queue}",
            id=call_id,
            number=number,
            pos=callback.position,
            queue=queue,
        )

    async def _place(self, callback: Callback) -> None:
        """Put the placeholder in the queue at the callback's place."""
        verdict = dialling.check(callback.number, self.numbers, self.policy)
        if not verdict.allowed or verdict.number != callback.number:  # e.g. a record changed in redis
            log.warn(
                "callback {id}: {number!r} may not be dialled ({why}); given up",
                id=callback.id,
                number=callback.number[:40],
                why=verdict.reason,
            )
            self.pending.pop(callback.id, None)
            await self.live.save_callback(Callback(**{**callback.__dict__, "status": Status.GIVEN_UP}))
            return
        callback = Callback(**{**callback.__dict__, "status": Status.WAITING})
        self.pending[callback.id] = callback
        await self.live.save_callback(callback)
        variables = {
            var.QUEUE: callback.queue,
            var.POSITION: str(callback.position),
            var.PRIORITY: str(callback.priority),
            var.CALLBACK_ID: callback.id,
            var.CALLBACK_NUMBER: dialling.dial_string(callback.number, self.numbers),
        }
        try:
            await self.ami.action(
                actions.originate(
                    HOLD,
                    actions.CALLBACK_DIAL,
                    {f"__{k}": v for k, v in variables.items()},
                    timeout_ms=int(self.rules.give_up_after * 1000),
                    caller_id=f'"Callback" <{callback.number}>',
                )
            )
        except actions.UnsafeAction as exc:
            log.error("callback {id} not placed: {why}", id=callback.id, why=exc)
        except (TimeoutError, ConnectionError) as exc:
            log.warn("callback {id} not placed yet ({why}); it is in redis", id=callback.id, why=exc)

    def on_event(self, event: ev.Event) -> None:
        """The bus hands it CALLBACK_EVENTS only: keep that set in step with this."""
        if isinstance(event, ev.CallbackDialled) and event.callback_id in self.pending:
            background(self._dialled(event), "handling a callback's dial result")
        elif isinstance(event, ev.ResyncFinished):
            background(self.restore(), "restoring callbacks from redis")

    async def _dialled(self, event: ev.CallbackDialled) -> None:
        callback = after_attempt(self.pending[event.callback_id], event.status, self.clock(), self.rules)
        await self.live.save_callback(callback)
        log.info(
            "callback {id}: {status} after attempt {n}",
            id=callback.id,
            status=callback.status.value,
            n=callback.attempts,
        )
        if callback.status is Status.RETRY:
            self.pending[callback.id] = callback
            asyncio.get_running_loop().call_later(self.rules.retry_after, self._retry_soon, callback.id)
        else:
            self.pending.pop(callback.id, None)

    def _retry_soon(self, callback_id: str) -> None:
        background(self._retry(callback_id), "a callback retry")

    async def _retry(self, callback_id: str) -> None:
        callback = self.pending.get(callback_id)
        if callback is None or callback.status is not Status.RETRY:
            return
        if overdue(callback, self.clock(), self.rules):
            await self._give_up_late(callback)
        elif due(callback, self.clock(), self.rules):
            await self._place(callback)

    async def _give_up_late(self, callback: Callback) -> None:
        """Given up for its age, its record removed: not dialled hours after it was booked."""
        self.pending.pop(callback.id, None)
        await self.live.save_callback(replace(callback, status=Status.GIVEN_UP))
        log.info("callback {id}: given up, older than give_up_after", id=callback.id)

    def untrusted(self, callback: Callback) -> str | None:
        """Why a callback read back from redis cannot be placed; None when it can."""
        if not isinstance(callback.id, str) or not _CALLBACK_ID.fullmatch(callback.id):
            return "bad id"
        if (
            not isinstance(callback.number, str)
            or not dialling.check(callback.number, self.numbers, self.policy).allowed
        ):
            return "a number the dial policy refuses"
        if not isinstance(callback.queue, str) or callback.queue not in {q.name for q in self.config.queues}:
            return "not a configured queue"
        numbers = (callback.position, callback.priority, callback.attempts)
        if not all(isinstance(n, int) and 0 <= n < 10**6 for n in numbers):
            return "bad position, priority or attempts"
        if not all(
            isinstance(t, (int, float)) and math.isfinite(t) for t in (callback.created, callback.due)
        ):
            return "bad time"
        return None

    async def restore(self) -> None:
        """After a (re)connect: put back placeholders Asterisk no longer holds, once the dials
        made while the daemon was away (queue_log) are counted: a served one is done."""
        held = {
            c.caller_id
            for c in self.center.active_calls()
            if c.channel.startswith("Local/s@acd-callback-hold")
        }
        dials = dialled_meanwhile(queue_log.tail(self.queue_log))
        for stored in await self.live.load_callbacks():
            why = self.untrusted(stored)
            if why is not None:
                log.warn("dropped callback record {field!r} from redis: {why}", field=stored.id[:40], why=why)
                await self.live.drop_callback(stored.id)
                continue
            await self._put_back(await self._caught_up(stored, dials.get(stored.id, [])), held)

    async def _put_back(self, callback: Callback, held: set[str]) -> None:
        """One restored callback: placed again, its retry timed, or given up for its age. One
        whose placeholder is still queued is kept as it is: its dial's result will end it."""
        in_queue = callback.status is Status.WAITING and callback.number in held
        if in_queue:
            self.pending[callback.id] = callback
        elif overdue(callback, self.clock(), self.rules):
            await self._give_up_late(callback)
        elif callback.status is Status.WAITING:
            log.info("callback {id}: placeholder gone, placing it again", id=callback.id)
            await self._place(callback)
        elif callback.status is Status.RETRY:
            self.pending[callback.id] = callback
            delay = max(0.0, callback.due - self.clock())
            asyncio.get_running_loop().call_later(delay, self._retry_soon, callback.id)

    async def _caught_up(self, callback: Callback, statuses: list[str]) -> Callback:
        """`callback` after the attempts queue_log holds beyond those already counted."""
        unseen = statuses[callback.attempts :]
        for status in unseen:
            if callback.status in (Status.WAITING, Status.RETRY):
                callback = after_attempt(callback, status, self.clock(), self.rules)
        if unseen:
            await self.live.save_callback(callback)
            log.info(
                "callback {id}: {status} after {n} attempts (dialled while the daemon was away)",
                id=callback.id,
                status=callback.status.value,
                n=callback.attempts,
            )
        return callback


def spoken_parts() -> set[tuple[str, str]]:
    """Every sentence the callback route says, in each language: rendered at start-up."""
    return {(language, text) for language, words in SPOKEN.items() for text in words.values()}


def dialled_meanwhile(entries: list[queue_log.Entry]) -> dict[str, list[str]]:
    """Each callback's dial results, oldest first, as the dialplan logged them."""
    found: dict[str, list[str]] = {}
    for entry in entries:
        if entry.verb == queue_log.CALLBACK_DIAL:
            found.setdefault(entry.call_id, []).append(entry.data[0] if entry.data else "")
    return found
