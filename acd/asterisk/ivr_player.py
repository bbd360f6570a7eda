"""Plays an IVR flow (ivr/flow.py) on a FastAGI channel: prompts become rendered audio and
GET DATA, store questions go to the Directory.

Every prompt that expects digits is one Read() of all its parts joined with `&` (GET DATA
plays a single file only): digits pressed while it plays count. Between commands res_agi
drops any digit it reads, so nothing slow happens there: prompts are rendered once and
cached, and the store answers from its own threads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from acd.asterisk import channel_vars as var
from acd.asterisk.fastagi import AgiChannel, AgiError, Hangup
from acd.asterisk.guess_limits import GuessLimits
from acd.speech import SpeechCache
from acd.store.customers import CustomerCard
from acd.store.directory import Directory
from ivr.flow import (
    Ask,
    Attempt,
    Check,
    FindAccount,
    Guessed,
    IvrCall,
    Limit,
    Part,
    Request,
    Say,
    Spared,
)
from ivr.menu import Menu

_DIGITS = re.compile(r"[0-9*#]*")
DIGITS_VAR = var.IVR_DIGITS


class IvrPlayer:
    def __init__(
        self,
        channel: AgiChannel,
        speech: SpeechCache,
        directory: Directory,
        limits: GuessLimits | None = None,
    ) -> None:
        self.channel = channel
        self.limits = limits  # None: nothing persisted (unit tests); every guess checked
        self.speech = speech
        self.directory = directory
        self.found: dict[int, CustomerCard] = {}  # customers named by an account number

    async def play(self, call: IvrCall) -> None:
        """Run the flow to its end; Hangup propagates, with `call` showing how far it got."""
        flow = call.run()
        reply: object = None
        while True:
            try:
                request = flow.send(reply)
            except StopIteration:
                return
            reply = await self._perform(request)

    async def _perform(self, request: Request) -> object:
        if isinstance(request, Ask):
            return await self._ask(request)
        if isinstance(request, Say):
            await say(self.channel, self.speech, request.parts)
            return None
        if isinstance(request, FindAccount):
            card = await self.directory.find_account(request.number)
            if card is not None:
                self.found[card.id] = card
            return card
        if isinstance(request, Limit):
            return await self.limits.wait(request.keys) if self.limits else 0.0
        if isinstance(request, Attempt):
            return await self.limits.attempt(request.keys) if self.limits else 0.0
        if isinstance(request, Guessed):
            if self.limits:
                await self.limits.guessed(request.keys, request.right)
            return None
        if isinstance(request, Spared):
            if self.limits:
                await self.limits.spare(request.keys)
            return None
        assert isinstance(request, Check)
        return await self.directory.check_fact(
            request.question, request.customer_id, request.account, request.answer
        )

    async def _ask(self, ask: Ask) -> str:
        return await read_digits(self.channel, self.speech, ask.parts, ask.max_digits, ask.timeout_ms)

    async def _render(self, parts: Iterable[Part]) -> str:
        return await render(self.speech, parts)


async def render(speech: SpeechCache, parts: Iterable[Part]) -> str:
    """The parts' audio files, joined with `&` as Playback() and Read() take them."""
    return "&".join([str(await speech.render(text, language)) for language, text in parts])


async def read_digits(
    channel: AgiChannel, speech: SpeechCache, parts: Iterable[Part], max_digits: int, timeout_ms: int
) -> str:
    """Play the parts (interruptible) and collect up to `max_digits`; "" on timeout."""
    files = await render(speech, parts)
    try:
        await channel.command(f'EXEC Read "{DIGITS_VAR},{files},{max_digits},,1,{timeout_ms / 1000:g}"')
    except AgiError as exc:
        raise Hangup() from exc  # result=-1: the channel went away while collecting
    digits = await channel.get_variable(DIGITS_VAR)
    return digits[:max_digits] if _DIGITS.fullmatch(digits) else ""


async def say(channel: AgiChannel, speech: SpeechCache, parts: Iterable[Part]) -> None:
    await channel.command(f'EXEC Playback "{await render(speech, parts)}"')


def static_parts(menu: Menu) -> set[Part]:
    """Every sentence the menu can say that names no caller: rendered at start-up."""
    parts: set[Part] = set()
    for language, prompts in menu.prompts.items():
        for key, text in prompts.model_dump().items():
            if key not in ("menu_item", "position", "wait"):
                parts.add((language, text.format(length=menu.account.length)))
        for category in menu.categories:
            parts.add(
                (language, prompts.menu_item.format(label=category.label[language], digit=category.digit))
            )
    return parts
