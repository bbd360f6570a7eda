"""The post-call survey: who is asked (the daemon's choice, as the call is routed) and what
they answered (the acd/survey route, once per question).

The route (acd/enter) sets ACD_SURVEY and the rendered questions on a chosen caller's channel;
Queue() then continues the caller in the dialplan when the agent hangs up (option c), and
acd-survey plays each question and reads one digit. The digit comes here: 1-5 is a score,
applied as SurveyAnswered and kept on the interaction; anything else, or nothing, is no
score (never a zero), and a caller who hangs up never reaches the route at all.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import OrderedDict
from collections.abc import Callable

from twisted.logger import Logger

from acd.asterisk import channel_vars as var
from acd.asterisk.fastagi import AgiChannel, Refused, Route
from acd.background import background
from acd.config_survey import Survey as Settings
from acd.core import events as ev
from acd.speech import SpeechCache
from acd.store.directory import Directory
from acd.store.surveys import Answer, save_answer

log = Logger()
Sink = Callable[[ev.Event], object]
Part = tuple[str, str]  # (language, sentence)
SCORES = frozenset("12345")
_UNIQUEID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_AGENT = re.compile(r"[0-9]{1,20}")
_QUEUE = re.compile(r"[a-z0-9_-]{1,40}")
REMEMBERED = 10_000  # calls whose answers are remembered (a question is scored once)


def chosen(seed: str, call_id: str, share: float) -> bool:
    """Whether this call is in the share: a hash of seed and call id, so the same call is
    always chosen the same way (a restart, a replay, a test) and the share holds over many."""
    digest = hashlib.sha256(f"{seed}|{call_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def score(digit: str) -> int | None:
    """The score a key press gives: 1-5; anything else (0, 6-9, *, #, nothing) is none."""
    return int(digit) if digit in SCORES else None


class Survey:
    def __init__(
        self,
        settings: Settings,
        sink: Sink,
        directory: Directory,
        speech: SpeechCache,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings, self.sink, self.directory, self.speech = settings, sink, directory, speech
        self.clock = clock
        self._answered: OrderedDict[tuple[str, int], int] = OrderedDict()

    def table(self) -> dict[str, Route]:
        return {"acd/survey": self.answer}

    def wanted(self, call_id: str, opted_in: bool) -> bool:
        settings = self.settings
        if not settings.enabled:
            return False
        return (opted_in and settings.ivr_opt_in) or chosen(settings.seed, call_id, settings.share)

    def questions(self, language: str) -> list[tuple[Part, ...]]:
        """Each question's sentences in the caller's language; the first opens with the intro."""
        settings = self.settings
        asked: list[tuple[Part, ...]] = [(settings.words(q, language),) for q in settings.questions]
        asked[0] = (settings.words(settings.intro, language), *asked[0])
        return asked

    def static_parts(self) -> set[Part]:
        """Every sentence the survey says, in every language it has: rendered at start-up."""
        settings = self.settings
        texts = [settings.intro, settings.thanks, settings.opt_in, *settings.questions]
        return {(language, sentence) for words in texts for language, sentence in words.items()}

    async def values(self, call_id: str, language: str, opted_in: bool = False) -> dict[str, str]:
        """The channel variables of a chosen caller ({} for anyone else): the flag that makes
        Queue() continue after the agent and the rendered questions, in their language."""
        if not self.wanted(call_id, opted_in):
            return {}
        prompts = [var.SURVEY_FIRST, var.SURVEY_SECOND]
        values = {var.SURVEY: "1", var.SURVEY_QUESTIONS: str(len(self.settings.questions))}
        for name, parts in zip(prompts, self.questions(language), strict=False):
            values[name] = await self._files(parts)
        values[var.SURVEY_THANKS] = await self._files((self.settings.words(self.settings.thanks, language),))
        return values

    async def _files(self, parts: tuple[Part, ...]) -> str:
        return "&".join([str(await self.speech.render(text, lang)) for lang, text in parts])

    async def answer(self, channel: AgiChannel) -> None:
        """acd/survey,<question>,<digit>,<agent>: the digit Read() collected for a question."""
        headers = channel.headers
        call_id = headers.get("agi_uniqueid", "")
        question = headers.get("agi_arg_1", "")
        if not _UNIQUEID.fullmatch(call_id) or question not in ("1", "2"):
            raise Refused(f"survey answer for {call_id[:64]!r}, question {question[:8]!r}")
        if int(question) > len(self.settings.questions):
            raise Refused(f"survey question {question} is not asked")
        if await channel.get_variable(var.SURVEY) != "1":
            raise Refused(f"call {call_id} was not chosen for the survey")
        given = score(headers.get("agi_arg_2", ""))
        if given is None:
            log.info("call {call}: question {q} left without a score", call=call_id, q=question)
            return
        number = int(question)
        if (call_id, number) in self._answered:
            log.warn("call {call}: question {q} answered twice; the first stands", call=call_id, q=question)
            return
        self._remember(call_id, number, given)
        agent = headers.get("agi_arg_3", "")
        agent = agent if _AGENT.fullmatch(agent) else ""
        queue = await channel.get_variable(var.QUEUE)
        queue = queue if _QUEUE.fullmatch(queue) else ""
        now = self.clock()
        self.sink(ev.SurveyAnswered(now, call_id, queue, agent, number, given))
        background(self._save(Answer(call_id, number, given, agent, queue, now)), "keeping a survey answer")

    def _remember(self, call_id: str, question: int, given: int) -> None:
        self._answered[(call_id, question)] = given
        while len(self._answered) > REMEMBERED:
            self._answered.popitem(last=False)

    async def _save(self, answer: Answer) -> None:
        if not await self.directory.write(save_answer, answer):
            log.warn("survey answer for {call}: no interaction in the store", call=answer.call_id)
