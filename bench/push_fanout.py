"""Live push on loopback: event-to-client latency with many SSE subscribers, and the lag at a high
event rate (issue 10's push benchmarks).

    python bench/push_fanout.py [--clients 1000] [--rate 20] [--seconds 10]
                                [--lag-rate 10000] [--lag-clients 4] [--lag-seconds 5] [--runs 3]

The daemon runs in this process (the real Daemon and its site behind the edge, no PBX: only
its web port listens); the SSE clients run in a child process of their own (asyncio, raw
HTTP/1.1), so they never share this process's CPU. Events enter where AMI messages do
(`AmiService._deliver`: translation, numbering, every subscriber, the push) stamped with the
send time as the PBX's `Timestamp`; a client measures, for every event it reads, now minus that
stamp. Fan-out: `--clients` admins, `--rate` calls a second (three events each). Lag:
`--lag-clients` admins, `--lag-rate` events a second. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import selectors
import socket
import sys
import tempfile
import time
from pathlib import Path

from acd import config as config_module


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- the clients (a child process) -------------------------------------------------------------


def connect(port: int, auth: str) -> tuple[socket.socket, bytes]:
    """One stream, its answer's headers read (blocking); what came after them is returned."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(
        f"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: {auth}\r\n\r\n".encode()
    )
    data = b""
    while b"\r\n\r\n" not in data:
        more = sock.recv(65536)
        if not more:
            raise RuntimeError("the daemon closed the stream")
        data += more
    head, rest = data.split(b"\r\n\r\n", 1)
    if b" 200 " not in head.split(b"\r\n", 1)[0]:
        raise RuntimeError(head.split(b"\r\n", 1)[0].decode())
    sock.setblocking(False)
    return sock, rest


def stamps(buffer: bytes, now: float, lags: list[float]) -> bytes:
    """Each complete `"at":<stamp>,` in `buffer` is one event's lag; the rest is kept."""
    at = 0
    while (start := buffer.find(b'"at":', at)) >= 0:
        end = buffer.find(b",", start)
        if end < 0:
            return buffer[start:]
        lags.append(now - float(buffer[start + 5 : end]))
        at = end
    return buffer[-8:]  # a `"at":` cut in two by the read


def clients(port: int, count: int, auth: str) -> None:
    """`count` streams on one selector (no per-connection coroutine: the clients must cost
    less than the daemon); "ready", then read until stdin closes; print the lags' figures."""
    chosen = selectors.DefaultSelector()
    buffers: dict[int, bytes] = {}
    for _ in range(count):
        sock, rest = connect(port, auth)
        buffers[sock.fileno()] = rest
        chosen.register(sock, selectors.EVENT_READ)
    chosen.register(sys.stdin, selectors.EVENT_READ)
    print("ready", flush=True)
    lags: list[float] = []
    cut = 0
    while True:
        for key, _ in chosen.select():
            if key.fileobj is sys.stdin:
                print(json.dumps({"lags": [round(x * 1000, 3) for x in lags], "cut": cut}), flush=True)
                return
            try:
                data = key.fileobj.recv(262144)
            except BlockingIOError:
                continue
            except ConnectionError:
                data, cut = b"", cut + 1  # the daemon cut it off (too slow)
            if not data:
                chosen.unregister(key.fileobj)
                continue
            buffers[key.fd] = stamps(buffers[key.fd] + data, time.time(), lags)


PROCESSES = 2  # client processes: one selector loop reading a thousand sockets lags behind itself


