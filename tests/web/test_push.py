"""Live push through the real daemon's site on loopback, read by a real HTTP client: events
flow as they are applied; a client cut off for ten seconds gets every event it missed on
reconnect, in order, none twice; a client too slow is cut off and the others go on; what each
role may see is filtered on the server (issue 10, item 5)."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest
from sqlalchemy import delete

from acd import config as config_module
from acd.core import events as ev
from acd.core.bus import Subscriber
from acd.core.feed import Calls
from acd.service import Daemon
from acd.store.db import migrate
from acd.store.models import JournalRow
from ivr import menu
from tests.web.conftest import basic, on_asyncio
from tests.web.sse_client import SseClient


def auth(made: Daemon, number: str) -> dict[str, str]:
    person = made.config.person(number) or made.config.agent(number)
    assert person is not None and person.password
    return {"Authorization": basic(number, person.password)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_daemon(tmp_path, **push) -> Daemon:
    raw = config_module.read_yaml(config_module.DEFAULT_PATH)
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    migrate(url)
    raw["store"] = {"url": url}
    raw["pbx"] = {**raw["pbx"], "state_dir": str(tmp_path / "state")}
    raw["http"] = {**raw["http"], "port": free_port()}
    raw["push"] = {**raw.get("push", {}), "heartbeat": 0.2, **push}
    raw["hashing"] = {"time_cost": 1, "memory_kib": 1024, "parallelism": 1}
    made = Daemon(config_module.parse(raw), menu.load())
    made.people.seed(made.config)  # as daemon.run does
    return made


def test_streams_can_never_hold_every_connection():
    raw = config_module.read_yaml(config_module.DEFAULT_PATH)
    raw["http"] = {**raw["http"], "max_connections": 32}
    raw["push"] = {**raw.get("push", {}), "max_streams": 32}
    with pytest.raises(config_module.ConfigError, match="push.max_streams"):
        config_module.parse(raw)


def test_a_person_holds_four_streams_by_default_and_at_least_one():
    raw = config_module.read_yaml(config_module.DEFAULT_PATH)
    assert config_module.parse(raw).push.max_per_person == 4
    raw["push"] = {**raw.get("push", {}), "max_per_person": 0}
    with pytest.raises(config_module.ConfigError, match="push.max_per_person"):
        config_module.parse(raw)


@pytest.fixture
def live(tmp_path):
    from twisted.internet import reactor

    made = make_daemon(tmp_path, max_streams=4, client_buffer=16384)
    port = reactor.listenTCP(made.config.http.port, made.site, interface="127.0.0.1")
    made.heartbeat.startService()
    yield made
    made.heartbeat.stopService()
    made.feed.stop()
    port.stopListening()
    made.directory.close()


FAT = "+49" + "3" * 1000  # a kilobyte of caller ID: the socket buffers fill in fewer events


def calls(made: Daemon, first: int, count: int, queue: str = "support", agent: str = "1001") -> None:
    """`count` calls' worth of events (joined, rung, abandoned): three events each."""
    for i in range(first, first + count):
        made.apply(ev.CallerJoined(time.time(), f"c{i}", queue, "+4930111", 1))
        made.apply(ev.AgentRung(time.time(), f"c{i}", queue, agent))
        made.apply(ev.CallerAbandoned(time.time(), f"c{i}", queue, 1.0))


@on_asyncio
async def test_strangers_and_other_roles_get_no_stream(live):
    port = live.config.http.port
    nobody = await SseClient.open(port, {})
    quality = await SseClient.open(port, auth(live, "9101"))
    bad_id = await SseClient.open(port, {**auth(live, "9901"), "Last-Event-ID": "x1"})
    head = await SseClient.open(port, auth(live, "9901"), method="HEAD")  # would hold a stream
    assert (nobody.status, quality.status, bad_id.status, head.status) == (401, 403, 400, 405)
    assert "www-authenticate" not in nobody.headers  # browsers are never asked for Basic
    for client in (nobody, quality, bad_id, head):
        client.close()
    assert live.feed.streams == set()


@on_asyncio
async def test_a_client_cut_off_for_ten_seconds_gets_every_missed_event_once_in_order(live):
    port = live.config.http.port
    first = await SseClient.open(port, auth(live, "9901"))
    assert first.status == 200 and first.headers["content-type"].startswith("text/event-stream")
    calls(live, 0, 10)
    await first.until(lambda c: len(c.ids) == 30)
    assert first.ids == list(range(1, 31))
    assert first.messages[0].event == "CallerJoined" and first.messages[0].data["event"]["call_id"] == "c0"
    first.close()  # cut off: events keep flowing for ten seconds
    deadline, n = time.monotonic() + 10, 10
    while time.monotonic() < deadline:
        calls(live, n, 1)
        n += 1
        await asyncio.sleep(0.05)
    again = await SseClient.open(port, {**auth(live, "9901"), "Last-Event-ID": "30"})
    calls(live, n, 2)  # and more while it catches up
    last = live.sequence.last
    await again.until(lambda c: c.ids and c.ids[-1] == last, timeout=10)
    assert again.ids == list(range(31, last + 1))  # every one, in order, none twice
    assert last > 30 + 3 * 100
    again.close()


