"""The callback is offered: waiting callers hear "press 1 to be called back, keeping your
place" with their position, in their language (acd.yaml callback.offer, offer_text); and a
booking is a fact of its own in the journal (CallbackBooked: the callback rate counts it)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from acd import config as config_module
from acd.asterisk import callbacks as callbacks_module
from acd.asterisk import channel_vars as var
from acd.asterisk.announcer import Announcer, callback_offer, callback_offers
from acd.asterisk.callbacks import Callbacks
from acd.config_journal import Days
from acd.core import events as ev
from acd.core.center import CallCenter
from acd.core.model import Call
from ivr import menu as menu_module
from tests.asterisk.test_callbacks_restore import Ami
from tests.asterisk.test_fastagi import on_asyncio


def configured(**callback: object) -> config_module.Config:
    config = config_module.load(write_secrets=False)
    assert config.callback is not None
    return config.model_copy(update={"callback": config.callback.model_copy(update=callback)})


class Speech:
    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []

    async def render(self, text: str, language: str) -> Path:
        self.said.append((language, text))
        return Path("/sounds") / language / f"s{len(self.said)}"


def test_the_offer_is_in_the_callers_language_with_the_key():
    config = configured(key="1")
    assert callback_offer(config, "de") == (
        "de",
        "Drücken Sie die 1, dann rufen wir Sie zurück, und Sie behalten Ihren Platz.",
    )
    assert callback_offer(config, "fr") == ("en", "Press 1 to be called back, keeping your place.")
    three = callback_offer(configured(key="3"), "en")
    assert three == ("en", "Press 3 to be called back, keeping your place.")
    assert ("de", callback_offer(config, "de")[1]) in callback_offers(config)  # type: ignore[index]


def test_no_offer_when_callbacks_are_off_or_not_offered():
    assert callback_offer(configured(offer=False), "en") is None
    assert callback_offer(configured(enabled=False), "en") is None
    assert callback_offers(configured(offer=False)) == set()
    config = config_module.load(write_secrets=False)
    assert callback_offer(config.model_copy(update={"callback": None}), "en") is None


@on_asyncio
async def test_the_announcement_ends_with_the_offer(monkeypatch):
    config, speech, ami, told = configured(), Speech(), Ami(), []
    center = CallCenter({"support": 20.0})
    made = Announcer(config, menu_module.load(), center, dict, ami, speech, told.append)
    monkeypatch.setattr(made, "estimate", lambda call, now: 30.0)
    call = Call("c1", queue="support", language="de", channel="PJSIP/trunk-carrier-01", position=2)
    await made._announce(call, 100.0)
    assert speech.said == [
        ("de", "Sie sind an Position 2."),
        ("de", "Sie werden in weniger als einer Minute verbunden."),
        ("de", "Drücken Sie die 1, dann rufen wir Sie zurück, und Sie behalten Ihren Platz."),
    ]
    files = next(v for v in ami.sent[0]["Variable"] if v.startswith(f"__{var.ANNOUNCE}="))
    assert files.endswith("=/sounds/de/s1&/sounds/de/s2&/sounds/de/s3")
    assert [type(e) for e in told] == [ev.CallerAnnounced]
    speech.said.clear()
    made.config = configured(offer=False)
    await made._announce(call, 100.0)
    assert len(speech.said) == 2  # position and wait only


class Live:
    def __init__(self) -> None:
        self.saved: list[object] = []

    async def count_callback(self, key: str) -> int:
        return 1

    async def save_callback(self, callback: object) -> None:
        self.saved.append(callback)


class Channel:
    headers = {"agi_uniqueid": "acd-9.1", "agi_callerid": "030111222333"}

    def __init__(self) -> None:
        self.variables = {var.QUEUE: "support", var.PRIORITY: "0"}

    async def get_variable(self, name: str) -> str:
        return self.variables.get(name, "")

    async def set_variable(self, name: str, value: str) -> None:
        self.variables[name] = value


@on_asyncio
async def test_a_booked_callback_is_applied_as_callback_booked(monkeypatch):
    async def said(channel, speech, parts) -> None:
        pass

    monkeypatch.setattr(callbacks_module, "say", said)
    applied: list[ev.Event] = []
    made = Callbacks(
        config_module.load(write_secrets=False),
        CallCenter({"support": 20.0}),
        Ami(),
        Live(),
        None,  # type: ignore[arg-type]
        clock=lambda: 700.0,
        sink=applied.append,
    )
    channel = Channel()
    await made.request(channel)  # type: ignore[arg-type]
    assert channel.variables[var.CALLBACK] == "1"
    assert applied == [ev.CallbackBooked(700.0, "acd-9.1", "support", "acd-9.1")]


@on_asyncio
async def test_a_refused_callback_books_nothing(monkeypatch):
    async def said(channel, speech, parts) -> None:
        pass

    monkeypatch.setattr(callbacks_module, "say", said)
    applied: list[ev.Event] = []
    made = Callbacks(
        config_module.load(write_secrets=False),
        CallCenter({"support": 20.0}),
        Ami(),
        Live(),
        None,  # type: ignore[arg-type]
        sink=applied.append,
    )
    channel = Channel()
    channel.headers = {"agi_uniqueid": "acd-9.2", "agi_callerid": "112"}
    await made.request(channel)  # type: ignore[arg-type]
    assert applied == [] and var.CALLBACK not in channel.variables


@on_asyncio
async def test_the_callback_route_answers_in_the_callers_language(monkeypatch):
    heard: list[object] = []

    async def said(channel, speech, parts) -> None:
        heard.extend(parts)

    monkeypatch.setattr(callbacks_module, "say", said)
    made = Callbacks(
        config_module.load(write_secrets=False),
        CallCenter({"support": 20.0}),
        Ami(),
        Live(),
        None,  # type: ignore[arg-type]
    )
    german = Channel()
    german.variables[var.LANGUAGE] = "de"
    await made.request(german)  # type: ignore[arg-type]
    french = Channel()
    french.headers = {"agi_uniqueid": "acd-9.3", "agi_callerid": "112"}
    french.variables[var.LANGUAGE] = "fr"  # no words in French: English
    await made.request(french)  # type: ignore[arg-type]
    assert heard == [
        ("de", callbacks_module.SPOKEN["de"]["booked"]),
        ("en", callbacks_module.PROMPTS["refused"]),
    ]
    assert set(callbacks_module.SPOKEN["de"]) == set(callbacks_module.PROMPTS)


@on_asyncio
async def test_the_per_day_cap_counts_the_centers_local_day(monkeypatch):
    async def said(channel, speech, parts) -> None:
        pass

    class Counted(Live):
        def __init__(self) -> None:
            super().__init__()
            self.keys: list[str] = []

        async def count_callback(self, key: str) -> int:
            self.keys.append(key)
            return 1

    monkeypatch.setattr(callbacks_module, "say", said)
    config = config_module.load(write_secrets=False).model_copy(update={"timezone": "Europe/Berlin"})
    half_past_midnight = (
        Days("Europe/Berlin").midnight(dt.date(2026, 12, 2)) + 1800
    )  # 23:30 UTC the day before
    live = Counted()
    made = Callbacks(
        config, CallCenter({"support": 20.0}), Ami(), live, None, clock=lambda: half_past_midnight
    )  # type: ignore[arg-type]
    await made.request(Channel())  # type: ignore[arg-type]
    assert [key.rsplit(":", 1)[1] for key in live.keys] == ["2026-12-02"]
