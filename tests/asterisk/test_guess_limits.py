"""Identity guesses across calls (finding 9): the backoff store, and the greeting option."""

from __future__ import annotations

import pytest
import yaml

from acd import config as config_module
from acd.asterisk.agi_routes import Routes
from acd.asterisk.guess_limits import GuessLimits, Memory
from acd.core.throttle import Backoff


class MemoryStore(Memory):
    """As redis keeps them: survives any number of GuessLimits (daemon restarts)."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False

    async def load_guesses(self, keys):
        return None if self.down else await super().load_guesses(keys)

    async def update_guesses(self, keys, change, ttl):
        return None if self.down else await super().update_guesses(keys, change, ttl)


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
        limits = GuessLimits(store, rules, lambda: now[0])  # a new daemon each time
        assert run(limits.attempt(keys)) == 0
        run(limits.guessed(keys, right=False))
    limits = GuessLimits(store, rules, lambda: now[0])
    assert run(limits.wait(("account:00000018",))) == 300
    assert run(limits.wait(("number:+4930111", "customer:9"))) == 300
    now[0] += 301
    assert run(limits.attempt(keys)) == 0
    run(limits.guessed(keys, right=True))
    assert store.records == {}


def test_a_skipped_question_is_given_back():
    store, rules = MemoryStore(), Backoff(free=0, base=300, cap=3600, forget=86400)
    limits = GuessLimits(store, rules, lambda: 1000.0)
    for _ in range(3):
        assert run(limits.attempt(("account:1",))) == 0
        run(limits.spare(("account:1",)))
    assert store.records == {}


def test_no_redis_no_guess_checked():
    store = MemoryStore()
    store.down = True
    limits = GuessLimits(store, Backoff(), lambda: 0.0)
    assert run(limits.wait(("account:1",))) == run(limits.attempt(("account:1",))) == Backoff().cap


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
