"""AMI ingest: events per second from socket bytes through every subscriber, on one core.

    python bench/ami_ingest.py [--calls 20000] [--runs 3] [--cpu 0]

The bytes are Asterisk's own: the events of tests/fixtures/ami/three_calls_two_agents.txt
(recorded on the lab's PBX: QueueCallerJoin, AgentCalled, QueueMemberStatus, QueueCallerLeave,
AgentConnect, AgentComplete, QueueCallerAbandon) and a Hangup per leg in Asterisk 22's shape,
repeated for `--calls` calls (nine in ten answered, one abandoned) with fresh uniqueids,
channels, caller numbers, agents and rising timestamps. Each stage reads the same bytes in
the same run, so their ratios hold across machines:

  plain parse   split into header dicts, nothing else: the anchor
  panoramisk    its AMIProtocol.data_received (the daemon's _SafeProtocol), messages dropped
  translation   the same, then acd/asterisk/ami_events.translate
  full          a loopback socket into the daemon's own path, on the asyncio loop: panoramisk,
                Manager.dispatch, AmiService._received (translation, the reconciler's check),
                Daemon.apply (numbered; the journal's append, the core, the agents book, the
                call ledger, the desks, the recorder, callbacks, call stories, the live push)

The process is pinned to one CPU (`--cpu`); the journal's writer thread shares it. "full"
stops at the last event applied; the journal's flush to SQLite after it is printed apart.
"full, CPU" divides by the process's CPU seconds over the same span (every thread: the reactor,
the journal's and the store's writers), "reactor" by the reactor thread's alone: on a shared
machine these hold where wall-clock rates swing with the neighbours' load.
Warnings the daemon logged are counted (an event dropped would show there). Target: full
>= 50,000 events/s. Prints figures; asserts nothing.

Last measured 2026-12-07 (20,000 calls, 192,000 events, three runs, CPU 1, a machine about half
as fast as the one before): plain parse 47-58k/s; full 8,679 / 8,085 / 8,677 events/s (0.150 of
the plain parse, as on 2026-12-03's machine), 8.3-8.9k per CPU-second of the whole process,
10.5-11.2k per CPU-second of the reactor thread: target missed. The core compiled with mypyc
(events and codec left interpreted) measured the same per CPU-second, so it was not kept.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import re
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from twisted.internet.defer import Deferred
from twisted.logger import globalLogPublisher

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "ami" / "three_calls_two_agents.txt"
ANSWERED, ABANDONED = "acd-1795362415.0", "acd-1795362416.3"  # the recorded calls' uniqueids
AGENTS = ("1001", "1002", "1003", "2003")  # the default config's support agents
CHUNK = 65536

HANGUP = """Event: Hangup
Privilege: call,all
Timestamp: {at}
SystemName: acd
Channel: {channel}
ChannelState: 6
ChannelStateDesc: Up
CallerIDNum: {caller}
CallerIDName: Caller
ConnectedLineNum: 100
ConnectedLineName: <unknown>
Language: en
AccountCode:{empty}
Context: {context}
Exten: 100
Priority: 1
Uniqueid: {uniqueid}
Linkedid: {linkedid}
Cause: 16
Cause-txt: Normal Clearing"""


def recorded_blocks() -> list[str]:
    text = FIXTURE.read_text().replace("\r\n", "\n")
    return [b.strip("\n") for b in text.split("\n\n") if b.strip().startswith("Event:")]


def template(blocks: list[str], uniqueid: str, member: str) -> list[str]:
    """One recorded call's events (and its agent's member status changes), in recorded order."""
    return [
        b
        for b in blocks
        if uniqueid in b or (b.startswith("Event: QueueMemberStatus") and f"MemberName: {member}\n" in b)
    ]


def one_call(blocks: list[str], i: int, at: float, answered: bool) -> list[str]:
    """Call `i`: the recorded text with its own ids, channels, caller, agent and times."""
    agent = AGENTS[i % len(AGENTS)]
    caller_id, agent_leg = f"acd-{int(at)}.{2 * i}", f"acd-{int(at)}.{2 * i + 1}"
    trunk, phone = f"PJSIP/trunk-carrier-{i:08x}", f"PJSIP/{agent}-{i:08x}"
    if answered:
        recorded = template(blocks, ANSWERED, "1001")
        ids = {ANSWERED: caller_id, "acd-1795362415.2": agent_leg, "trunk-carrier-00000000": trunk[6:]}
        ids |= {"PJSIP/1001-00000002": phone, "5551001": f"555{i % 10000:04d}"}
        member = "1001"
    else:
        recorded = template(blocks, ABANDONED, "1003")
        ids = {ABANDONED: caller_id, "acd-1795362416.5": agent_leg, "trunk-carrier-00000003": trunk[6:]}
        ids |= {"PJSIP/1003-00000005": phone, "5551003": f"555{i % 10000:04d}"}
        member = "1003"
    ids |= {f"MemberName: {member}": f"MemberName: {agent}", f"PJSIP/{member}\n": f"PJSIP/{agent}\n"}
    pattern = re.compile("|".join(re.escape(k) for k in sorted(ids, key=len, reverse=True)))
    out = []
    for n, block in enumerate(recorded):
        renamed = pattern.sub(lambda m: ids[m.group(0)], block)
        out.append(re.sub(r"Timestamp: [0-9.]+", f"Timestamp: {at + n * 0.001:.6f}", renamed))
    caller = f"555{i % 10000:04d}"
    for n, (channel, context, uniqueid) in enumerate(
        ((trunk, "from-trunk", caller_id), (phone, "phones", agent_leg)), start=len(out)
    ):
        out.append(
            HANGUP.format(
                at=f"{at + n * 0.001:.6f}",
                channel=channel,
                caller=caller,
                context=context,
                uniqueid=uniqueid,
                linkedid=caller_id,
                empty=" ",  # Asterisk writes the empty header with its space
            )
        )
    return out


def stream(calls: int, start: float) -> tuple[bytes, int]:
    """The AMI bytes of `calls` calls (CRLF, a blank line after each event); how many events."""
    blocks = recorded_blocks()
    events = []
    for i in range(calls):
        events += one_call(blocks, i, start + i * 0.02, answered=i % 10 != 9)
    text = "".join(e.replace("\n", "\r\n") + "\r\n\r\n" for e in events)
    return text.encode(), len(events)


def plain_parse(data: bytes) -> int:
    """The anchor: what any parser must do at least (split events, split headers)."""
    count = 0
    for block in data.split(b"\r\n\r\n"):
        if block:
            dict(line.split(b": ", 1) for line in block.split(b"\r\n") if b": " in line)
            count += 1
    return count


class Counting:
    """A stand-in for panoramisk's Manager: counts what the protocol hands it."""

    def __init__(self, then: Callable[[object], object] = lambda message: None) -> None:
        self.count, self.then = 0, then

    def dispatch(self, message: object) -> None:
        self.count += 1
        self.then(message)

    def connection_lost(self, exc: object) -> None:
        pass


