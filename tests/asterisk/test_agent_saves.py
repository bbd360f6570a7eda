"""A burst of agent state changes reaches redis as the latest state of each agent, over a
bounded number of connections. Before, every change started its own save: a resync of many
agents, or a storm of pauses, opened one connection per change until redis-py answered "Too
many connections" and states were not saved at all. Real redis-server, on loopback."""

from __future__ import annotations

import asyncio
import json

import redis
import yaml
from twisted.logger import globalLogPublisher

from acd import config as config_module
from acd.asterisk.guess_limits import GuessLimits, Memory
from acd.core import events as ev
from acd.core.throttle import Backoff
from acd.lab.redis_proc import RedisServer
from acd.live import LiveState
from acd.speech import SpeechCache
from tests.asterisk.redis_live import free_port, on_redis
from tests.asterisk.test_agent_restore import FakeAmi, feed, wired_desk
from tests.asterisk.test_fastagi import on_asyncio

CHANGES = 3000


@on_asyncio
async def test_a_burst_of_changes_saves_each_agent_s_latest_state(tmp_path):
    raw = yaml.safe_load(config_module.DEFAULT_PATH.read_text())
    raw["redis"] = {"url": f"redis://127.0.0.1:{free_port()}/0", "prefix": "acdburst"}
    config = config_module.parse(raw)
    password = config.redis.password
    server = RedisServer(config.redis.url, tmp_path / "redis", password)
    server.start()
    live = LiveState(config.redis)
    live.client.connection_pool.max_connections = 50  # what a modest pool allows
    desk = wired_desk(config, FakeAmi(), live, SpeechCache(tmp_path), GuessLimits(Memory(), Backoff()))
    errors: list[dict] = []
    observer = lambda e: errors.append(e) if e.get("log_level") and e["log_level"].name == "error" else None
    globalLogPublisher.addObserver(observer)
    try:
        for i in range(CHANGES):
            at = 100.0 + i
            feed(desk, ev.AgentPaused(at, "1001", "lunch") if i % 2 == 0 else ev.AgentResumed(at, "1001"))
            feed(desk, ev.AgentPaused(at, "1002", "break"))
        for _ in range(200):
            await asyncio.sleep(0.05)
            if not desk.saving():
                break
        saved = redis.Redis.from_url(config.redis.url, password=password).hgetall(live.key)
    finally:
        globalLogPublisher.removeObserver(observer)
        await live.client.aclose()
        server.stop()
    assert [e.get("log_format") for e in errors] == []
    last = {k.decode(): json.loads(v) for k, v in saved.items()}
    assert last["1001"]["state"] == desk.book.agents["1001"].state.value == "ready"
    assert last["1002"]["state"] == "paused" and last["1002"]["reason"] == "break"


@on_asyncio
async def test_a_record_nested_past_the_stack_is_one_bad_record_not_a_failed_restore(tmp_path):
    """Values read back from redis are untrusted: "[" * 100,000 made json.loads raise
    RecursionError, which no reader caught, so no agent and no callback was restored."""
    from acd.core.agents import Agent
    from acd.core.callbacks import Callback

    deep = b"[" * 100_000
    async with on_redis(tmp_path, "acddeep") as (_, live):
        good = Callback("acd-4.1", "+49301112233", "support", 1, 0, 900.0)
        await live.client.hset(live.key, mapping={"2001": json.dumps(Agent("2001").as_dict()), "2002": deep})
        await live.client.hset(live.callbacks_key, mapping={good.id: json.dumps(good.as_dict()), "x": deep})
        await live.client.set(live._guess_names(("pin:2001",))[0], deep)
        assert list(await live.load()) == ["2001"]
        assert [c.id for c in await live.load_callbacks()] == ["acd-4.1"]
        assert (await live.load_guesses(("pin:2001",))) is not None
        assert (await live.update_guesses(("pin:2001",), lambda records: {}, 60)) is not None
