"""The IVR's definition: `config/ivr.yaml`, validated into frozen objects.

Every error names its YAML path (``categories[2].queue: no queue named 'billing'``), like
acd.yaml's. Prompts are plain text per language; the daemon renders them to audio.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from acd.config import ConfigError, describe_error, lists_to_tuples, read_yaml

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "config" / "ivr.yaml"

Digit = Annotated[str, Field(pattern=r"^[0-9]$")]
Language = Annotated[str, Field(pattern=r"^[a-z]{2}$")]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,39}$")]
Clock = Annotated[str, Field(pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]  # 24:00: midnight, closing
Question = Literal["date_of_birth", "postcode", "last_payment", "pin"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Prompts(_Section):
    """Everything the IVR says, in one language. {digit}, {label}, {length} are filled in."""

    welcome: str
    choose_language: str  # this language's own line of the language menu
    menu_item: str  # one line per category: "For {label}, press {digit}."
    invalid: str
    no_input: str
    account: str
    account_shared: str  # the caller's number belongs to several customers
    account_invalid: str
    date_of_birth: str
    postcode: str
    last_payment: str
    pin: str
    skip_hint: str  # "if you do not know, press star"
    wrong_answer: str
    verified: str
    not_verified: str
    locked: str
    connecting: str
    closed: str
    position: str  # announced while queued: "You are number {position} in line."
    wait: str  # "... about {minutes} minutes."
    wait_short: str  # under a minute


class Category(_Section):
    digit: Digit
    name: Name
    queue: Name
    label: dict[Language, str]  # what the menu calls it, per language
    account: bool = False  # ask for the account number
    verify: bool = False  # and check the caller's identity
    priority: int = Field(0, ge=0, le=100)


class Hours(_Section):
    """When the lines are open, in their own time zone; holidays are closed all day."""

    timezone: str = "UTC"
    open: dict[Literal[WEEKDAYS], tuple[Clock, Clock]] = {}  # type: ignore[valid-type]
    holidays: tuple[dt.date, ...] = ()
    closed_queue: Name | None = None  # after hours: this queue (e.g. voicemail), or hang up

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("open")
    @classmethod
    def _ordered(cls, value: dict) -> dict:
        for day, (start, end) in value.items():
            if start >= end:
                why = f"{day}: opening {start} is not before closing {end}"
                if end < start:  # a night line, 22:00-06:00: one span a day, within the day
                    why += "; no span runs past midnight: close at 24:00, open at 00:00 the next day"
                raise ValueError(why)
        return value


class Account(_Section):
    length: int = Field(8, ge=4, le=20)  # digits, the last a Luhn check digit
    attempts: int = Field(3, ge=1, le=5)


class Backoff(_Section):
    """Guesses across calls (acd/core/throttle.py): after `free` wrong answers at an account,
    customer or caller number, each further one owes `base` seconds, doubling up to `cap`;
    forgotten after `forget` seconds without a wrong answer."""

    free: int = Field(2, ge=0, le=20)
    base: float = Field(300.0, gt=0, le=86400)
    cap: float = Field(86400.0, gt=0, le=604800)
    forget: float = Field(86400.0, gt=0, le=2592000)


class Identity(_Section):
    questions: tuple[Question, ...] = Field(("date_of_birth", "postcode", "last_payment"), min_length=1)
    max_failures: int = Field(2, ge=1, le=5)  # wrong answers or skips in a call before it is locked
    answer_digits: int = Field(10, ge=4, le=20)
    backoff: Backoff = Backoff()  # wrong answers across calls and restarts


class Menu(_Section):
    languages: dict[Digit, Language] = Field(min_length=1)  # language menu: digit -> language
    default_language: Language
    attempts: int = Field(3, ge=1, le=5)  # a menu is asked this often, then the safe default
    timeout: float = Field(5.0, gt=0, le=30)  # seconds to wait for the first digit
    default_queue: Name  # where a caller who never chose goes
    vip_priority: int = Field(10, ge=0, le=100)
    hours: Hours = Hours()
    categories: tuple[Category, ...] = Field(min_length=2, max_length=9)
    account: Account = Account()
    identity: Identity = Identity()
    prompts: dict[Language, Prompts]

    @model_validator(mode="after")
    def _consistent(self) -> Menu:
        spoken = set(self.prompts)
        for digit, language in self.languages.items():
            if language not in spoken:
                raise ValueError(f"languages.{digit}: no prompts for {language!r}")
        if self.default_language not in spoken:
            raise ValueError(f"default_language: no prompts for {self.default_language!r}")
        digits = [c.digit for c in self.categories]
        for i, category in enumerate(self.categories):
            if category.digit in digits[:i]:
                raise ValueError(f"categories[{i}].digit: {category.digit} is used twice")
            missing = spoken - set(category.label)
            if missing:
                raise ValueError(f"categories[{i}].label: no label in {sorted(missing)}")
        return self

    def queues(self) -> set[str]:
        named = {c.queue for c in self.categories} | {self.default_queue}
        return named | ({self.hours.closed_queue} if self.hours.closed_queue else set())

    def category(self, digit: str) -> Category | None:
        return next((c for c in self.categories if c.digit == digit), None)


def load(path: Path | str = DEFAULT_PATH, queues: Iterable[str] | None = None) -> Menu:
    """Read and check the menu; `queues` are the names acd.yaml defines."""
    path = Path(path)
    return parse(read_yaml(path), str(path), queues)


def parse(raw: object, source: str = "<ivr>", queues: Iterable[str] | None = None) -> Menu:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level")
    try:
        menu = Menu.model_validate(lists_to_tuples(_dates(raw)))
    except pydantic.ValidationError as exc:
        raise ConfigError(f"{source}: " + "; ".join(describe_error(e) for e in exc.errors())) from None
    if queues is not None:
        unknown = sorted(menu.queues() - set(queues))
        if unknown:
            raise ConfigError(
                f"{source}: {_where(menu, unknown[0])}: no queue named {unknown[0]!r} in acd.yaml"
            )
    return menu


def _dates(raw: dict) -> dict:
    """YAML reads 2026-12-25 as a date already; strict mode would refuse a quoted one."""
    hours = raw.get("hours")
    if isinstance(hours, dict) and isinstance(hours.get("holidays"), list):
        days = [_day(d) for d in hours["holidays"]]
        raw = {**raw, "hours": {**hours, "holidays": days}}
    return raw


def _day(value: object) -> object:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _where(menu: Menu, queue: str) -> str:
    for i, category in enumerate(menu.categories):
        if category.queue == queue:
            return f"categories[{i}].queue"
    return "default_queue" if menu.default_queue == queue else "hours.closed_queue"
