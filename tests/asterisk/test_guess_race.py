"""Guesses made at once by parallel calls are each counted before any is checked (audit,
2026-12-03): the wait was read before the question and the failure written after the answer,
over two awaits, so ten callers at once each got a guess although three were free, and the
writes overwrote each other's counts. Real redis-server, on loopback."""

from __future__ import annotations

import asyncio

from acd.asterisk.guess_limits import GuessLimits
from acd.core.throttle import Backoff
from tests.asterisk.redis_live import on_redis
from tests.asterisk.test_fastagi import on_asyncio

RULES = Backoff(free=3, base=30, cap=900, forget=3600)
KEYS = ("account:00000018", "customer:7", "number:+4930111")
CALLERS = 10


async def a_wrong_guess(limits: GuessLimits) -> bool:
    """One caller: asks, hears the question, answers wrong. True if the answer was checked."""
    if await limits.attempt(KEYS) > 0:
        return False
    await asyncio.sleep(0.01)  # the question plays
    await limits.guessed(KEYS, right=False)
    return True


@on_asyncio
async def test_parallel_callers_get_no_more_guesses_than_one_caller(tmp_path):
    async with on_redis(tmp_path, "acdrace") as (_, live):
        limits = GuessLimits(live, RULES, lambda: 1000.0)
        checked = await asyncio.gather(*(a_wrong_guess(limits) for _ in range(CALLERS)))
        counts = await live.load_guesses(KEYS)
    assert sum(checked) == RULES.free + 1  # the free ones, and the first that earns a wait
    assert counts is not None and {r.failures for r in counts.values()} == {RULES.free + 1}


@on_asyncio
async def test_right_pins_never_slow_the_phone_and_records_expire(tmp_path):
    """A right PIN gives the phone its attempt back (every login at a phone used to be counted
    against it once counted before the check); redis forgets a record when the rules do."""
    keys = ("pin:2001@PJSIP/1005", "pin-phone:PJSIP/1005")
    async with on_redis(tmp_path, "acdrace") as (_, live):
        limits = GuessLimits(live, RULES, lambda: 1000.0, kind="Pin", service="phone")
        for _ in range(RULES.free + 3):
            assert await limits.attempt(keys) == 0
            await limits.right_pin(keys)
        assert await live.client.mget(live._guess_names(keys)) == [None, None]
        assert await limits.attempt(keys) == 0
        await limits.guessed(keys, right=False)
        ttls = [await live.client.ttl(name) for name in live._guess_names(keys)]
        counts = await live.load_guesses(keys)
    assert all(RULES.forget < t <= RULES.forget + 1 for t in ttls)
    assert counts is not None and {r.failures for r in counts.values()} == {1}