def protocol_parse(data: bytes, then: Callable[[object], object] = lambda message: None) -> int:
    from acd.asterisk.ami import _SafeProtocol

    protocol = _SafeProtocol()
    protocol.connection_made(None)
    protocol.factory = counting = Counting(then)
    for offset in range(0, len(data), CHUNK):
        protocol.data_received(data[offset : offset + CHUNK])
    return counting.count


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def config_for(scratch: Path):
    from acd import config as config_module

    raw = config_module.read_yaml(config_module.DEFAULT_PATH)
    raw["store"] = {"url": f"sqlite:///{scratch / 'store.sqlite3'}"}
    raw["pbx"] = {**raw["pbx"], "state_dir": str(scratch / "state")}
    raw["redis"] = {**raw["redis"], "url": f"redis://127.0.0.1:{free_port()}/0"}
    return config_module.parse(raw)


async def full(
    data: bytes, scratch: Path, spent: dict[str, float] | None = None, cpu: list[float] | None = None
) -> tuple[int, float, float]:
    """Socket bytes into a built daemon (AMI not logged in; its own redis, as in production):
    events applied, seconds to the last one, seconds more until the journal is on disk.
    `cpu` gets the CPU seconds to the last event applied: this process's (every thread), the
    reactor thread's."""
    from acd import garbage
    from acd.asterisk.ami import _BackoffManager, _SafeProtocol
    from acd.lab.redis_proc import RedisServer
    from acd.service import Daemon
    from acd.store import db
    from ivr import menu

    config = config_for(scratch)
    db.migrate(config.store.url)
    redis = RedisServer(config.redis.url, scratch / "redis", config.redis.password)
    redis.start()
    daemon = Daemon(config, menu.load())
    daemon.checkpointer.run = on_the_loops_executor  # there is no Twisted reactor (or its pool) here
    daemon.remember(time.time())  # what startService does first: fold (empty), journal started
    garbage.settle()  # what `acd run` does after the start (acd/garbage.py)
    if spent is not None:
        timed_subscribers(daemon.bus, spent)
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    class Read(_SafeProtocol):
        def connection_lost(self, exc: Exception | None) -> None:
            done.set_result(None)

    manager = _BackoffManager((1.0, 2.0), loop=loop, on_disconnect=lambda *a: None)
    manager.stopping = True  # never reconnects: there is no PBX here
    manager.register_event("*", daemon.ami._received)
    reader, writer = socket.socketpair()
    protocol = Read()
    await loop.connect_accepted_socket(lambda: protocol, reader)
    protocol.factory = manager
    before = daemon.sequence.last
    started, process, reactor = time.perf_counter(), time.process_time(), time.thread_time()
    sender = threading.Thread(target=lambda: (writer.sendall(data), writer.close()))
    sender.start()
    await done
    applied = time.perf_counter() - started
    if cpu is not None:
        cpu += [time.process_time() - process, time.thread_time() - reactor]
    sender.join()
    daemon.journal.flush(timeout=600)
    flushed = time.perf_counter() - started - applied
    count = daemon.sequence.last - before
    while daemon.desk._saving:  # the agents' states still on their way to redis
        await asyncio.sleep(0.01)
    daemon.feed.stop()
    daemon.journal.close()
    daemon.directory.close()
    redis.stop()
    garbage.unsettle()
    return count, applied, flushed


