"""Tells waiting callers their position and expected wait, every `announce_every` seconds.

The estimate is the core's (acd/core/dispatch.py over the live model: who is logged in,
who is on a call and for how long, the queue's handle time), not app_queue's average of
past holds. The words reach the caller without moving them: a Local channel plays the
prompt and ChanSpy whispers it into the queued caller's channel, so their place is kept.
Both halves run the dialplan (acd-announce, acd-announce-whisper): the daemon originates
into its own contexts only, never an application.
"""

from __future__ import annotations

import asyncio
import functools
import math
import time
from collections.abc import Callable

from twisted.logger import Logger

from acd.asterisk import actions
from acd.asterisk import channel_vars as var
from acd.background import background
from acd.config import Config
from acd.config_people import seed_staffing
from acd.core import events as ev
from acd.core.agents import State
from acd.core.center import CallCenter
from acd.core.dispatch import Roster
from acd.core.ewt import remaining_for
from acd.core.model import Call
from acd.core.staffing import Staffing
from acd.speech import SpeechCache, SpeechError
from ivr.menu import Menu

log = Logger()
DEFAULT_HANDLE_TIME = 120.0  # seconds, until a queue has answered a few calls


class Announcer:
    def __init__(
        self,
        config: Config,
        menu: Menu,
        center: CallCenter,
        agents: Callable[[], dict],
        ami,
        speech: SpeechCache,
        sink: Callable[[ev.Event], object],
        clock: Callable[[], float] = time.time,
        staffing: Callable[[], Staffing] | None = None,  # the staff table's (None: acd.yaml's seed)
    ) -> None:
        self.config, self.menu, self.center, self.agents = config, menu, center, agents
        seeded = seed_staffing(config)
        self.staffing = staffing or (lambda: seeded)
        self.ami, self.speech, self.sink, self.clock = ami, speech, sink, clock
        self._busy: set[str] = set()

    def tick(self) -> None:
        """Called every second: announce to every caller whose turn has come."""
        now = self.clock()
        for queue in self.config.queues:
            if not queue.announce_every:
                continue
            for call in self.center.waiting(queue.name):
                last = call.announced_at or call.joined_at or now
                if now - last >= queue.announce_every and call.id not in self._busy and call.channel:
                    self._busy.add(call.id)
                    task = background(self._announce(call, now), "an announcement")
                    task.add_done_callback(functools.partial(self._done, call.id))

    def _done(self, call_id: str, _: asyncio.Future[None]) -> None:
        self._busy.discard(call_id)

    def estimate(self, call: Call, now: float) -> float | None:
        roster = Roster(self.config.lines())
        staffing = self.staffing()
        for number, agent in self.agents().items():
            skills = staffing.queues(number)
            if agent.state not in (State.LOGGED_OUT, State.PAUSED) and self._reachable(agent.interface):
                roster.log_in(number, skills)
        handle = self._handle_time(call.queue)
        free_in = {
            c.agent: remaining_for(now - c.answered_at, handle)
            for c in self.center.active_calls()
            if c.agent and c.answered_at
        }
        decision = roster.decide(call.queue, call.waited(now), max(1, call.position), free_in, handle)
        return decision.expected_wait

    def _reachable(self, interface: str) -> bool:
        """A seat whose phone is not registered cannot take calls, whatever the roster says."""
        for queue in self.center.queues.values():
            member = next((m for m in queue.members.values() if m.interface == interface), None)
            if member is not None:
                return member.device not in ("unavailable", "invalid", "unknown")
        return False

    def _handle_time(self, queue: str) -> float:
        stats = self.center.queue(queue).stats
        average = stats.average_talk()
        return average if average is not None and stats.completed >= 3 else DEFAULT_HANDLE_TIME

    async def _announce(self, call: Call, now: float) -> None:
        wait = self.estimate(call, now)
        language = call.language if call.language in self.menu.prompts else self.menu.default_language
        prompts = self.menu.prompts[language]
        parts = [(language, prompts.position.format(position=call.position))]
        if wait is not None:
            minutes = math.ceil(wait / 60)
            said = prompts.wait_short if wait < 60 else prompts.wait.format(minutes=minutes)
            parts.append((language, said))
        offer = callback_offer(self.config, language)
        if offer is not None:
            parts.append(offer)
        try:
            files = "&".join([str(await self.speech.render(text, lang)) for lang, text in parts])
            await self.ami.action(
                actions.originate(
                    "Local/announce@acd-announce/n",
                    actions.ANNOUNCE_WHISPER,
                    {var.inherited(var.ANNOUNCE): files, var.inherited(var.ANNOUNCE_TO): call.channel},
                    caller_id="announcement",
                )
            )
        except (TimeoutError, SpeechError, actions.UnsafeAction, ConnectionError) as exc:
            log.warn("caller {call} not told their wait: {why}", call=call.id, why=exc)
            return
        self.sink(ev.CallerAnnounced(self.clock(), call.id, call.position, wait))


def callback_offer(config: Config, language: str) -> tuple[str, str] | None:
    """(language, "press 1 to be called back, keeping your place"), in the caller's language
    where the callback section has words for it (else English, else its first); None when
    callbacks are off or not offered."""
    callback = config.callback
    if callback is None or not callback.enabled or not callback.offer or not callback.offer_text:
        return None
    texts = callback.offer_text
    chosen = language if language in texts else "en" if "en" in texts else next(iter(texts))
    return chosen, texts[chosen].format(key=callback.key)


def callback_offers(config: Config) -> set[tuple[str, str]]:
    """Every offer the announcer can say: rendered at start-up."""
    callback = config.callback
    if callback is None or not callback.enabled or not callback.offer:
        return set()
    return {(language, text.format(key=callback.key)) for language, text in callback.offer_text.items()}
