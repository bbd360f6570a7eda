"""Sessions outlive the daemon through redis (real redis-server on loopback): a browser signed
in before a restart is still signed in after it, by the same cookie; redis holds only the
cookie's hash; a signed-out session stays out; bad records in redis are dropped."""

from __future__ import annotations

import asyncio
import json

import redis
import yaml

from acd import config as config_module
from acd.lab.redis_proc import RedisServer
from acd.live import LiveState
from acd.web.auth import StaffLogin
from tests.asterisk.redis_live import free_port
from tests.asterisk.test_fastagi import on_asyncio
from tests.people import CHEAP, seeded_roster


async def settled() -> None:
    for _ in range(5):
        await asyncio.sleep(0.02)  # the copies to redis run in the background


@on_asyncio
async def test_a_session_survives_a_restart_and_sign_out_reaches_redis(tmp_path):
    raw = yaml.safe_load(config_module.DEFAULT_PATH.read_text())
    raw["redis"] = {"url": f"redis://127.0.0.1:{free_port()}/0", "prefix": "acdsess"}
    raw["hashing"] = CHEAP.model_dump()
    config = config_module.parse(raw)
    server = RedisServer(config.redis.url, tmp_path / "redis", config.redis.password)
    server.start()
    roster = seeded_roster(tmp_path, config)
    live = LiveState(config.redis)
    try:
        before = StaffLogin(config, roster, keeper=live)
        kept = before.sessions.open(roster.person("9001"))
        gone = before.sessions.open(roster.person("1001"))
        await settled()
        before.sessions.end(gone)
        await settled()
        plain = redis.Redis.from_url(config.redis.url, password=config.redis.password)
        plain.set("acdsess:session:" + "f" * 64, b"{not json")
        stored = {k.decode(): v for k in plain.keys("acdsess:session:*") if (v := plain.get(k))}
        assert len(stored) == 2 and all(kept not in k and kept.encode() not in v for k, v in stored.items())
        real = next(k for k in stored if "f" * 64 not in k)
        assert 0 < plain.ttl(real) <= config.http.session_idle + 1

        after = StaffLogin(config, roster, keeper=live)  # the daemon restarted
        after.sessions.restore(await live.load_sessions())
        assert after.sessions.find(kept)[1].number == "9001"
        assert after.sessions.find(gone) is None
        assert after.sessions.csrf_ok(kept, before.sessions.csrf_token(kept))
        assert json.loads(stored[real])["number"] == "9001"
    finally:
        await live.client.aclose()
        roster.close()
        server.stop()