@on_asyncio
async def test_the_query_parameter_resumes_too_and_a_pruned_past_is_a_reset(tmp_path):
    from twisted.internet import reactor

    made = make_daemon(tmp_path, ring=16)
    made.journal.start()
    listening = reactor.listenTCP(made.config.http.port, made.site, interface="127.0.0.1")
    try:
        calls(made, 0, 10)  # 30 events; the ring keeps 15..30
        assert made.journal.flush()
        with made.journal.engine.begin() as sql:  # the retention took the oldest
            sql.execute(delete(JournalRow).where(JournalRow.seq <= 10))
        port = made.config.http.port
        recent = await SseClient.open(port, auth(made, "9901"), "/api/events?last_event_id=20")
        pruned = await SseClient.open(port, {**auth(made, "9901"), "Last-Event-ID": "3"})
        future = await SseClient.open(
            port, {**auth(made, "9901"), "Last-Event-ID": "999"}
        )  # another numbering
        await recent.until(lambda c: len(c.ids) == 10)
        await pruned.until(lambda c: c.messages)
        await future.until(lambda c: c.messages)
        assert recent.ids == list(range(21, 31))
        for client in (pruned, future):
            assert (client.messages[0].event, client.messages[0].id) == ("reset", "30")
        calls(made, 10, 1)
        await pruned.until(lambda c: len(c.messages) == 4)
        assert pruned.ids == [31, 32, 33]  # after the reset, live
        for client in (recent, pruned, future):
            client.close()
    finally:
        made.journal.close()
        made.feed.stop()
        listening.stopListening()
        made.directory.close()


@on_asyncio
async def test_what_the_ring_forgot_comes_from_the_journal_store(tmp_path):
    from twisted.internet import reactor

    made = make_daemon(tmp_path, ring=16, replay_page=7)
    journal = made.journal  # the daemon's own: its bus's first subscriber, the feed's past
    journal.start()
    listening = reactor.listenTCP(made.config.http.port, made.site, interface="127.0.0.1")
    try:
        calls(made, 0, 20)  # 60 events; the ring keeps 45..60
        assert journal.flush()  # on disk: read back through SQL
        client = await SseClient.open(made.config.http.port, {**auth(made, "9901"), "Last-Event-ID": "4"})
        calls(made, 20, 1)
        await client.until(lambda c: c.ids and c.ids[-1] == 63)
        assert client.ids == list(range(5, 64))
        client.close()
    finally:
        journal.close()
        made.feed.stop()
        listening.stopListening()
        made.directory.close()


@on_asyncio
async def test_a_supervisor_resuming_from_the_journal_sees_their_calls_whole(tmp_path):
    """Old events that name only a call are scoped by that call's earlier events in the
    journal, though the live map of calls forgot it long ago."""
    from twisted.internet import reactor

    made = make_daemon(tmp_path, ring=16)
    made.feed.calls = Calls(capacity=2)
    journal = made.journal  # the daemon's own: its bus's first subscriber, the feed's past
    journal.start()
    listening = reactor.listenTCP(made.config.http.port, made.site, interface="127.0.0.1")
    try:
        calls(made, 0, 1, "support-2", "2001")  # Tomas's team
        made.apply(ev.ChannelHungUp(time.time(), "u0", "PJSIP/trunk-0", "c0"))  # names only the call
        calls(made, 1, 20)  # Sofia's: the ring and the live map move on
        assert journal.flush()
        tomas = await SseClient.open(made.config.http.port, {**auth(made, "9002"), "Last-Event-ID": "0"})
        made.apply(ev.ResyncStarted(time.time()))  # neutral: the sign that the backlog is done
        await tomas.until(lambda c: any(m.event == "ResyncStarted" for m in c.messages))
        assert tomas.ids == [1, 2, 3, 4, made.sequence.last]
        assert tomas.messages[3].event == "ChannelHungUp"
        tomas.close()
    finally:
        journal.close()
        made.feed.stop()
        listening.stopListening()
        made.directory.close()


@on_asyncio
async def test_an_event_applied_inside_another_s_delivery_keeps_its_place(live):
    """A subscriber ahead of the push applies an event of its own there and then (as an
    adapter may): the push gets the later number first, the client reads them in order."""

    def react(event: ev.Event) -> None:
        if isinstance(event, ev.CallerJoined):
            live.apply(ev.CallerAnnounced(time.time(), event.call_id, 1, None))

    live.bus._subscribers.insert(0, Subscriber("reacts", react, None, takes_entry=False))
    live.bus.changed()
    client = await SseClient.open(live.config.http.port, auth(live, "9901"))
    calls(live, 0, 2)
    await client.until(lambda c: len(c.ids) == 8)
    assert client.ids == list(range(1, 9))
    assert [m.event for m in client.messages[:4]] == [
        "CallerJoined",
        "CallerAnnounced",
        "AgentRung",
        "CallerAbandoned",
    ]
    again = await SseClient.open(live.config.http.port, {**auth(live, "9901"), "Last-Event-ID": "0"})
    await again.until(lambda c: len(c.ids) == 8)
    assert again.ids == list(range(1, 9))  # the ring kept them in order too
    client.close()
    again.close()


