"""Identity guesses across calls (finding 9): the backoff store, and the greeting option."""

from __future__ import annotations

import pytest
import yaml

from acd import config as config_module
from acd.asterisk.agi_routes import Routes
from acd.asterisk.guess_limits import GuessLimits
from acd.core.throttle import Backoff, Record


class MemoryStore:
    """As redis keeps them: survives any number of GuessLimits (daemon restarts)."""

    def __init__(self) -> None:
        self.records: dict[str, Record] = {}
        self.down = False

    async def load_guesses(self, keys):
        return None if self.down else {k: self.records.get(k, Record()) for k in keys}

    async def save_guesses(self, records, forget=()):
        self.records.update(records)
        for key in forget:
            self.records.pop(key, None)


def run(coroutine):
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    raise AssertionError("waited")


def test_wrong_answers_outlive_the_daemon_and_back_off():
    store, now = MemoryStore(), [1000.0]
    rules = Backoff(free=2, base=300, cap=3600, forget=86400)
    keys = ("account:00000018", "customer:7", "number:+4930111")
    for _ in range(3):
        run(GuessLimits(store, rules, lambda: now[0]).guessed(keys, right=False))  # a new daemon each time
    limits = GuessLimits(store, rules, lambda: now[0])
    assert run(limits.wait(("account:00000018",))) == 300
    assert run(limits.wait(("number:+4930111", "customer:9"))) == 300
    now[0] += 301
    assert run(limits.wait(keys)) == 0
    run(limits.guessed(keys, right=True))
    assert store.records == {}


def test_no_redis_no_guess_checked():
    store = MemoryStore()
    store.down = True
    assert run(GuessLimits(store, Backoff(), lambda: 0.0).wait(("account:1",))) == Backoff().cap


@pytest.mark.parametrize(
    "option, said",
    [
        ("full", "Hello Anna Schmidt, welcome back."),
        ("first", "Hello Anna, welcome back."),
        ("none", "Hello, welcome back."),
    ],
)
def test_the_greeting_says_as_much_of_the_name_as_configured(option, said):
    raw = yaml.safe_load(config_module.DEFAULT_PATH.read_text())
    raw["greeting"]["name"] = option
    routes = Routes.__new__(Routes)
    routes.config = config_module.parse(raw)

    class Card:
        name, language = "Anna Schmidt", "en"

    assert routes._greeting_text(Card()) == said
