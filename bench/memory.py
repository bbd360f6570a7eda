"""Memory per waiting caller and growth per completed call: the core, then the daemon.

    python bench/memory.py [--waiting 10000] [--calls 20000] [--runs 3]

Two stages, the same events in each: "core" feeds acd.core.center.CallCenter alone;
"daemon" feeds the composition root (acd.service.Daemon.apply: the core plus the agent
desk, supervisor desk, recorder, callbacks and the journey writes to a SQLite store) on an
asyncio loop, with a real redis (its own port) and AMI not connected (what the daemon would
send to Asterisk fails and is logged; the log is discarded). Each completed call is the
PBX's story: routed, joined, an agent rung, answered, completed, both channels hung up;
every fifth call hangs up in the IVR instead (routed, then gone). Waiting callers are
routed and joined and stay.

Figures: bytes per waiting caller (RSS delta and Python's traced allocations), and growth
per completed call as the slope of RSS (and of traced memory) over the second half of the
run, after the first half filled the bounded tables (the 500 ended calls kept, the pools).
Targets: <= 16 KiB per waiting caller, no growth per completed call. Asserts nothing.
RSS is coarse (pages; a later run reuses the first one's freed arenas and shows 0): the
traced figures are the ones to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import socket
import statistics
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from acd.core import events as ev

PAGE = os.sysconf("SC_PAGE_SIZE")
AGENTS = 20
QUEUE = "support"
Apply = Callable[[ev.Event], None]


def rss() -> int:
    gc.collect()
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE


def traced() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0


def members(apply: Apply, at: float) -> None:
    for a in range(AGENTS):
        apply(ev.MemberChanged(at, QUEUE, f"10{a:02d}", f"PJSIP/agent{a}", "not_in_use", False, False, 0))


def waiting_caller(apply: Apply, i: int, at: float) -> None:
    call = f"1733100000.{i}"
    apply(ev.CallRouted(at, call, f"+4930{i:07d}", "200", QUEUE, customer_id=i, candidates=1))
    apply(ev.CallerJoined(at, call, QUEUE, f"+4930{i:07d}", i + 1, f"PJSIP/trunk-{i:08x}"))


def completed_call(apply: Apply, i: int, at: float) -> None:
    call, caller = f"1733200000.{i}", f"+4931{i % 50000:07d}"
    trunk = f"PJSIP/trunk-{i:08x}"
    apply(ev.CallRouted(at, call, caller, "200", QUEUE, customer_id=i % 50000, candidates=1))
    if i % 5 == 4:  # hung up in the IVR or the greeting: never queued
        apply(ev.ChannelHungUp(at + 5, call, trunk, call))
        return
    agent = f"10{i % AGENTS:02d}"
    apply(ev.CallerJoined(at + 1, call, QUEUE, caller, 1, trunk))
    apply(ev.AgentRung(at + 2, call, QUEUE, agent))
    apply(ev.CallerLeft(at + 4, call, QUEUE))
    apply(ev.CallAnswered(at + 4, call, QUEUE, agent, 3.0, 2.0))
    apply(ev.CallCompleted(at + 60, call, QUEUE, agent, 3.0, 56.0, "caller"))
    apply(ev.ChannelHungUp(at + 60, call, trunk, call))
    apply(ev.ChannelHungUp(at + 60, f"{call}1", f"PJSIP/agent{i % AGENTS}-{i:08x}", call))


def slope(points: list[tuple[int, int]]) -> float:
    """Bytes per call: least squares over the second half of (calls, bytes)."""
    half = points[len(points) // 2 :]
    if len(half) < 2:
        return 0.0
    return statistics.linear_regression([p[0] for p in half], [p[1] for p in half]).slope


async def run(
    apply: Apply, settle: Callable[[], object], waiting: int, calls: int, measure: Callable[[], int]
) -> tuple[float, float]:
    """(bytes per waiting caller, bytes per completed call) with `measure` (RSS or traced)."""
    members(apply, 1.0)
    await settle()
    at, batch, points = 10.0, max(1, calls // 20), []
    for i in range(calls):  # fill the bounded parts first, then measure
        completed_call(apply, i, at)
        at += 0.2
        if i % batch == batch - 1:
            await settle()
            points.append((i + 1, measure()))
    before = measure()
    for i in range(waiting):
        waiting_caller(apply, i, at)
        if i % 1000 == 999:
            await settle()
    await settle()
    return (measure() - before) / max(1, waiting), slope(points)


def core_stage() -> tuple[Apply, Callable[[], object], Callable[[], None]]:
    from acd.core.center import CallCenter

    center = CallCenter({QUEUE: 20.0})

    async def settle() -> None:
        await asyncio.sleep(0)

    return center.apply, settle, lambda: None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def daemon_stage(scratch: Path) -> tuple[Apply, Callable[[], object], Callable[[], None]]:
    from acd import background
    from acd import config as config_module
    from acd.lab.redis_proc import RedisServer
    from acd.service import Daemon
    from acd.store import db
    from ivr import menu

    url = f"sqlite:///{scratch / 'store.sqlite3'}"
    db.migrate(url)
    raw = config_module.read_yaml(config_module.DEFAULT_PATH)
    raw["store"] = {**raw.get("store", {}), "url": url}
    raw["pbx"] = {**raw.get("pbx", {}), "state_dir": str(scratch / "state")}
    raw["redis"] = {**raw.get("redis", {}), "url": f"redis://127.0.0.1:{free_port()}/0"}
    config = config_module.parse(raw)
    redis = RedisServer(config.redis.url, scratch / "redis", config.redis.password)
    redis.start()
    daemon = Daemon(config, menu.load())

    async def settle() -> None:
        """Let the work beside the calls finish (journey batches, redis saves), as it would
        between calls at a real rate: a backlog is not a leak."""
        await asyncio.sleep(0.06)  # the journey batches flush every 50 ms
        while background._running:
            await asyncio.sleep(0.02)

    def close() -> None:
        daemon.directory.close()
        redis.stop()

    return daemon.apply, settle, close


async def stage(name: str, args: argparse.Namespace, scratch: Path) -> list[str]:
    rows = []
    for run_no in range(args.runs):
        for label, measure, tracing in (("RSS", rss, False), ("traced", traced, True)):
            if tracing:
                tracemalloc.start()
            apply, settle, close = (
                core_stage() if name == "core" else daemon_stage(scratch / f"{run_no}-{label}")
            )
            per_caller, per_call = await run(apply, settle, args.waiting, args.calls, measure)
            close()
            if tracing:
                tracemalloc.stop()
            rows.append(
                f"{name:7} run {run_no + 1} {label:6}  {per_caller / 1024:8.2f} KiB  {per_call:10.1f} B/call"
            )
            del apply, settle, close
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--waiting", type=int, default=10000)
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stages", nargs="+", default=["core", "daemon"])
    args = parser.parse_args()
    from twisted.logger import globalLogBeginner

    # AMI is not connected: what would go to Asterisk fails and is logged; the log is dropped
    # (not buffered, as Twisted does before logging begins)
    globalLogBeginner.beginLoggingTo([lambda event: None], redirectStandardIO=False, discardBuffer=True)
    print(
        f"{args.waiting} waiting callers; {args.calls} completed calls (every 5th ends in the IVR); "
        f"targets: <= 16 KiB per waiting caller, no growth per completed call"
    )
    print(f"{'stage':7} {'run':5} {'meas':6}  {'per waiting':>12}  {'per completed':>15}")
    with tempfile.TemporaryDirectory(prefix="acd-membench-") as scratch:
        for name in args.stages:
            for row in asyncio.run(stage(name, args, Path(scratch))):
                print(row, flush=True)


if __name__ == "__main__":
    main()
