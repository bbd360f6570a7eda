"""Events from both doors go through the one table: an AMI event and an event a FastAGI route
raises each reach every subscriber, a subscriber that raises stops none of the others, and a
route's event is applied after its side effects on the call (issue 10, item 2).

The route runs on the daemon's real FastAGI server over loopback, answered by a scripted
res_agi client; the AMI event enters where panoramisk hands the daemon a message.
"""

from __future__ import annotations

import asyncio
import socket

import pytest_twisted
from panoramisk.message import Message
from twisted.logger import globalLogPublisher

from acd import config as config_module
from acd.asterisk import channel_vars as var
from acd.core import events as ev
from acd.core.bus import Bus
from acd.service import Daemon
from acd.store.db import migrate
from ivr import menu


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def daemon(tmp_path) -> Daemon:
    raw = config_module.read_yaml(config_module.DEFAULT_PATH)
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    migrate(url)
    raw["store"] = {"url": url}
    raw["pbx"] = {**raw["pbx"], "state_dir": str(tmp_path / "state")}
    raw["fastagi"] = {**raw.get("fastagi", {}), "host": "127.0.0.1", "port": free_port()}
    return Daemon(config_module.parse(raw), menu.load())


class Watch:
    """A broken subscriber first, then one that notes what it saw and when."""

    def __init__(self, made: Daemon, commands: list[str]) -> None:
        self.seen: list[tuple[ev.Event, int]] = []
        self.commands = commands
        made.bus = Bus(made._subscriber_failed)
        made.bus.subscribe("broken", self.broken)
        made.bus.subscribe("core", made.center.apply)
        made.bus.subscribe("watch", lambda e: self.seen.append((e, len(self.commands))))

    def broken(self, event: ev.Event) -> None:
        raise RuntimeError("a bug in one subscriber")


def failures(logged: list[dict]) -> list[dict]:
    return [e for e in logged if "log_failure" in e and e.get("subscriber") == "broken"]


async def agi_session(port: int, headers: dict[str, str], commands: list[str]) -> None:
    """res_agi's side: headers, then `200 result=1` to every command until the socket closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write("".join(f"{k}: {v}\n" for k, v in headers.items()).encode() + b"\n")
    while line := await reader.readline():
        commands.append(line.decode().strip())
        writer.write(b"200 result=1\n")
    writer.close()


def test_an_ami_event_reaches_every_subscriber_past_one_that_raises(tmp_path):
    made = daemon(tmp_path)
    watch = Watch(made, [])
    logged: list[dict] = []
    globalLogPublisher.addObserver(logged.append)
    try:
        made.ami._deliver(
            Message(
                {
                    "Event": "QueueCallerJoin",
                    "Uniqueid": "1700000000.1",
                    "Queue": "support",
                    "CallerIDNum": "+3215550100",
                    "Position": "1",
                    "Channel": "PJSIP/trunk-00000001",
                }
            )
        )
    finally:
        globalLogPublisher.removeObserver(logged.append)
        made.directory.close()
    assert [type(e) for e, _ in watch.seen] == [ev.CallerJoined]
    assert made.center.calls["1700000000.1"].queue == "support"
    assert len(failures(logged)) == 1 and isinstance(failures(logged)[0]["event"], ev.CallerJoined)
    failures(logged)[0]["log_failure"].trap(RuntimeError)


@pytest_twisted.inlineCallbacks
def test_a_route_event_reaches_every_subscriber_after_its_side_effects(tmp_path):
    from twisted.internet import defer

    made = daemon(tmp_path)
    commands: list[str] = []
    watch = Watch(made, commands)
    logged: list[dict] = []
    globalLogPublisher.addObserver(logged.append)
    yield made.fastagi.listen()
    try:
        headers = {
            "agi_network_script": f"{made.config.fastagi.token}/acd/enter",
            "agi_uniqueid": "1700000000.7",
            "agi_channel": "PJSIP/trunk-00000007",
            "agi_callerid": "+3215550177",
            "agi_extension": "700",
            "agi_threadid": "140007",
        }
        yield defer.Deferred.fromFuture(
            asyncio.ensure_future(agi_session(made.config.fastagi.port, headers, commands))
        )
    finally:
        globalLogPublisher.removeObserver(logged.append)
        made.fastagi.stopService()
        made.directory.close()
    routed = [(e, n) for e, n in watch.seen if isinstance(e, ev.CallRouted)]
    assert len(routed) == 1, watch.seen
    event, commands_before = routed[0]
    assert event.call_id == "1700000000.7" and made.center.calls["1700000000.7"].routed
    # the queue was chosen on the channel before the event was applied; success came last
    assert any(var.QUEUE in c for c in commands[:commands_before])
    assert commands[-1].startswith(f"SET VARIABLE {var.AGI_OK} ")
    assert len(failures(logged)) == 1
    failures(logged)[0]["log_failure"].trap(RuntimeError)
