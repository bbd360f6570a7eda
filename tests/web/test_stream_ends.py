"""Open streams end at once when their access ends on purpose, not at the daemon's next read of
the staff table: an admin disabling a person or setting their password at /admin/staff cuts
that person's `/api/events` streams and signed-in walls (and a disabled maker's kiosk walls),
and signing out cuts the streams that session opened, only those. A session that merely expires
leaves its streams open (desks listen only to the stream). The real daemon's site on loopback,
its staff-table timer at 60 s, real SSE clients and browsers signed in with the form."""

from __future__ import annotations

import asyncio

import pytest
from twisted.application.internet import TimerService

from acd import service
from acd.service import Daemon
from tests.web.conftest import Web, on_asyncio
from tests.web.sse_client import SseClient
from tests.web.test_kiosk_follow import SOFIA, kiosk_of
from tests.web.test_kiosk_follow import wall_of as kiosk_wall
from tests.web.test_pages import Browser
from tests.web.test_push import make_daemon
from tests.web.test_stream_follow import ADMIN, events_of, wall_of

TICK = 60.0  # the staff table's passes: far longer than any wait here
SOON = 1.0  # seconds an ended stream may take to close


@pytest.fixture
def slow(tmp_path, monkeypatch):
    from twisted.internet import reactor

    monkeypatch.setattr(service, "ROSTER_EVERY", TICK)
    made = make_daemon(tmp_path)
    listening = reactor.listenTCP(made.config.http.port, made.site, interface="127.0.0.1")
    [passes] = [s for s in made if isinstance(s, TimerService) and s.call[0] == made._roster_tick]
    passes.startService()  # one pass now, the next in a minute
    yield made
    passes.stopService()
    made.feed.stop()
    made.wall_feed.stop()
    listening.stopListening()
    made.directory.close()


async def browser_of(made: Daemon, number: str) -> Browser:
    """`number` signed in with the form: a cookie session of its own, and its CSRF token."""
    person = made.config.person(number)
    assert person is not None and person.password
    browser = Browser(Web(made.config.http.port, made.site, made.login, made.config.http))
    assert (await browser.sign_in(number, person.password)).status == 303
    await browser.get("/admin/staff")  # the admin's page, or a 403 page: both carry the token
    assert browser.csrf
    return browser


async def cookie_events(made: Daemon, browser: Browser) -> SseClient:
    client = await SseClient.open(made.config.http.port, browser.headers())
    assert client.status == 200
    return client


async def cookie_wall(made: Daemon, browser: Browser) -> SseClient:
    client = await SseClient.open(made.config.http.port, browser.headers(), path="/api/wall/events")
    assert client.status == 200
    await client.until(lambda c: len(c.messages) >= 1)
    return client


async def ended_soon(clients: tuple[SseClient, ...]) -> None:
    for client in clients:
        await client.until(lambda c: c.closed, timeout=SOON)


def close(*clients: SseClient) -> None:
    for client in clients:
        client.close()


@pytest.mark.parametrize("action", ["disable", "password"])
@on_asyncio
async def test_an_admins_change_at_admin_staff_ends_the_persons_open_streams_at_once(slow, action):
    admin, sofia = await browser_of(slow, ADMIN), await browser_of(slow, SOFIA)
    mine = (await events_of(slow, SOFIA), await wall_of(slow, SOFIA), await cookie_events(slow, sofia))
    kiosk = await kiosk_wall(slow, await kiosk_of(slow, SOFIA))
    others = (await events_of(slow, ADMIN), await cookie_wall(slow, admin))
    fields = {"number": SOFIA} | ({"password": "a new one, long enough"} if action == "password" else {})
    assert (await admin.post(f"/admin/staff/{action}", fields)).status == 303
    await ended_soon(mine + ((kiosk,) if action == "disable" else ()))
    await asyncio.sleep(0.3)
    assert not any(c.closed for c in others)
    assert kiosk.closed == (action == "disable")  # a new password leaves the maker's links theirs
    assert dict(slow.feed.held) == {ADMIN: 1} and slow.wall_feed.held_by(SOFIA) == 0  # slots freed
    close(*mine, kiosk, *others)


@on_asyncio
async def test_signing_out_ends_the_streams_that_session_opened_and_only_those(slow):
    one, two = await browser_of(slow, SOFIA), await browser_of(slow, SOFIA)
    first = (await cookie_events(slow, one), await cookie_wall(slow, one))
    second = (await cookie_events(slow, two), await cookie_wall(slow, two))
    script = await events_of(slow, SOFIA)  # Basic: no session to sign out of
    assert (await one.post("/signout", {})).status == 303
    await ended_soon(first)
    await asyncio.sleep(0.3)
    assert not any(c.closed for c in (*second, script))
    assert slow.feed.held[SOFIA] == 2 and len(slow.wall_feed.streams) == 1
    close(*first, *second, script)


@on_asyncio
async def test_a_session_that_expires_leaves_its_streams_open(slow):
    sofia = await browser_of(slow, SOFIA)
    streams = (await cookie_events(slow, sofia), await cookie_wall(slow, sofia))
    sessions = slow.login.sessions
    later = sessions.clock() + slow.config.http.session_idle + 1
    sessions.clock = lambda: later  # idle past http.session_idle
    sessions.sweep()
    assert sessions.records == {}
    await asyncio.sleep(0.3)
    assert not any(c.closed for c in streams)  # the desk hears on; its next request signs in again
    close(*streams)
