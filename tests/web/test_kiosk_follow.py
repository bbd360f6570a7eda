"""A kiosk link lives as its maker's access, on the walls already open too: the daemon's pass over
the staff table (every ROSTER_EVERY seconds, acd/service.py) cuts them when the maker may no
longer share the wall and shows the maker's current teams when those change. The real daemon's
site on loopback, its own timer, a real SSE client."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time

import pytest
from twisted.application.internet import TimerService

from acd import service
from acd.service import Daemon
from acd.store import staff
from tests.web.conftest import on_asyncio, read_answer
from tests.web.sse_client import SseClient
from tests.web.test_push import auth, make_daemon

SOFIA = "9001"  # supervisor of front and sales
PASS = 0.2  # seconds between the staff table's passes here (the daemon's: ROSTER_EVERY)


@pytest.fixture
def daemon(tmp_path, monkeypatch):
    from twisted.internet import reactor

    monkeypatch.setattr(service, "ROSTER_EVERY", PASS)
    made = make_daemon(tmp_path)
    listening = reactor.listenTCP(made.config.http.port, made.site, interface="127.0.0.1")
    [passes] = [s for s in made if isinstance(s, TimerService) and s.call[0] == made._roster_tick]
    passes.startService()
    yield made
    passes.stopService()
    made.wall_feed.stop()
    listening.stopListening()
    made.directory.close()


async def kiosk_of(made: Daemon, number: str) -> str:
    """A kiosk link `number` makes through the API; its token."""
    port = made.config.http.port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = b'{"label": "hall TV"}'
    head = [
        "POST /api/wall/kiosks HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Origin: http://127.0.0.1:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *(f"{k}: {v}" for k, v in auth(made, number).items()),
    ]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    found = await read_answer(reader)
    writer.close()
    assert found.status == 201, found.body
    return str(json.loads(found.body)["token"])


async def wall_of(made: Daemon, token: str) -> SseClient:
    client = await SseClient.open(made.config.http.port, {}, path=f"/api/wall/events?kiosk={token}")
    assert client.status == 200
    await client.until(lambda c: len(c.messages) >= 1)
    return client


@on_asyncio
async def test_an_open_kiosk_wall_is_cut_when_its_maker_is_disabled(daemon):
    kiosk = await wall_of(daemon, await kiosk_of(daemon, SOFIA))
    await daemon.people.set_disabled(SOFIA, True)
    started = time.monotonic()
    await kiosk.until(lambda c: c.closed, timeout=PASS + 2)
    assert kiosk.closed and time.monotonic() - started < PASS + 2
    assert daemon.wall_feed.streams == {}
    kiosk.close()


@on_asyncio
async def test_an_open_kiosk_wall_is_cut_when_its_maker_is_no_longer_a_supervisor(daemon):
    kiosk = await wall_of(daemon, await kiosk_of(daemon, SOFIA))
    other = await wall_of(daemon, await kiosk_of(daemon, "9002"))  # another maker's: stays
    elsewhere(daemon, SOFIA, role="quality")
    await kiosk.until(lambda c: c.closed, timeout=PASS + 2)
    await asyncio.sleep(PASS * 2)
    assert kiosk.closed and not other.closed
    for client in (kiosk, other):
        client.close()


@on_asyncio
async def test_a_kiosk_wall_follows_its_maker_to_another_team(daemon):
    token = await kiosk_of(daemon, SOFIA)
    kiosk = await wall_of(daemon, token)
    assert set(kiosk.messages[0].data["queues"]) == {"support", "sales"}
    elsewhere(daemon, SOFIA, teams="back")  # Sofia takes over the second line
    back = {"support-2", "support-3"}
    await kiosk.until(lambda c: set(c.messages[-1].data["queues"]) == back, timeout=PASS + 2)
    agents = {a["number"] for a in kiosk.messages[-1].data["agents"]}
    assert agents == {"2001", "2002"} and not kiosk.closed
    again = await wall_of(daemon, token)  # a new wall of the link: the same, current teams
    assert set(again.messages[0].data["queues"]) == back
    for client in (kiosk, again):
        client.close()


def elsewhere(made: Daemon, number: str, **values: object) -> None:
    """A change to the staff table made by another process (`acd staff`): the daemon learns of
    it on its next pass."""
    with made.people.sessions.begin() as session:
        staff.change(session, number, dt.datetime.now(dt.UTC), False, **values)
