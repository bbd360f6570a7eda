"""A callback record that restore cannot use leaves redis once logged: one it refuses as
untrusted (its queue, number, id...) and one it cannot read at all. Before, both stayed in
the hash for good, and every restore read them again and logged them again. Real
redis-server, on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from twisted.logger import formatEvent, globalLogPublisher

from acd.core.callbacks import Callback
from acd.live import LiveState
from tests.asterisk.redis_live import on_redis
from tests.asterisk.test_callback_records import booked, desk, placed_ids
from tests.asterisk.test_fastagi import on_asyncio


@contextmanager
def warnings() -> Iterator[list[str]]:
    """The warnings logged meanwhile, formatted."""
    lines: list[str] = []

    def observer(event: dict) -> None:
        if event.get("log_level") is not None and event["log_level"].name == "warn":
            lines.append(formatEvent(event))

    globalLogPublisher.addObserver(observer)
    try:
        yield lines
    finally:
        globalLogPublisher.removeObserver(observer)


async def fields(live: LiveState) -> set[str]:
    return {k.decode() for k in await live.client.hkeys(live.callbacks_key)}


def record(callback: Callback) -> str:
    return json.dumps(callback.as_dict())


@on_asyncio
async def test_refused_and_unreadable_callback_records_are_dropped_once_logged(tmp_path):
    async with on_redis(tmp_path) as (config, live):
        callbacks, ami = desk(tmp_path, config, live)
        good = booked("acd-1.1")
        mapping = {
            good.id: record(good),
            "acd-2.1": record(replace(booked("acd-2.1"), queue="nowhere")),
            "acd-3.1": record(replace(booked("acd-3.1"), number="+1900555")),
            "acd-4.1": record(booked("acd-5.1")),  # not the id its field says
            "junk": "{not json",
        }
        await live.client.hset(live.callbacks_key, mapping=mapping)
        with warnings() as first:
            await callbacks.restore()
        assert await fields(live) == {"acd-1.1"}
        assert placed_ids(ami) == ["acd-1.1"]
        assert len(first) == 4
        for field in ("acd-2.1", "acd-3.1", "acd-4.1", "junk"):
            assert sum(f"'{field}'" in line for line in first) == 1, (field, first)
        with warnings() as again:
            await callbacks.restore()
        assert again == []
