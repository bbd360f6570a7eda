"""The daemon's live state on a real redis-server of its own, for the tests that need one."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import yaml

from acd import config as config_module
from acd.config import Config
from acd.lab.redis_proc import RedisServer
from acd.live import LiveState


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def on_redis(
    tmp_path: Path, prefix: str = "acdtest", **settings: object
) -> AsyncIterator[tuple[Config, LiveState]]:
    """The default config on a real redis-server on loopback, and the daemon's client of it;
    `settings` are further redis.* keys (max_connections=4)."""
    raw = yaml.safe_load(config_module.DEFAULT_PATH.read_text())
    raw["redis"] = {"url": f"redis://127.0.0.1:{free_port()}/0", "prefix": prefix, **settings}
    config = config_module.parse(raw)
    server = RedisServer(config.redis.url, tmp_path / "redis", config.redis.password)
    server.start()
    live = LiveState(config.redis)
    try:
        yield config, live
    finally:
        await live.client.aclose()
        server.stop()
