"""One caller's way through the IVR, as a generator that does no I/O ("sans-I/O").

The flow yields requests (say this and collect digits; find this account; check this
answer) and is sent the replies. The FastAGI adapter answers them from Asterisk and the
store; unit tests answer them from a script, in microseconds. `IvrCall` keeps how far the
caller got at every moment, so a hang-up mid-menu still leaves a record.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Protocol, TypeVar, cast

from acd.core.accounts import valid_account
from ivr.menu import Category, Menu, Prompts

T = TypeVar("T")
Part = tuple[str, str]  # (language, text): one sentence, spoken in its own voice
FIXED_LENGTH = {"date_of_birth": 8}  # DDMMYYYY ends by itself; other answers end with '#'


class Owner(Protocol):
    """The reply to FindAccount, when an account is found (the store's customer card)."""

    @property
    def id(self) -> int: ...

    @property
    def vip(self) -> bool: ...


@dataclass(frozen=True)
class Ask:
    """Play the parts (interruptible) and collect up to `max_digits` digits; reply: the
    digits, "" on timeout. `#` ends early and is not part of the reply."""

    step: str
    parts: tuple[Part, ...]
    max_digits: int
    timeout_ms: int


@dataclass(frozen=True)
class Say:
    """Play the parts; nothing is collected (the call moves on right after)."""

    parts: tuple[Part, ...]


@dataclass(frozen=True)
class FindAccount:
    """Reply: the customer who holds this account number (anything with `id` and `vip`),
    or None."""

    number: str


@dataclass(frozen=True)
class Check:
    """Reply: True if `answer` matches the customer's fact `question`."""

    question: str
    customer_id: int
    account: str | None
    answer: str


@dataclass(frozen=True)
class Limit:
    """Reply: seconds until guesses at these keys may be evaluated again (0: now). Keys name
    an account, a customer and a caller number; the counts outlive the call (redis)."""

    keys: tuple[str, ...]


@dataclass(frozen=True)
class Attempt:
    """Reply: as Limit's; when 0, the guess about to be checked already counts as wrong at
    these keys, so parallel calls each see the others' guesses. A Guessed or Spared follows."""

    keys: tuple[str, ...]


@dataclass(frozen=True)
class Guessed:
    """The attempt's guess was wrong (`right` False: it stays counted) or right (the keys start
    afresh)."""

    keys: tuple[str, ...]
    right: bool


@dataclass(frozen=True)
class Spared:
    """The attempt was no wrong guess (a skipped question, an account that exists): its count
    is given back."""

    keys: tuple[str, ...]


Request = Ask | Say | FindAccount | Check | Limit | Attempt | Guessed | Spared


@dataclass(frozen=True)
class Caller:
    """What the caller-ID lookup found before the IVR starts."""

    customer_id: int | None = None
    language: str | None = None
    vip: bool = False
    accounts: tuple[str, ...] = ()
    candidates: int = 0  # customers sharing the number (2+ means: ask who)
    greeting: str | None = None  # "Hello Anna", spoken before the first menu
    number: str | None = None  # the caller ID (E.164): a key for guess limits, never proof


@dataclass
class IvrCall:
    menu: Menu
    caller: Caller
    open: bool = True
    language: str = ""
    category: Category | None = None
    customer_id: int | None = None
    account: str | None = None
    vip: bool = False
    verification: str = ""  # verified | not_verified | locked | "" (not asked)
    steps: list[str] = field(default_factory=list)
    greeted: bool = False  # the greeting went out with the first prompt
    survey_offer: dict[str, str] = field(default_factory=dict)  # language -> "rate us? press 1"
    _prefix: tuple[Part, ...] = ()

    @property
    def queue(self) -> str:
        if not self.open:
            return self.menu.hours.closed_queue or ""
        return self.category.queue if self.category else self.menu.default_queue

    @property
    def priority(self) -> int:
        base = self.category.priority if self.category else 0
        return max(base, self.menu.vip_priority) if self.vip else base

    def run(self) -> Generator[Request, object, None]:
        """The whole menu; on return, the attributes say where the call goes."""
        self.customer_id, self.vip = self.caller.customer_id, self.caller.vip
        if not self.open:
            self.language = self._known_language() or self.menu.default_language
            self.steps.append("closed")
            yield Say((self._say("closed"),))
            return
        yield from self._choose_language()
        yield from self._choose_category()
        # Caller ID is set by whoever places the call: it may suggest a customer (greeting,
        # routing) but never names the account or verifies anyone; the account is always asked.
        if self.category and (self.category.account or self.category.verify or self.caller.candidates > 1):
            yield from self._take_account()
        if self.category and self.category.verify and self.account is not None:
            yield from self._verify()
        if self.survey_offer:
            yield from self._offer_survey()
        yield Say(self._take_prefix() + (self._say("connecting"),))

    # -- the steps -------------------------------------------------------------------------

    def _choose_language(self) -> Generator[Request, object, None]:
        known = self._known_language()
        offered = self.menu.languages
        if known or len(offered) == 1:
            self.language = known or next(iter(offered.values()))
            self.steps.append(f"language:{self.language}" + (":known" if known else ""))
            return
        self.language = self.menu.default_language
        parts = tuple((lang, self.menu.prompts[lang].choose_language) for lang in offered.values())
        choice = yield from self._menu("language", parts, offered.get)
        self.language = choice or self.menu.default_language
        self.steps.append(f"language:{self.language}" if choice else "language:default")

    def _choose_category(self) -> Generator[Request, object, None]:
        items = tuple(
            self._say("menu_item", label=c.label[self.language], digit=c.digit) for c in self.menu.categories
        )
        parts = (self._say("welcome"),) + items
        self.category = yield from self._menu("category", parts, self.menu.category)
        self.steps.append(f"category:{self.category.name}" if self.category else "category:default")

    def _take_account(self) -> Generator[Request, object, None]:
        wanted = self.menu.account
        if (yield Limit(self._number_key())):  # this number has guessed too many accounts
            self.steps.append("account:throttled")
            return
        first = "account_shared" if self.caller.candidates > 1 else "account"
        self._prefix += (self._say(first, length=wanted.length),)
        for _ in range(wanted.attempts):
            digits = yield from self._keyed("account", self._take_prefix(), wanted.length)
            if digits and valid_account(digits, wanted.length):
                if (yield Attempt(self._number_key())):
                    self.steps.append("account:throttled")
                    return
                owner = cast(Owner | None, (yield FindAccount(digits)))
                if owner is not None:
                    yield Spared(self._number_key())
                    self.account, self.customer_id = digits, owner.id
                    self.vip = self.vip or owner.vip
                    self.steps.append("account:ok")
                    return
                yield Guessed(self._number_key(), right=False)
            self.steps.append("account:invalid" if digits else "account:no_input")
            again = "account_invalid" if digits else "no_input"
            self._prefix = (self._say(again), self._say("account", length=wanted.length))
        self._prefix = ()
        self.steps.append("account:gave_up")

    def _verify(self) -> Generator[Request, object, None]:
        """Questions in their configured order (strongest first). A skip (`*`, or nothing)
        costs what a wrong answer costs, so skipping never reaches a weaker question for free;
        wrong answers also count against the account, the customer and the caller's number
        across calls, and while any of them owes a wait no answer is even checked."""
        identity, failures = self.menu.identity, 0
        assert self.customer_id is not None
        keys = (f"account:{self.account}", f"customer:{self.customer_id}") + self._number_key()
        for question in identity.questions:
            if (yield Attempt(keys)):  # before every question: no guess is free
                self.steps.append("identity:throttled")
                self.verification = "locked"
                self._prefix = self._prefix + (self._say("locked"),)
                return
            parts = self._take_prefix() + (self._say(question), self._say("skip_hint"))
            digits = FIXED_LENGTH.get(question, identity.answer_digits)
            answer = yield from self._keyed(f"identity:{question}", parts, digits)
            skipped = not answer or "*" in answer
            if skipped:
                yield Spared(keys)
                self.steps.append(f"{question}:skipped")
            else:
                right = yield Check(question, self.customer_id, self.account, answer)
                self.steps.append(f"{question}:{'right' if right else 'wrong'}")
                yield Guessed(keys, bool(right))
                if right:
                    self.verification = "verified"
                    self._prefix = (self._say("verified"),)
                    return
            failures += 1
            if failures >= identity.max_failures:
                self.verification = "locked"
                self._prefix = (self._say("locked"),)
                return
            self._prefix = () if skipped else (self._say("wrong_answer"),)
        self.verification = "not_verified"
        self._prefix = (self._say("not_verified"),)

    def _offer_survey(self) -> Generator[Request, object, None]:
        """Asked once, never re-prompted: "1" opts in (the step says so: survey:yes), anything
        else or nothing is no (the share may still choose the call)."""
        language = self.language if self.language in self.survey_offer else next(iter(self.survey_offer))
        parts = self._take_prefix() + ((language, self.survey_offer[language]),)
        digits = yield from self._keyed("survey", parts, 1)
        self.steps.append("survey:yes" if digits == "1" else "survey:no")

    # -- helpers ---------------------------------------------------------------------------

    def _menu(
        self, step: str, parts: tuple[Part, ...], pick: Callable[[str], T | None]
    ) -> Generator[Request, object, T | None]:
        """Ask up to `attempts` times; None when the caller never gave a valid choice."""
        for _ in range(self.menu.attempts):
            digits = yield from self._keyed(step, self._take_prefix() + parts, 1)
            choice = pick(digits) if digits else None
            if choice is not None:
                return choice
            self.steps.append(f"{step}:{'invalid' if digits else 'no_input'}")
            self._prefix = (self._say("invalid" if digits else "no_input"),)
        self._prefix = ()
        return None

    def _keyed(self, step: str, parts: tuple[Part, ...], max_digits: int) -> Generator[Request, object, str]:
        """The digits the caller keyed for one Ask (the reply to an Ask is always a string)."""
        return cast(str, (yield self._ask(step, parts, max_digits)))

    def _ask(self, step: str, parts: tuple[Part, ...], max_digits: int) -> Ask:
        if not self.greeted and self.caller.greeting:
            parts = ((self._known_language() or self.language, self.caller.greeting),) + parts
            self.greeted = True
        return Ask(step, parts, max_digits, int(self.menu.timeout * 1000))

    def _number_key(self) -> tuple[str, ...]:
        return (f"number:{self.caller.number}",) if self.caller.number else ()

    def _take_prefix(self) -> tuple[Part, ...]:
        prefix, self._prefix = self._prefix, ()
        return prefix

    def _say(self, key: str, **values: object) -> Part:
        prompts: Prompts = self.menu.prompts[self.language]
        return self.language, getattr(prompts, key).format(**values)

    def _known_language(self) -> str | None:
        language = self.caller.language
        return language if language in self.menu.prompts else None
