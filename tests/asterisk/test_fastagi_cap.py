"""The FastAGI listener's connection caps, over real loopback sockets: a session over
`max_connections` is closed unread, an unauthenticated crowd past `max_unauthenticated`
loses its oldest (never the call that just came), a flood writes one security line per
window, and every way a session ends gives its slot back."""

from __future__ import annotations

import asyncio

import pytest

from acd import config as config_module
from acd import security_log
from acd.asterisk.agi_routes import Routes
from acd.asterisk.fastagi import FastAgiService
from acd.config import FastAgi
from acd.core import events as ev
from acd.speech import SpeechCache
from acd.store import db
from acd.store.directory import Directory
from ivr import menu
from tests.asterisk.test_fastagi import TOKEN, asterisk, free_port, good_call_works, headers, on_asyncio


@pytest.fixture
def security(tmp_path):
    """The security log's lines so far (read on call)."""
    path = tmp_path / "security.log"
    security_log.open_file(path)
    yield lambda: path.read_text().splitlines()
    security_log.close_file()


@pytest.fixture
def capped(tmp_path):
    """A FastAGI service with the real routes and caps small enough to reach; call it with
    the caps. Its header timeout is long, so a close "at once" is not the timeout's."""
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    db.migrate(url)
    directory = Directory(url)
    made: list[FastAgiService] = []

    async def make(most: int, unauthenticated: int, header_timeout: float = 5.0) -> FastAgiService:
        received: list[ev.Event] = []
        routes = Routes(config_module.load(), received.append, directory, SpeechCache(tmp_path), menu.load())
        settings = FastAgi(
            port=free_port(),
            header_timeout=header_timeout,
            token=TOKEN,
            max_connections=most,
            max_unauthenticated=unauthenticated,
        )
        service = FastAgiService(settings, routes.table())
        service.received = received
        made.append(service)
        await service.listen().asFuture(asyncio.get_event_loop())
        return service

    yield make
    for service in made:
        service.stopService()
    directory.close()


async def held_session(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """An authenticated session mid-route: its first command is read and never answered."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(headers())
    await asyncio.wait_for(reader.readline(), 2)
    return reader, writer


async def closed(reader: asyncio.StreamReader, within: float = 1.0) -> bool:
    """Closed by the server within `within` s: an end of stream, or a reset when it closed
    with our bytes unread (the kernel's answer to unread data)."""
    try:
        return await asyncio.wait_for(reader.read(), within) == b""
    except ConnectionResetError:
        return True


async def settled(service: FastAgiService, open_: int, unauthenticated: int = 0) -> None:
    for _ in range(100):
        if (service.gate.open, len(service.gate.waiting)) == (open_, unauthenticated):
            return
        await asyncio.sleep(0.02)
    assert (service.gate.open, len(service.gate.waiting)) == (open_, unauthenticated)


@on_asyncio
async def test_a_connection_over_the_cap_is_closed_unread_and_a_freed_slot_serves_again(capped, security):
    service = await capped(most=3, unauthenticated=3)
    held = [await held_session(service.config.port) for _ in range(3)]
    await settled(service, 3)
    reader, writer = await asyncio.open_connection("127.0.0.1", service.config.port)
    writer.write(headers(agi_uniqueid="acd-4.4"))  # sent, but never read
    assert await closed(reader)  # at once: not the 5 s header timeout
    writer.close()
    assert "acd-4.4" not in [e.call_id for e in service.received]
    [line] = [line for line in security() if "FastAgiTooManyConnections" in line]
    assert 'Service="fastagi"' in line and 'Open="3"' in line and 'Limit="3"' in line
    held[0][1].close()
    await settled(service, 2)
    await good_call_works(service)
    for _, w in held[1:]:
        w.close()
    await settled(service, 0)


@on_asyncio
async def test_a_crowd_without_the_token_cannot_keep_a_call_out(capped, security):
    """Idle connects fill the unauthenticated slots: the oldest goes, the call is served."""
    service = await capped(most=10, unauthenticated=4)
    idle = [await asyncio.open_connection("127.0.0.1", service.config.port) for _ in range(4)]
    await settled(service, 4, 4)
    await good_call_works(service)
    assert await closed(idle[0][0])  # the oldest was dropped
    await settled(service, 3, 3)
    [line] = [line for line in security() if "FastAgiTooManyUnauthenticated" in line]
    assert 'Limit="4"' in line
    for _, w in idle:
        w.close()
    await settled(service, 0)


@on_asyncio
async def test_a_flood_writes_one_line_per_window_with_the_count(capped, security):
    service = await capped(most=2, unauthenticated=2)
    service.gate.over.window = 0.3
    held = [await held_session(service.config.port) for _ in range(2)]
    for _ in range(20):
        reader, writer = await asyncio.open_connection("127.0.0.1", service.config.port)
        assert await closed(reader)
        writer.close()
    assert len([line for line in security() if "TooMany" in line]) == 1
    await asyncio.sleep(0.5)
    lines = [line for line in security() if "TooMany" in line]
    assert len(lines) == 2 and 'Refused="1"' in lines[0] and 'Refused="19"' in lines[1]
    await asyncio.sleep(0.4)
    assert len([line for line in security() if "TooMany" in line]) == 2  # quiet: no line
    for _, w in held:
        w.close()
    await settled(service, 0)


@on_asyncio
async def test_every_way_a_session_ends_gives_its_slot_back(capped):
    """Timeout, bad token, bad headers, an unknown route, a hangup and a normal end."""
    service = await capped(most=20, unauthenticated=20, header_timeout=0.3)
    port = service.config.port
    silent = await asyncio.open_connection("127.0.0.1", port)  # the header timeout ends it
    for payload in (
        headers(agi_network_script="acd/enter"),
        b"agi_uniqueid: acd-1.1\n\n",
        headers(agi_network_script=f"{TOKEN}/no/such/route"),
    ):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(payload)
        assert await asyncio.wait_for(reader.read(), 2) == b""
        writer.close()
    await asterisk(port, headers(), answer=b"HANGUP\n")
    await good_call_works(service)
    reader, writer = await held_session(port)
    writer.close()  # the caller goes mid-route
    assert await asyncio.wait_for(silent[0].read(), 2) == b""
    silent[1].close()
    await settled(service, 0)


def test_the_caps_are_checked_like_their_neighbours():
    with pytest.raises(ValueError, match="max_unauthenticated"):
        FastAgi(token=TOKEN, max_connections=10, max_unauthenticated=11)
    with pytest.raises(ValueError, match="max_connections"):
        FastAgi(token=TOKEN, max_connections=0)
    assert (FastAgi(token=TOKEN).max_connections, FastAgi(token=TOKEN).max_unauthenticated) == (300, 32)
