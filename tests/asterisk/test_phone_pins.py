"""Wrong PINs typed on phones slow guessing without locking anyone out, across calls and
restarts (issue 9, finding 5's lockout, on the phone side): five wrong tries by anyone used to
lock the real agent's login for 15 minutes, kept in the daemon's memory only."""

from __future__ import annotations

from collections.abc import Iterator

import yaml

from acd import config as config_module
from acd.asterisk.agent_desk import AgentDesk
from acd.asterisk.guess_limits import GuessLimits, Memory
from acd.core.throttle import Backoff
from acd.speech import SpeechCache
from tests.asterisk.test_agent_restore import FakeAmi, FakeLive, wired_desk
from tests.asterisk.test_fastagi import on_asyncio
from tests.people import seeded_roster

RULES = Backoff(free=3, base=30, cap=900, forget=3600)


class Channel:
    """A phone's AGI session as the desk sees it: digits typed, variables set."""

    def __init__(self, typed: Iterator[str]) -> None:
        self.typed, self.variables = typed, {}

    async def set_variable(self, name: str, value: str) -> None:
        self.variables[name] = value


def desk(tmp_path, store, now: list[float]) -> AgentDesk:
    config = config_module.parse(yaml.safe_load(config_module.DEFAULT_PATH.read_text()))
    pins = GuessLimits(store, RULES, lambda: now[0], kind="Pin", service="phone")
    people = seeded_roster(tmp_path, config)  # the PIN hashes, from this config's PINs
    agents = wired_desk(
        config, FakeAmi(), FakeLive({}), SpeechCache(tmp_path), pins, clock=lambda: now[0], people=people
    )

    async def read(channel: Channel, prompt: str, max_digits: int) -> str:
        return next(channel.typed, "")  # then silence

    async def said(channel: Channel, prompt: str) -> None:
        pass

    agents._read, agents._say = read, said  # type: ignore[method-assign]
    return agents


def tries(number: str, pins: list[str]) -> Channel:
    return Channel(iter([d for pin in pins for d in (number, pin)]))


@on_asyncio
async def test_a_stranger_guessing_at_one_phone_never_locks_the_agent_out_at_theirs(tmp_path):
    store, now = Memory(), [1000.0]
    agents = desk(tmp_path, store, now)
    pin = agents.config.agent("2001").pin
    for _ in range(4):  # twelve wrong PINs from phone 1006
        assert await agents._login_call(tries("2001", ["0000"] * 3), "PJSIP/1006") in ("wrong_pin", "locked")
    # the stranger is slowed even with the right PIN now; the agent at their own phone is not
    assert await agents._login_call(tries("2001", [pin]), "PJSIP/1006") == "locked"
    assert await agents._login_call(tries("2001", [pin]), "PJSIP/1005") == "logged_in"


@on_asyncio
async def test_wrong_pins_outlive_the_daemon_and_the_wait_ends(tmp_path):
    store, now = Memory(), [1000.0]  # as redis keeps them across restarts
    await desk(tmp_path, store, now)._login_call(tries("2001", ["1", "2", "3"]), "PJSIP/1006")
    restarted = desk(tmp_path, store, now)
    assert await restarted._login_call(tries("2002", ["4"]), "PJSIP/1006") == "locked"  # the 4th costs 30 s
    pin = restarted.config.agent("2002").pin
    assert await restarted._login_call(tries("2002", [pin]), "PJSIP/1006") == "locked"  # the phone owes 30 s
    now[0] += 31
    assert await restarted._login_call(tries("2002", [pin]), "PJSIP/1006") == "logged_in"
