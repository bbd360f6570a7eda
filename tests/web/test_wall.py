"""The wallboard over HTTP: one snapshot per audience, encoded once for every wall, coalesced,
resumed by Last-Event-ID without a lost or doubled state; and who may see what."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from acd.core import events as ev
from tests.web.conftest import LOADED, basic, on_asyncio
from tests.web.sse_client import SseClient
from tests.web.wall_site import WallSite, served

ADMIN, SUPERVISOR_FRONT, QUALITY = "9901", "9001", "9101"


@pytest.fixture
def wall(tmp_path):
    yield from served(LOADED, tmp_path)


@pytest.fixture
def crowded(tmp_path):
    """A site where one person may hold every wall (the fan-out and max_viewers tests open
    more walls than wallboard.max_per_person lets one person hold)."""
    walls = LOADED.wallboard.model_copy(update={"max_per_person": LOADED.wallboard.max_viewers})
    config = LOADED.model_copy(update={"wallboard": walls})
    yield from served(config, tmp_path)


def joined(call: str, queue: str = "support", number: str = "0301234") -> ev.CallerJoined:
    return ev.CallerJoined(time.time(), call, queue, number, 1)


async def walls(site: WallSite, n: int, who: str = ADMIN, **headers: str) -> list[SseClient]:
    opened = [
        await SseClient.open(site.port, {"Authorization": basic(who), **headers}, path="/api/wall/events")
        for _ in range(n)
    ]
    for client in opened:
        assert client.status == 200, client.headers
        await client.until(lambda c: len(c.messages) >= 1)
    return opened


@on_asyncio
async def test_a_wall_opens_on_the_current_state_with_its_sequence_number(wall):
    wall.apply(joined("c1"))
    (client,) = await walls(wall, 1)
    first = client.messages[0]
    assert first.event == "wall" and first.id == "1"
    assert first.data["queues"]["support"]["waiting"] == 1
    assert client.headers["cache-control"] == "no-store"
    client.close()


@on_asyncio
async def test_many_walls_get_one_snapshot_made_and_encoded_once_per_change(crowded):
    wall = crowded
    clients = await walls(wall, 12)
    made = wall.feed.counts["snapshots"]
    wall.apply(joined("c1"))
    for client in clients:
        await client.until(lambda c: len(c.messages) >= 2)
    assert wall.feed.counts["snapshots"] == made + 1
    assert len({repr(c.messages[1]) for c in clients}) == 1
    for client in clients:
        client.close()


@on_asyncio
async def test_a_burst_of_events_is_coalesced_into_a_few_snapshots(wall):
    (client,) = await walls(wall, 1)
    for i in range(200):
        wall.apply(joined(f"c{i}"))
    await client.until(lambda c: c.messages[-1].data["queues"]["support"]["offered"] == 200)
    await asyncio.sleep(0.3)
    assert len(client.messages) <= 3  # the opening one, then at most 4 a second
    assert client.messages[-1].id == "200"
    client.close()


@on_asyncio
async def test_a_reconnect_gets_the_state_it_lacks_and_nothing_it_has(wall):
    (client,) = await walls(wall, 1)
    last = client.messages[-1].id
    client.close()
    again = await SseClient.open(
        wall.port, {"Authorization": basic(ADMIN), "Last-Event-ID": last}, path="/api/wall/events"
    )
    await asyncio.sleep(0.3)
    assert again.messages == []  # it has this state: not sent twice
    wall.apply(joined("c1"))
    await again.until(lambda c: len(c.messages) == 1)
    assert again.messages[0].data["queues"]["support"]["offered"] == 1
    again.close()
    wall.apply(joined("c2"))
    behind = await SseClient.open(
        wall.port,
        {"Authorization": basic(ADMIN), "Last-Event-ID": again.messages[0].id},
        path="/api/wall/events",
    )
    await behind.until(lambda c: len(c.messages) == 1)
    assert behind.messages[0].data["queues"]["support"]["offered"] == 2  # what it missed, as state
    assert behind.messages[0].id == "2"
    behind.close()


@on_asyncio
async def test_a_supervisor_sees_their_teams_queues_and_agents_only(wall):
    wall.apply(joined("c1", "support-2"), joined("c2", "support"))
    (client,) = await walls(wall, 1, who=SUPERVISOR_FRONT)
    data = client.messages[0].data
    assert set(data["queues"]) == {"support", "sales"}  # front and sales serve these
    assert {a["number"] for a in data["agents"]} == {"1001", "1002", "1003", "1004", "2003"}
    assert data["lines"]["all"]["offered"] == 1 and data["controls"] is True
    client.close()
    (admin,) = await walls(wall, 1)
    assert admin.messages[0].data["lines"]["all"]["offered"] == 2
    assert admin.messages[0].data["controls"] is False  # listening in is for supervisors
    admin.close()


@on_asyncio
async def test_nobody_else_sees_the_wall(wall):
    anonymous = await SseClient.open(wall.port, {}, path="/api/wall/events")
    assert anonymous.status == 401
    quality = await SseClient.open(wall.port, {"Authorization": basic(QUALITY)}, path="/api/wall/events")
    assert quality.status == 403
    bad = await SseClient.open(
        wall.port, {"Authorization": basic(ADMIN), "Last-Event-ID": "x"}, path="/api/wall/events"
    )
    assert bad.status == 400
    for client in (anonymous, quality, bad):
        client.close()


@on_asyncio
async def test_past_max_viewers_a_wall_is_refused(crowded):
    wall = crowded
    clients = await walls(wall, LOADED.wallboard.max_viewers)
    extra = await SseClient.open(wall.port, {"Authorization": basic(ADMIN)}, path="/api/wall/events")
    assert extra.status == 503 and extra.headers["retry-after"] == "10"
    await extra.until(lambda c: c.body.endswith(b"}"))
    assert json.loads(extra.body)["reason"] == "full"  # the page words it (static/wall.js)
    for client in [*clients, extra]:
        client.close()


@on_asyncio
async def test_the_snapshot_as_json_too(wall):
    from tests.web.conftest import read_answer

    wall.apply(joined("c1"))
    reader, writer = await asyncio.open_connection("127.0.0.1", wall.port)
    writer.write(
        f"GET /api/wall HTTP/1.1\r\nHost: 127.0.0.1:{wall.port}\r\nAuthorization: {basic(ADMIN)}\r\n"
        "Connection: close\r\n\r\n".encode()
    )
    found = await read_answer(reader)
    writer.close()
    import json

    assert found.status == 200 and json.loads(found.body)["queues"]["support"]["offered"] == 1


async def call(
    site: WallSite, method: str, path: str, who: str | None, body: bytes = b""
) -> tuple[int, dict]:
    import json

    from tests.web.conftest import read_answer

    reader, writer = await asyncio.open_connection("127.0.0.1", site.port)
    host = f"127.0.0.1:{site.port}"
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    if who is not None:
        lines.append(f"Authorization: {basic(who)}")
    if method == "POST":
        lines += ["Content-Type: application/json", f"Origin: http://{host}", f"Content-Length: {len(body)}"]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    found = await read_answer(reader)
    writer.close()
    return found.status, json.loads(found.body) if found.body else {}


@on_asyncio
async def test_a_kiosk_link_shows_its_makers_wall_without_callers_numbers_until_revoked(wall):
    wall.apply(joined("c1", "support", number="03099887766"), joined("c2", "support-2"))
    status, made = await call(wall, "POST", "/api/wall/kiosks", SUPERVISOR_FRONT, b'{"label": "hall TV"}')
    assert status == 201 and made["url"] == "/kiosk/" + made["token"] and len(made["token"]) == 43
    kiosk = await SseClient.open(wall.port, {}, path=f"/api/wall/events?kiosk={made['token']}")
    await kiosk.until(lambda c: len(c.messages) == 1)
    data = kiosk.messages[0].data
    assert set(data["queues"]) == {"support", "sales"} and data["kiosk"] is True and data["controls"] is False
    assert "03099887766" not in json.dumps(data)
    assert data["queues"]["support"]["callers"] == [
        {"waited": data["queues"]["support"]["callers"][0]["waited"]}
    ]
    status, listed = await call(wall, "GET", "/api/wall/kiosks", SUPERVISOR_FRONT)
    assert [k["label"] for k in listed["kiosks"]] == ["hall TV"] and "token" not in listed["kiosks"][0]
    assert (await call(wall, "POST", f"/api/wall/kiosks/{made['id']}/revoke", "9002"))[0] == 404  # not his
    status, _ = await call(wall, "POST", f"/api/wall/kiosks/{made['id']}/revoke", SUPERVISOR_FRONT)
    assert status == 200
    await kiosk.until(lambda c: c.closed)  # cut off at once
    again = await SseClient.open(wall.port, {}, path=f"/api/wall/events?kiosk={made['token']}")
    assert again.status == 403
    again.close()


@on_asyncio
async def test_a_made_up_kiosk_token_opens_nothing(wall):
    for token in ["x" * 43, "short", "%3Cscript%3E"]:
        client = await SseClient.open(wall.port, {}, path=f"/api/wall/events?kiosk={token}")
        assert client.status == 403
        client.close()
    assert (await call(wall, "POST", "/api/wall/kiosks", QUALITY, b"{}"))[0] == 403
    assert (await call(wall, "POST", "/api/wall/kiosks", None, b"{}"))[0] == 401
    assert (await call(wall, "POST", "/api/wall/kiosks", ADMIN, b'{"label": "a\\nb\\u0000"}'))[0] == 400


async def kiosk_walls(site: WallSite, token: str, n: int) -> list[SseClient]:
    return [await SseClient.open(site.port, {}, path=f"/api/wall/events?kiosk={token}") for _ in range(n)]


@on_asyncio
async def test_one_kiosk_link_cannot_take_every_wall(wall):
    """Whoever holds a link opens at most wallboard.max_per_kiosk walls with it: the next is
    refused with the reason, another link still opens, and a wall closed frees its slot."""
    cap = LOADED.wallboard.max_per_kiosk
    assert cap < LOADED.wallboard.max_viewers - 1
    _, hall = await call(wall, "POST", "/api/wall/kiosks", SUPERVISOR_FRONT, b'{"label": "hall"}')
    _, lobby = await call(wall, "POST", "/api/wall/kiosks", ADMIN, b'{"label": "lobby"}')
    held = await kiosk_walls(wall, hall["token"], cap)
    assert [c.status for c in held] == [200] * cap
    (refused,) = await kiosk_walls(wall, hall["token"], 1)
    assert refused.status == 429 and "retry-after" in refused.headers
    await refused.until(lambda c: b"max_per_kiosk" in c.body)
    assert {**json.loads(refused.body), "error": ""} == {"error": "", "reason": "per_kiosk", "limit": cap}
    (other,) = await kiosk_walls(wall, lobby["token"], 1)
    assert other.status == 200
    held[0].close()
    deadline = time.monotonic() + 5
    while len(wall.feed.streams) > cap:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    (again,) = await kiosk_walls(wall, hall["token"], 1)
    assert again.status == 200
    for client in (*held, refused, other, again):
        client.close()


@on_asyncio
async def test_one_person_cannot_take_every_wall(wall):
    """A signed-in person opens at most wallboard.max_per_person walls: the next is refused
    with the reason, someone else still opens one, their kiosk link's walls are the link's
    own count, and a wall closed frees its slot."""
    cap = LOADED.wallboard.max_per_person
    assert cap < LOADED.wallboard.max_viewers - 2
    held = await walls(wall, cap, who=SUPERVISOR_FRONT)
    refused = await SseClient.open(
        wall.port, {"Authorization": basic(SUPERVISOR_FRONT)}, path="/api/wall/events"
    )
    assert refused.status == 429 and "retry-after" in refused.headers
    await refused.until(lambda c: b"max_per_person" in c.body)
    assert {**json.loads(refused.body), "error": ""} == {"error": "", "reason": "per_person", "limit": cap}
    (other,) = await walls(wall, 1, who=ADMIN)
    _, hall = await call(wall, "POST", "/api/wall/kiosks", SUPERVISOR_FRONT, b'{"label": "hall"}')
    (screen,) = await kiosk_walls(wall, hall["token"], 1)
    assert screen.status == 200
    held[0].close()
    deadline = time.monotonic() + 5
    while len(wall.feed.streams) > cap + 1:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    (again,) = await walls(wall, 1, who=SUPERVISOR_FRONT)
    for client in (*held, refused, other, screen, again):
        client.close()