def on_the_loops_executor(work: Callable[..., object], *args: object) -> Deferred:
    """deferToThread's part, on asyncio's default executor: the checkpoint's wait for its
    child (which holds on until its text is read) and the write."""
    return Deferred.fromFuture(asyncio.get_running_loop().run_in_executor(None, work, *args))


def timed_subscribers(bus, spent: dict[str, float]) -> None:
    """Each subscriber's handler, timed into `spent` (a run of its own: the timing costs too)."""

    def wrapped(name: str, handler: Callable[[object], None]) -> Callable[[object], None]:
        def run(arg: object) -> None:
            started = time.perf_counter()
            handler(arg)
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - started

        return run

    bus._subscribers = [dataclasses.replace(s, handler=wrapped(s.name, s.handler)) for s in bus._subscribers]
    bus.changed()


def timed(work: Callable[[], int]) -> tuple[int, float]:
    started = time.perf_counter()
    count = work()
    return count, time.perf_counter() - started


def line(label: str, counts: list[int], seconds: list[float], anchor: float | None = None) -> str:
    rates = [c / s for c, s in zip(counts, seconds)]
    best = max(rates)
    runs = ", ".join(f"{r:,.0f}" for r in rates)
    ratio = f"; {best / anchor:.3f} of the plain parse" if anchor else ""
    median = statistics.median(rates)
    return f"{label:<12} {best:>10,.0f} events/s (best; runs {runs}; median {median:,.0f}{ratio})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cpu", type=int, default=0, help="the one CPU this process runs on")
    args = parser.parse_args()
    os.sched_setaffinity(0, {args.cpu})
    data, events = stream(args.calls, time.time() - args.calls * 0.02 - 60)
    print(
        f"{args.calls} calls: {events} AMI events, {len(data) / 1e6:.1f} MB, pinned to CPU {args.cpu};"
        f" load average {os.getloadavg()[0]:.2f}"
    )
    warnings: list[dict] = []
    loud = ("warn", "error", "critical")
    globalLogPublisher.addObserver(
        lambda e: warnings.append(e) if getattr(e.get("log_level"), "name", "") in loud else None
    )
    from acd.asterisk import ami_events

    stages: dict[str, tuple[list[int], list[float]]] = {}
    spent_cpu: list[float] = []  # per full run: the process's CPU seconds, the reactor thread's

    def run(label: str, work: Callable[[], int]) -> None:
        count, seconds = timed(work)
        stages.setdefault(label, ([], []))[0].append(count)
        stages[label][1].append(seconds)

    for _ in range(args.runs):
        run("plain parse", lambda: plain_parse(data))
        run("panoramisk", lambda: protocol_parse(data))
        run("translation", lambda: protocol_parse(data, lambda m: ami_events.translate(m, 0.0)))
        with tempfile.TemporaryDirectory(prefix="acd-ingest-") as scratch:
            count, applied, flushed = asyncio.run(full(data, Path(scratch), cpu=spent_cpu))
        stages.setdefault("full", ([], []))[0].append(count)
        stages["full"][1].append(applied)
        stages.setdefault("journal", ([], []))[0].append(count)
        stages["journal"][1].append(applied + flushed)
    anchor = max(c / s for c, s in zip(*stages["plain parse"]))
    for label, (counts, seconds) in stages.items():
        if label == "journal":
            continue
        print(line(label, counts, seconds, None if label == "plain parse" else anchor))
    counts = stages["full"][0]
    processes, reactors = spent_cpu[0::2], spent_cpu[1::2]
    for label, used in (("full, CPU", processes), ("  reactor", reactors)):
        print(
            line(label, counts, used).replace("events/s", "ev/CPU-s")
            + (
                " every thread: the machine's other load left out"
                if label == "full, CPU"
                else " thread alone"
            )
        )
    counts, seconds = stages["journal"]
    print(
        f"{'on disk':<12} {max(c / s for c, s in zip(counts, seconds)):>10,.0f} events/s to the journal's "
        f"last row written (applied {stages['full'][0][-1]} of {events} in the last run)"
    )
    spent: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="acd-ingest-") as scratch:
        count, applied, _ = asyncio.run(full(data, Path(scratch), spent))
    parse = sum(stages["translation"][1]) / len(stages["translation"][1])
    shares = sorted(spent.items(), key=lambda kv: -kv[1])
    print(f"where a full run's {applied:.2f} s go (a timed run of its own, {count / applied:,.0f} events/s):")
    print(f"  {'parse + translate':<18} {parse:6.2f} s   (the translation stage's time)")
    for name, seconds in shares:
        print(f"  {name:<18} {seconds:6.2f} s   {seconds / count * 1e6:6.1f} us/event")
    rest = applied - parse - sum(spent.values())
    print(
        f"  {'the rest':<18} {rest:6.2f} s   (the loop, the socket, work beside the calls:"
        " redis saves, store batches)"
    )
    print(
        f"warnings logged: {len(warnings)} (over {args.runs + 1} full runs);"
        f" load average {os.getloadavg()[0]:.2f}"
    )
    for event in warnings[:3]:
        print("  e.g.", str(event.get("log_format", ""))[:100], str(event.get("why", ""))[:80])


if __name__ == "__main__":
    main()
