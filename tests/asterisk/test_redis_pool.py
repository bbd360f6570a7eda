"""The daemon's redis client holds at most redis.max_connections connections. Before, its pool
was unbounded: a burst of saves opened one connection each, and a stuck redis piled them up
(each waiting out its timeout) until descriptors ran out. Now more users than the cap wait
briefly for a connection and then fail, logged, like any other redis error. Real redis-server,
on loopback; a stuck one is stopped with SIGSTOP."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlparse

import redis.asyncio as redis
from twisted.logger import formatEvent, globalLogPublisher

from acd.core.agents import Agent
from acd.live import LiveState
from tests.asterisk.redis_live import on_redis
from tests.asterisk.test_fastagi import on_asyncio

CAP = 4
USERS = 40
ESTABLISHED, SYN_SENT = "01", "02"


@contextmanager
def redis_errors() -> Iterator[list[str]]:
    """The errors logged of redis meanwhile (other tests' leftover tasks may log theirs)."""
    lines: list[str] = []

    def observer(event: dict) -> None:
        line = formatEvent(event)
        if event.get("log_level") is not None and event["log_level"].name == "error" and "redis" in line:
            lines.append(line)

    globalLogPublisher.addObserver(observer)
    try:
        yield lines
    finally:
        globalLogPublisher.removeObserver(observer)


async def peak_while(count: Callable[[], Awaitable[int]], work: Awaitable[object]) -> int:
    """The most connections `count` saw while `work` ran, and once it was done."""
    peak = 0

    async def sample() -> None:
        nonlocal peak
        while True:
            peak = max(peak, await count())
            await asyncio.sleep(0.005)

    sampler = asyncio.ensure_future(sample())
    try:
        await work
    finally:
        sampler.cancel()
    return max(peak, await count())


def saves(live: LiveState) -> Awaitable[list[None]]:
    return asyncio.gather(*(live.save(Agent(str(2000 + i))) for i in range(USERS)))


def sockets_to(port: int) -> int:
    """This host's open TCP connections to `port` as the kernel sees them (redis need not answer)."""
    found = 0
    with open("/proc/net/tcp") as table:
        for row in list(table)[1:]:
            fields = row.split()
            if int(fields[2].split(":")[1], 16) == port and fields[3] in (ESTABLISHED, SYN_SENT):
                found += 1
    return found


@on_asyncio
async def test_more_users_than_the_cap_share_the_cap_s_connections(tmp_path):
    """Forty saves at once take turns on four connections (CLIENT LIST), and all are saved."""
    async with on_redis(tmp_path, max_connections=CAP) as (config, live):
        watch = redis.Redis.from_url(config.redis.url, password=config.redis.password)
        own = await watch.client_id()

        async def clients() -> int:
            return sum(1 for c in await watch.client_list() if int(c["id"]) != own)

        try:
            with redis_errors() as errors:
                peak = await peak_while(clients, saves(live))
            assert errors == []
            assert len(await live.client.hgetall(live.key)) == USERS
        finally:
            await watch.aclose()
    assert 1 <= peak <= CAP


@on_asyncio
async def test_a_stuck_redis_holds_no_more_than_the_cap_and_callers_fail_soon_and_logged(tmp_path):
    """With redis stopped, four callers wait on the socket timeout, the rest on the pool's; each
    gives up within a few timeouts with one logged error, and nothing raises."""
    async with on_redis(tmp_path, max_connections=CAP, timeout=0.5) as (config, live):
        port = urlparse(config.redis.url).port
        assert port is not None
        pid = int((await live.client.info("server"))["process_id"])
        os.kill(pid, signal.SIGSTOP)
        try:
            with redis_errors() as errors:
                started = time.monotonic()
                peak = await peak_while(lambda: asyncio.sleep(0, sockets_to(port)), saves(live))
                took = time.monotonic() - started
        finally:
            os.kill(pid, signal.SIGCONT)
    assert peak <= CAP
    assert len(errors) == USERS and all("not saved to redis" in line for line in errors)
    assert took < 5 * 0.5
