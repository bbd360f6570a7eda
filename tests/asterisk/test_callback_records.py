"""A finished callback leaves nothing in redis: answered or given up, its record goes, and a
restore clears finished leftovers. Before, every callback ever booked stayed in the hash for
good, and each restart read them all again. Real redis-server, on loopback."""

from __future__ import annotations

import asyncio
import json

import pytest

from acd.asterisk.callbacks import Callbacks
from acd.config import Config
from acd.core import events as ev
from acd.core.callbacks import Callback, Status
from acd.core.center import CallCenter
from acd.live import LiveState
from tests.asterisk.redis_live import on_redis
from tests.asterisk.test_callbacks_restore import Ami
from tests.asterisk.test_fastagi import on_asyncio

NOW = 1000.0


def desk(tmp_path, config, live, clock: list[float] | None = None) -> tuple[Callbacks, Ami]:
    path = tmp_path / "queue_log"
    path.write_text("")
    ami = Ami()
    now = clock or [NOW]
    made = Callbacks(
        config, CallCenter({"support": 20.0}), ami, live, None, clock=lambda: now[0], queue_log_path=path
    )
    return made, ami


def booked(
    cid: str, status: Status = Status.WAITING, attempts: int = 0, due: float = 0.0, created: float = 900.0
) -> Callback:
    return Callback(cid, "+49301112233", "support", 1, 0, created, attempts=attempts, status=status, due=due)


def placed_ids(ami: Ami) -> list[str]:
    placed = [v for a in ami.sent if a["Action"] == "Originate" for v in a["Variable"]]
    return [v.split("=", 1)[1] for v in placed if v.startswith("__ACD_CALLBACK_ID=")]


async def stored(live: LiveState) -> dict[str, str]:
    """Each record's id and status, as redis holds them."""
    blobs = await live.client.hgetall(live.callbacks_key)
    return {k.decode(): json.loads(v)["status"] for k, v in blobs.items()}


async def seed(live: LiveState, *callbacks: Callback) -> None:
    mapping = {c.id: json.dumps(c.as_dict()) for c in callbacks}
    await live.client.hset(live.callbacks_key, mapping=mapping)


async def until(condition, tries: int = 100) -> None:
    for _ in range(tries):
        if await condition():
            return
        await asyncio.sleep(0.02)
    assert await condition()


@pytest.mark.parametrize(
    "attempts, dial_status, outcome",
    [(0, "ANSWER", "done"), (2, "BUSY", "given up after its last attempt")],
)
@on_asyncio
async def test_a_callback_that_finishes_removes_its_record(tmp_path, attempts, dial_status, outcome):
    async with on_redis(tmp_path) as (config, live):
        await finishes(tmp_path, config, live, attempts, dial_status, outcome)


async def finishes(tmp_path, config: Config, live: LiveState, attempts: int, dial_status: str, outcome: str):
    callbacks, _ = desk(tmp_path, config, live)
    await seed(live, booked("acd-1.1", attempts=attempts), booked("acd-2.1"))
    await callbacks.restore()  # both placed again: their placeholders are gone
    assert set(callbacks.pending) == {"acd-1.1", "acd-2.1"}
    callbacks.on_event(ev.CallbackDialled(NOW, "acd-1.1", dial_status))

    async def gone() -> bool:
        return "acd-1.1" not in await stored(live)

    await until(gone)
    assert await stored(live) == {"acd-2.1": "waiting"}, outcome
    assert set(callbacks.pending) == {"acd-2.1"}


@on_asyncio
async def test_a_retry_keeps_its_record(tmp_path):
    async with on_redis(tmp_path) as (config, live):
        callbacks, _ = desk(tmp_path, config, live)
        await seed(live, booked("acd-1.1"))
        await callbacks.restore()
        callbacks.on_event(ev.CallbackDialled(NOW, "acd-1.1", "NOANSWER"))

        async def retrying() -> bool:
            return await stored(live) == {"acd-1.1": "retry"}

        await until(retrying)


@on_asyncio
async def test_a_restore_removes_finished_leftovers_and_restores_the_rest(tmp_path):
    async with on_redis(tmp_path) as (config, live):
        await restores_the_rest(tmp_path, config, live)


async def restores_the_rest(tmp_path, config: Config, live: LiveState) -> None:
    callbacks, ami = desk(tmp_path, config, live)
    await seed(
        live,
        booked("acd-1.1", Status.DONE, attempts=1),
        booked("acd-2.1", Status.GIVEN_UP, attempts=3),
        booked("acd-3.1"),
        booked("acd-4.1", Status.RETRY, attempts=1, due=NOW + 60),
    )
    await callbacks.restore()
    assert await stored(live) == {"acd-3.1": "waiting", "acd-4.1": "retry"}
    assert set(callbacks.pending) == {"acd-3.1", "acd-4.1"}
    assert placed_ids(ami) == ["acd-3.1"]


@on_asyncio
async def test_a_callback_past_its_give_up_age_is_given_up_not_placed_again(tmp_path):
    """A retry whose time came too late, or a wait whose placeholder is gone, once older
    than give_up_after (7200 s): given up and removed. Before, the retry stayed in redis
    (and in memory) for good, never due, and the wait was dialled again hours late."""
    async with on_redis(tmp_path) as (config, live):
        old = NOW - 7200
        clock = [NOW]
        callbacks, ami = desk(tmp_path, config, live, clock)
        await seed(
            live,
            booked("acd-1.1", Status.RETRY, attempts=1, due=NOW - 10, created=old),
            booked("acd-2.1", created=old),
            booked("acd-3.1", Status.RETRY, attempts=1, due=NOW + 0.05, created=old + 20),
            booked("acd-4.1"),
        )
        await callbacks.restore()
        assert await stored(live) == {"acd-3.1": "retry", "acd-4.1": "waiting"}
        clock[0] = NOW + 30  # acd-3.1's retry comes when it is too old

        async def given_up() -> bool:
            return await stored(live) == {"acd-4.1": "waiting"}

        await until(given_up)
        assert placed_ids(ami) == ["acd-4.1"] and set(callbacks.pending) == {"acd-4.1"}
