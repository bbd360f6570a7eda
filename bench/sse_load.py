"""What the live-push benchmarks share: an in-process daemon whose staff table is seeded (at a
cheap argon2 cost), signed-in sessions for many people, and SSE clients in child processes that
time every event they read against the send time it carries.

Sessions: 1,000 desktops are 1,000 people with a session each, as in production. They are
opened with `Sessions.open` (what the sign-in form does once the password checked out), in
the daemon's process, so no run spends 1,000 argon2 checks before it measures; a session has
at most 20 streams per person (acd/web/sessions.py), so one shared session would not do. The
one browser of bench/pop_latency.py signs in through the form.

A client process reads its streams on one selector (no coroutine per connection: the clients
must cost less than the daemon) and, for each event of the kinds it was told (all when none),
takes now minus the event's `"at"`, the stamp the bench sent as the PBX's `Timestamp`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import selectors
import socket
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

from acd import config as config_module
from acd import garbage

CHEAP_HASH = {"time_cost": 1, "memory_kib": 1024, "parallelism": 1}  # seeding 1,000 people: ~2 s
PROCESSES = 2  # client processes: one selector loop reading a thousand sockets lags behind itself


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- the daemon (the bench's process) ------------------------------------------------------------


def daemon(scratch: Path, streams: int, buffer: int, edit: Callable[[dict], None] = lambda raw: None):
    """The real Daemon on a scratch store, its staff table seeded; `edit` changes acd.yaml's data."""
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
    raw["hashing"] = CHEAP_HASH
    edit(raw)
    made = Daemon(config_module.parse(raw), menu.load())
    made.people.seed(made.config)  # as daemon.run does before the service starts
    garbage.settle()  # and after it: the collector's policy (acd/garbage.py)
    return made


@contextlib.contextmanager
def serving(made) -> Iterator[None]:
    """The daemon's journal writer and web port, as `acd run` starts them; stopped after."""
    from twisted.internet import reactor

    made.journal.start()  # the bus's first subscriber writes on its own thread
    port = reactor.listenTCP(made.config.http.port, made.site, interface="127.0.0.1")
    try:
        yield
    finally:
        print(f"load average {os.getloadavg()[0]:.2f} at the end")
        made.feed.stop()
        made.journal.close()
        port.stopListening()
        made.directory.close()


def sessions(made, numbers: list[str]) -> list[str]:
    """A session (its cookie's value) for each number, as the sign-in form opens them."""
    found = [made.people.person(n) for n in numbers]
    missing = [n for n, p in zip(numbers, found, strict=True) if p is None]
    if missing:
        raise RuntimeError(f"not in the staff table: {missing[:5]}")
    return [made.login.sessions.open(p) for p in found]


def cookie_header(made) -> str:
    from acd.web.base import cookie_name

    return cookie_name(made.login).decode()


def split(items: list, parts: int) -> list[list]:
    return [chunk for chunk in (items[i::parts] for i in range(parts)) if chunk]


async def start_clients(port: int, cookie: str, sids: list[str], kinds: tuple[str, ...], scratch: Path):
    """Child processes reading one stream per session; returned once every stream is open."""
    children = []
    for i, share in enumerate(split(sids, PROCESSES)):
        plan = scratch / f"clients-{i}.json"
        plan.write_text(json.dumps({"port": port, "cookie": cookie, "sids": share, "kinds": kinds}))
        children.append(await asyncio.create_subprocess_exec(
            sys.executable, __file__, str(plan),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=1 << 28,
        ))  # fmt: skip
        line = await asyncio.wait_for(children[-1].stdout.readline(), 120)
        if line.strip() != b"ready":
            raise RuntimeError(f"clients did not connect: {line!r}")
    return children


async def stop_clients(children) -> dict:
    """Each child's figures, merged: the lags (ms, sorted together), the streams cut off."""
    parts = []
    for child in children:
        child.stdin.close()
        parts.append(json.loads(await asyncio.wait_for(child.stdout.readline(), 60)))
        await child.wait()
    lags = sorted(x for p in parts for x in p["lags"])
    return {**summary(lags, scale=1.0), "cut": sum(p["cut"] for p in parts), "lags": lags}


def summary(lags: list[float], scale: float = 1000.0) -> dict:
    data = sorted(lags)
    pick = lambda q: data[min(len(data) - 1, int(q * len(data)))] * scale if data else float("nan")
    return {"n": len(data), "p50": pick(0.5), "p95": pick(0.95), "p99": pick(0.99), "max": pick(1.0)}


def on_reactor(bench: Callable[[argparse.Namespace, Path], Awaitable[None]], args, prefix: str) -> None:
    """`bench(args, scratch)` on twisted's asyncio reactor (the daemon's), in a temp dir."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    from twisted.internet import asyncioreactor

    asyncioreactor.install(loop)
    from twisted.internet import defer, reactor

    with tempfile.TemporaryDirectory(prefix=prefix) as scratch:
        done = defer.Deferred.fromFuture(asyncio.ensure_future(bench(args, Path(scratch))))
        done.addErrback(lambda failure: failure.printTraceback(file=sys.stderr))
        done.addBoth(lambda _: reactor.stop())
        reactor.run()


# -- the clients (a child process) ---------------------------------------------------------------


def connect(port: int, cookie: str, sid: str) -> tuple[socket.socket, bytes]:
    """One stream (HTTP/1.0: no chunked framing between the events), its answer's headers read
    (blocking); what came after them is returned."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(
        f"GET /api/events HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}={sid}\r\n\r\n".encode()
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


def stamps(buffer: bytes, now: float, lags: list[float], kinds: tuple[bytes, ...] = ()) -> bytes:
    """Each complete event in `buffer` of one of `kinds` (all when empty) is one lag, from its
    `"at":<stamp>,`; an incomplete last event is kept for the next read."""
    at = 0
    while (end := buffer.find(b"\n\n", at)) >= 0:
        message = buffer[at:end]
        at = end + 2
        kind = message.find(b"event: ")
        if kind < 0 or (kinds and message[kind + 7 : message.find(b"\n", kind)] not in kinds):
            continue
        start = message.find(b'"at":')
        if start >= 0:
            lags.append(now - float(message[start + 5 : message.find(b",", start)]))
    return buffer[at:]


def clients(plan: dict) -> None:
    """The plan's streams; "ready", then read until stdin closes; print the lags (ms)."""
    chosen = selectors.DefaultSelector()
    buffers: dict[int, bytes] = {}
    kinds = tuple(k.encode() for k in plan["kinds"])
    for sid in plan["sids"]:
        sock, rest = connect(plan["port"], plan["cookie"], sid)
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
                data = key.fileobj.recv(262144)  # type: ignore[union-attr]
            except BlockingIOError:
                continue
            except ConnectionError:
                data, cut = b"", cut + 1  # the daemon cut it off (too slow)
            if not data:
                chosen.unregister(key.fileobj)
                continue
            buffers[key.fd] = stamps(buffers[key.fd] + data, time.time(), lags, kinds)


if __name__ == "__main__":
    clients(json.loads(Path(sys.argv[1]).read_text()))