@on_asyncio
async def test_a_supervisor_sees_only_their_teams_events(live):
    port = live.config.http.port
    tomas = await SseClient.open(port, auth(live, "9002"))
    admin = await SseClient.open(port, auth(live, "9901"))
    live.apply(ev.ResyncStarted(time.time()))
    calls(live, 0, 1, "support", "1001")  # Sofia's team and queue: not Tomas's
    calls(live, 1, 1, "support-2", "2001")  # Tomas's
    live.apply(ev.ChannelHungUp(time.time(), "u9", "PJSIP/x", "c1"))  # names only the call
    live.apply(ev.CallbackDialled(time.time(), "cb1", "ANSWER"))  # names nobody: admins only
    await admin.until(lambda c: len(c.ids) == 9)
    await tomas.until(lambda c: len(c.ids) == 5)
    assert [m.event for m in tomas.messages] == [
        "ResyncStarted",
        "CallerJoined",
        "AgentRung",
        "CallerAbandoned",
        "ChannelHungUp",
    ]
    assert {m.data["event"].get("call_id") for m in tomas.messages} == {None, "c1"}
    tomas.close()
    admin.close()


@on_asyncio
async def test_a_client_too_slow_is_cut_off_and_the_others_go_on(live):
    port = live.config.http.port
    slow = socket.socket()
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.connect(("127.0.0.1", port))
    signed = auth(live, "9901")["Authorization"]
    slow.sendall(
        f"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: {signed}\r\n\r\n".encode()
    )
    reader = await SseClient.open(port, auth(live, "9901"))
    try:
        await reader.until(lambda c: c.comments or c.messages)
        assert len(live.feed.streams) == 2
        n = 0
        while live.feed.counts["too_slow"] == 0 and n < 20000:
            for i in range(n, n + 100):  # the push alone (the bus's last subscriber), fat events
                live.feed.publish(
                    live.sequence.next(ev.CallerJoined(time.time(), f"c{i}", "support", FAT, 1))
                )
            n += 100
            await asyncio.sleep(0.01)
        assert live.feed.counts["too_slow"] == 1 and len(live.feed.streams) == 1
        calls(live, n, 1)
        last = live.sequence.last
        await reader.until(lambda c: c.ids and c.ids[-1] == last, timeout=20)
        assert reader.ids == list(range(1, last + 1))
        [kept] = live.feed.streams
        assert kept.queued_bytes <= live.config.push.client_buffer
    finally:
        slow.close()
        reader.close()


@on_asyncio
async def test_heartbeats_and_a_cap_on_streams(live):
    port = live.config.http.port
    clients = [await SseClient.open(port, auth(live, "9901")) for _ in range(4)]
    refused = await SseClient.open(port, auth(live, "9901"))
    assert refused.status == 503 and "retry-after" in refused.headers
    await refused.until(lambda c: c.body.endswith(b"}"))
    assert json.loads(refused.body)["reason"] == "full"  # the page words it (static/desk.js)
    await clients[0].until(lambda c: c.comments >= 2, timeout=3)  # heartbeat every 0.2 s here
    assert (await SseClient.open(port, {})).status == 401  # the rest of the site still answers
    for client in clients:
        client.close()
    refused.close()


async def settled(probe, timeout: float = 5.0) -> None:
    """Wait until `probe()` holds: the server learns of a client's close a moment later."""
    deadline = time.monotonic() + timeout
    while not probe():
        assert time.monotonic() < deadline, "never settled"
        await asyncio.sleep(0.02)


@on_asyncio
async def test_one_person_cannot_take_every_stream(tmp_path):
    """An agent's many tabs (or a script) hold at most push.max_per_person streams: the next is
    refused with the reason, a supervisor still gets in, and a stream closed frees its slot."""
    from twisted.internet import reactor

    made = make_daemon(tmp_path, max_streams=4, max_per_person=2)
    listening = reactor.listenTCP(made.config.http.port, made.site, interface="127.0.0.1")
    port = made.config.http.port
    try:
        held = [await SseClient.open(port, auth(made, "1001")) for _ in range(2)]
        refused = await SseClient.open(port, auth(made, "1001"))
        assert [c.status for c in held] == [200, 200]
        assert refused.status == 429 and "retry-after" in refused.headers
        assert refused.phrase == "Too Many Requests"  # not twisted's "Unknown Status"
        await refused.until(lambda c: b"max_per_person" in c.body)
        assert {**json.loads(refused.body), "error": ""} == {"error": "", "reason": "per_person", "limit": 2}
        supervisor = await SseClient.open(port, auth(made, "9001"))
        assert supervisor.status == 200
        held[0].close()
        await settled(lambda: len(made.feed.streams) == 2)
        again = await SseClient.open(port, auth(made, "1001"))
        assert again.status == 200
        for client in (*held, refused, supervisor, again):
            client.close()
    finally:
        made.feed.stop()
        listening.stopListening()
        made.directory.close()
