"""Guess records moved from one hash (`<prefix>:guesses`) to a key each, which redis expires.
The old hash would stay for good: the first load of live state at start removes it, once,
saying how many records went, and leaves the new keys alone. Real redis-server, on loopback."""

from __future__ import annotations

from twisted.logger import formatEvent, globalLogPublisher

from acd.live import LiveState
from tests.asterisk.redis_live import on_redis
from tests.asterisk.test_fastagi import on_asyncio


async def loaded(live: LiveState) -> list[str]:
    """`live.load()`, and the lines it logged of guesses."""
    lines: list[str] = []

    def observer(event: dict) -> None:
        line = formatEvent(event)
        if "guess" in line:
            lines.append(line)

    globalLogPublisher.addObserver(observer)
    try:
        await live.load()
    finally:
        globalLogPublisher.removeObserver(observer)
    return lines


@on_asyncio
async def test_the_old_guess_hash_goes_at_the_first_load_and_the_new_keys_stay(tmp_path):
    async with on_redis(tmp_path) as (_, live):
        old = {"pin:2001": '{"failures": 3}', "pin:2002": "{}", "id:42": "{}"}
        await live.client.hset(live.guesses_key, mapping=old)
        [new] = live._guess_names(("pin:2001",))
        await live.client.set(new, '{"failures": 1}', ex=600)
        [line] = await loaded(live)
        assert "3" in line and live.guesses_key in line
        assert not await live.client.exists(live.guesses_key)
        assert await live.client.get(new) == b'{"failures": 1}'
        await live.client.hset(live.guesses_key, mapping=old)
        assert await loaded(live) == []  # once: a later load (a reconnect) looks no more
        assert await live.client.exists(live.guesses_key)


@on_asyncio
async def test_no_old_hash_no_line(tmp_path):
    async with on_redis(tmp_path) as (_, live):
        assert await loaded(live) == []