def split(count: int, parts: int) -> list[int]:
    return [n for n in (count // parts + (1 if i < count % parts else 0) for i in range(parts)) if n]


def merged(parts: list[dict]) -> dict:
    """The clients' figures together: percentiles from each process's sorted sample."""
    lags = sorted(x for p in parts for x in p["lags"])
    return {**summary(lags, scale=1.0), "cut": sum(p["cut"] for p in parts)}


def summary(lags: list[float], scale: float = 1000.0) -> dict:
    data = sorted(lags)
    pick = lambda q: data[min(len(data) - 1, int(q * len(data)))] * scale if data else float("nan")
    return {"n": len(data), "p50": pick(0.5), "p99": pick(0.99), "max": pick(1.0)}


# -- the daemon (this process) -----------------------------------------------------------------


def daemon(scratch: Path, streams: int, buffer: int):
    from acd.service import Daemon
    from acd.store.db import migrate
    from ivr import menu

    raw = config_module.read_yaml(config_module.DEFAULT_PATH)
    url = f"sqlite:///{scratch / 'store.sqlite3'}"
    migrate(url)
    raw["store"] = {"url": url}
    raw["pbx"] = {**raw["pbx"], "state_dir": str(scratch / "state")}
    raw["secrets_file"] = str(scratch / "acd.secrets.yaml")
    raw["http"] = {**raw["http"], "port": free_port(), "max_connections": streams + 16}
    raw["push"] = {**raw.get("push", {}), "max_streams": streams, "client_buffer": buffer}
    raw["callback"] = {**raw.get("callback", {}), "enabled": False}
    return Daemon(config_module.parse(raw), menu.load())


def feed_call(made, i: int) -> None:
    """The same call's events handed to the push alone (numbered, no core, no other subscriber)."""
    from acd.core import events as ev

    call, queue = f"b.{i}", "support"
    for event in (
        ev.CallerJoined(time.time(), call, queue, "+4930111", 1, f"PJSIP/trunk-{i:08x}"),
        ev.CallerLeft(time.time(), call, queue),
        ev.CallerAbandoned(time.time(), call, queue, 1.0),
    ):
        made.feed.publish(made.sequence.next(event))


def ami_call(made, i: int) -> None:
    """One call's worth of AMI messages: joined, left, abandoned."""
    from panoramisk.message import Message

    base = {"Uniqueid": f"b.{i}", "Queue": "support", "Channel": f"PJSIP/trunk-{i:08x}"}
    for kind, extra in (
        ("QueueCallerJoin", {"CallerIDNum": "+4930111", "Position": "1"}),
        ("QueueCallerLeave", {"Position": "1"}),
        ("QueueCallerAbandon", {"HoldTime": "1", "Position": "1"}),
    ):
        made.ami._deliver(Message({"Event": kind, **base, **extra, "Timestamp": f"{time.time():.6f}"}))


async def drive(made, calls_per_s: float, seconds: float, first: int, place=ami_call) -> int:
    """Calls at a fixed rate (three events each), sent in the reactor's turns as they fall due."""
    start, sent = time.monotonic(), 0
    total = int(calls_per_s * seconds)
    while sent < total:
        due = min(total, int((time.monotonic() - start) * calls_per_s) + 1)
        while sent < due:
            place(made, first + sent)
            sent += 1
        await asyncio.sleep(0.001)
    return first + sent


async def measure(
    made, auth: str, count: int, calls_per_s: float, seconds: float, first: int, place=ami_call
) -> tuple:
    children = []
    for share in split(count, PROCESSES):
        children.append(await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--client", str(made.config.http.port), str(share), auth,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=1 << 28,
        ))  # fmt: skip
        line = await asyncio.wait_for(children[-1].stdout.readline(), 120)
        if line.strip() != b"ready":
            raise RuntimeError(f"clients did not connect: {line!r}")
    await asyncio.sleep(0.5)
    flushes = timed(made.feed)
    t0, cpu0 = time.monotonic(), time.process_time()
    first = await drive(made, calls_per_s, seconds, first, place)
    wall = time.monotonic() - t0
    result_cpu = (time.process_time() - cpu0) / wall
    await asyncio.sleep(1.0)  # the last events reach the clients
    parts = []
    for child in children:
        child.stdin.close()
        parts.append(json.loads(await asyncio.wait_for(child.stdout.readline(), 60)))
        await child.wait()
    result = merged(parts)
    result["cpu"] = result_cpu
    result["flush"] = summary(flushes)
    del made.feed.flush  # the class's own again
    await asyncio.sleep(0.5)  # the daemon sees the streams close
    return result, wall, first


def timed(feed) -> list[float]:
    """How long each Feed.flush takes (the daemon's share of a delivery), seconds."""
    spent: list[float] = []
    flush = type(feed).flush

    def measured() -> None:
        start = time.perf_counter()
        flush(feed)
        spent.append(time.perf_counter() - start)

    feed.flush = measured
    return spent


def line(label: str, r: dict, wall: float, events: int) -> str:
    return (
        f"{label}: {events / wall:,.0f} events/s applied, {r['n']:,} deliveries, "
        f"p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, max {r['max']:.1f} ms; "
        f"daemon CPU {r['cpu']:.0%}, clients cut off {r['cut']}; one turn's events to every "
        f"client (Feed.flush) p50 {r['flush']['p50']:.2f} ms, p99 {r['flush']['p99']:.2f} ms"
    )


async def bench(args: argparse.Namespace, scratch: Path) -> None:
    from twisted.internet import reactor

    made = daemon(scratch, max(args.clients, args.lag_clients), args.buffer)
    print(f"load average {os.getloadavg()[0]:.2f} at start; push.client_buffer {args.buffer:,} bytes")
    made.journal.start()  # the bus's first subscriber writes on its own thread, as in `acd run`
    port = reactor.listenTCP(made.config.http.port, made.site, interface="127.0.0.1")
    admin = made.config.person("9901")
    auth = "Basic " + base64.b64encode(f"9901:{admin.password}".encode()).decode()
    first = 0
    try:
        for run in range(1, args.runs + 1):
            stages = (
                (f"fan-out to {args.clients} subscribers", args.clients, args.rate, args.seconds, ami_call),
                (f"lag at {args.lag_rate:,.0f} events/s, whole daemon", args.lag_clients, args.lag_rate / 3,
                 args.lag_seconds, ami_call),
                (f"lag at {args.lag_rate:,.0f} events/s, push alone", args.lag_clients, args.lag_rate / 3,
                 args.lag_seconds, feed_call),
            )  # fmt: skip
            for label, count, calls, seconds, place in stages:
                r, wall, end = await measure(made, auth, count, calls, seconds, first, place)
                events, first = 3 * (end - first), end
                print(line(f"run {run}: {label}", r, wall, events), flush=True)
                # the journal's writer thread catches up before the next stage (it shares the GIL)
                await asyncio.get_running_loop().run_in_executor(None, made.journal.flush, 300.0)
            print(f"  push: {made.feed.snapshot()}; load average {os.getloadavg()[0]:.2f}", flush=True)
    finally:
        print(f"load average {os.getloadavg()[0]:.2f} at the end")
        made.feed.stop()
        made.journal.close()
        port.stopListening()
        made.directory.close()


def main() -> None:
    if sys.argv[1:2] == ["--client"]:
        port, count, auth = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
        clients(port, count, auth)
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=20, help="calls a second (three events each)")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--lag-rate", type=float, default=10000, help="events a second")
    parser.add_argument("--lag-clients", type=int, default=4)
    parser.add_argument("--lag-seconds", type=float, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--buffer", type=int, default=4 << 20, help="push.client_buffer, bytes")
    args = parser.parse_args()

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    from twisted.internet import asyncioreactor

    asyncioreactor.install(loop)
    from twisted.internet import defer, reactor

    with tempfile.TemporaryDirectory(prefix="acd-bench-push-") as scratch:
        done = defer.Deferred.fromFuture(asyncio.ensure_future(bench(args, Path(scratch))))
        done.addErrback(lambda failure: failure.printTraceback())
        done.addBoth(lambda _: reactor.stop())
        reactor.run()


if __name__ == "__main__":
    main()
