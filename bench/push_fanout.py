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

The subscribers are admins (they see every event) added to acd.yaml's staff, one person and
one session each (bench/sse_load.py says how the sessions are opened: no argon2 per client);
the daemon has refused Basic-less streams since staff sign in by session, and a bench without
a seeded staff table got 401 for every stream.

Last measured 2026-12-03 (2 cores, load average 0.8 at start, three runs): fan-out to 1,000
subscribers at 60 events/s p50 7.4-7.9 ms, p99 16.4 / 19.0 / 24.8 ms (target <= 50 ms); lag at
10,000 events/s, whole daemon, after the fan-out: p50 0.8-1.3 ms, p99 9.0 / 14.4 / 11.9 ms,
max 27-37 ms, daemon CPU 71-84 % (target <= 20 ms); the push alone p99 0.5-2.0 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ run as a script
from sse_load import (
    cookie_header,
    daemon,
    on_reactor,
    serving,
    sessions,
    start_clients,
    stop_clients,
    summary,
)

ADMINS = "8{:04d}"  # the subscribers: admins (every event), one session each, added to acd.yaml


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
    """One call's worth of AMI events as the daemon's protocol hands them on (acd's Headers;
    panoramisk's Message only carries answers to actions): joined, left, abandoned."""
    from acd.asterisk.ami_frames import Headers

    base = {"Uniqueid": f"b.{i}", "Queue": "support", "Channel": f"PJSIP/trunk-{i:08x}"}
    for kind, extra in (
        ("QueueCallerJoin", {"CallerIDNum": "+4930111", "Position": "1"}),
        ("QueueCallerLeave", {"Position": "1"}),
        ("QueueCallerAbandon", {"HoldTime": "1", "Position": "1"}),
    ):
        made.ami._deliver(Headers({"Event": kind, **base, **extra, "Timestamp": f"{time.time():.6f}"}))


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
    made, sids: list[str], scratch: Path, calls_per_s: float, seconds: float, first: int, place=ami_call
) -> tuple:
    children = await start_clients(made.config.http.port, cookie_header(made), sids, (), scratch)
    await asyncio.sleep(0.5)
    flushes = timed(made.feed)
    t0, cpu0 = time.monotonic(), time.process_time()
    first = await drive(made, calls_per_s, seconds, first, place)
    wall = time.monotonic() - t0
    result_cpu = (time.process_time() - cpu0) / wall
    await asyncio.sleep(1.0)  # the last events reach the clients
    result = await stop_clients(children)
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

    most = max(args.clients, args.lag_clients)
    admins = [ADMINS.format(i) for i in range(most)]
    made = daemon(scratch, most, args.buffer, lambda raw: raw["staff"].extend(
        {"number": n, "name": f"Bench admin {n}", "role": "admin"} for n in admins
    ))  # fmt: skip
    sids = sessions(made, admins)
    print(f"load average {os.getloadavg()[0]:.2f} at start; push.client_buffer {args.buffer:,} bytes")
    first = 0
    with serving(made):
        for run in range(1, args.runs + 1):
            stages = (
                (f"fan-out to {args.clients} subscribers", args.clients, args.rate, args.seconds, ami_call),
                (f"lag at {args.lag_rate:,.0f} events/s, whole daemon", args.lag_clients, args.lag_rate / 3,
                 args.lag_seconds, ami_call),
                (f"lag at {args.lag_rate:,.0f} events/s, push alone", args.lag_clients, args.lag_rate / 3,
                 args.lag_seconds, feed_call),
            )  # fmt: skip
            for label, count, calls, seconds, place in stages:
                r, wall, end = await measure(made, sids[:count], scratch, calls, seconds, first, place)
                events, first = 3 * (end - first), end
                print(line(f"run {run}: {label}", r, wall, events), flush=True)
                # the journal's writer thread catches up before the next stage (it shares the GIL)
                await asyncio.get_running_loop().run_in_executor(None, made.journal.flush, 300.0)
            print(f"  push: {made.feed.snapshot()}; load average {os.getloadavg()[0]:.2f}", flush=True)


def main() -> None:
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

    on_reactor(bench, args, "acd-bench-push-")


if __name__ == "__main__":
    main()
