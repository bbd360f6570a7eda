"""A signed-in person's open streams (`/api/events`, the wall) live as their access, as their
sessions do: the daemon's pass over the staff table (every ROSTER_EVERY seconds, acd/service.py)
cuts them when the person is disabled, given a new password or no longer of a role that may
see them, and gives them the person's current teams when those change. The real daemon's site
on loopback, its own timer, real SSE clients signed in with Basic."""

from __future__ import annotations

import asyncio
import time

import pytest

from acd.service import Daemon
from tests.web.conftest import on_asyncio
from tests.web.sse_client import SseClient
from tests.web.test_kiosk_follow import PASS, SOFIA, daemon, elsewhere  # noqa: F401  (a fixture)
from tests.web.test_push import auth, calls

ADMIN = "9901"
BACK = {"support-2", "support-3"}  # the queues team back serves


async def events_of(made: Daemon, number: str) -> SseClient:
    client = await SseClient.open(made.config.http.port, auth(made, number))
    assert client.status == 200
    return client


async def wall_of(made: Daemon, number: str) -> SseClient:
    client = await SseClient.open(made.config.http.port, auth(made, number), path="/api/wall/events")
    assert client.status == 200
    await client.until(lambda c: len(c.messages) >= 1)
    return client


async def cut(clients: tuple[SseClient, ...]) -> float:
    """Seconds until every one of `clients` was cut off (at most PASS + 2)."""
    started = time.monotonic()
    for client in clients:
        await client.until(lambda c: c.closed, timeout=PASS + 2)
    return time.monotonic() - started


def call_ids(client: SseClient) -> set[str]:
    return {m.data["event"]["call_id"] for m in client.messages if m.event != "reset"}  # type: ignore[index]


@pytest.mark.parametrize("change", ["disabled", "new password"])
@on_asyncio
async def test_a_persons_open_streams_end_as_their_sessions_do(daemon, change):  # noqa: F811
    mine = (await events_of(daemon, SOFIA), await wall_of(daemon, SOFIA))
    others = (await events_of(daemon, ADMIN), await wall_of(daemon, ADMIN))
    if change == "disabled":
        await daemon.people.set_disabled(SOFIA, True)
    else:
        await daemon.people.set_password(SOFIA, "another password, long enough")
    assert await cut(mine) < PASS + 2
    await asyncio.sleep(PASS * 2)
    assert not any(c.closed for c in others)
    assert dict(daemon.feed.held) == {ADMIN: 1} and len(daemon.wall_feed.streams) == 1  # slots freed
    for client in (*mine, *others):
        client.close()


@on_asyncio
async def test_a_persons_open_streams_end_when_their_role_may_no_longer_see_them(daemon):  # noqa: F811
    mine = (await events_of(daemon, SOFIA), await wall_of(daemon, SOFIA))
    admin = await wall_of(daemon, ADMIN)
    elsewhere(daemon, SOFIA, role="quality")  # reviewers see neither
    assert await cut(mine) < PASS + 2
    await asyncio.sleep(PASS * 2)
    assert not admin.closed
    for client in (*mine, admin):
        client.close()


@on_asyncio
async def test_a_supervisors_open_streams_follow_them_to_another_team(daemon):  # noqa: F811
    events, wall = await events_of(daemon, SOFIA), await wall_of(daemon, SOFIA)
    calls(daemon, 0, 1, "support", "1001")  # front's
    calls(daemon, 1, 1, "support-2", "2001")  # back's
    await events.until(lambda c: len(c.messages) >= 3)
    await asyncio.sleep(0.2)
    assert call_ids(events) == {"c0"}
    elsewhere(daemon, SOFIA, teams="back")  # Sofia takes over the second line
    await wall.until(lambda c: set(c.messages[-1].data["queues"]) == BACK, timeout=PASS + 2)
    assert {a["number"] for a in wall.messages[-1].data["agents"]} == {"2001", "2002"}
    calls(daemon, 2, 1, "support", "1001")
    calls(daemon, 3, 1, "support-2", "2001")
    await events.until(lambda c: "c3" in call_ids(c))
    assert call_ids(events) == {"c0", "c3"}  # front's later call is no longer hers
    [reset] = [m for m in events.messages if m.event == "reset"]  # its state was front's: reload
    assert events.messages.index(reset) == 3
    assert not (events.closed or wall.closed)
    for client in (events, wall):
        client.close()
