"""Restart with memory: from process start to the day's state folded back from the journal.

    python bench/restart.py [--agents 1000] [--open 500] [--calls 5000 20000] [--url URL]

A made-up day (tests/lab/day.py: agents logging in, calls answered, abandoned, timed out or
ended in the IVR, and at the end `--open` calls still waiting or talking, as at a kill -9)
is applied to a daemon (acd.service.Daemon.apply: the journal, the read model and every
adapter, AMI not connected) on a fresh store. Then, per day size, a new process starts
(`python bench/restart.py --child`), imports the daemon, builds it on that store and folds
the day back (Daemon.remember, what startService runs before AMI connects). Figures: the
journal's rows, time to write them, and the child's time from exec to folded state (with
imports, construction, and the fold split into reading and applying); whether the folded
state is exactly the live one (the snapshot and agents book compared). Not included: the AMI
resync that follows (QueueStatus on the real PBX). Target: <= 1 s. Asserts nothing.
The fold is plain replay (no snapshot): its time grows with the day's events, about ten per
finished call.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

T0 = time.time()  # as early as this process can take it: the child's "process start"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/lab: the made-up day

CHILD = "--child"


def config_for(url: str, scratch: Path):
    from acd import config as config_module

    raw = config_module.read_yaml(config_module.DEFAULT_PATH)
    raw["store"] = {"url": url}
    raw["pbx"] = {**raw["pbx"], "state_dir": str(scratch / "state")}
    return config_module.parse(raw)


def state(daemon, now: float) -> str:
    from acd.core.snapshot import snapshot

    try:
        shot = snapshot(daemon.center, now, recent=10_000, book=daemon.book)
    except TypeError:  # a core without the agents book
        shot = snapshot(daemon.center, now, recent=10_000)
    return json.dumps([shot, sorted(daemon.legs.legs)], sort_keys=True, default=str)


def child(url: str, scratch: Path, now: float) -> None:
    """Start as the daemon does: import, build, fold. Prints one JSON line of timings."""
    imported = time.time()
    from acd.service import Daemon
    from ivr import menu

    loaded = time.time()
    daemon = Daemon(config_for(url, scratch), menu.load())
    built = time.time()
    read_started = time.perf_counter()
    entries = daemon.journal.between(daemon.days.start(now), float("inf"))
    read_s = time.perf_counter() - read_started
    replay_started = time.perf_counter()
    for entry in entries:
        daemon.bus.replay(entry)
    replay_s = time.perf_counter() - replay_started
    folded = time.time()
    daemon.sequence.last = daemon.journal.last_seq()
    print(
        json.dumps(
            {
                "start": T0,
                "imported": imported,
                "loaded": loaded,
                "built": built,
                "folded": folded,
                "read_s": read_s,
                "replay_s": replay_s,
                "entries": len(entries),
                "state": state(daemon, now),
            }
        )
    )
    daemon.journal.close()
    daemon.directory.close()


def live_day(url: str, scratch: Path, agents: int, open_calls: int, calls: int):
    """Apply the day to a daemon on a fresh store; (events, seconds to journal them, state)."""
    from acd.service import Daemon
    from acd.store import db
    from ivr import menu
    from tests.lab.day import Shape, day

    db.migrate(url)
    daemon = Daemon(config_for(url, scratch), menu.load())
    queues = tuple(q.name for q in daemon.config.queues)
    now = time.time()
    start = daemon.days.start(now)
    hours = max(1.0, min(10.0, (now - start) / 3600 - 0.1))  # the day must be today's
    events = day(start + 30.0, Shape(agents, calls, open_calls, hours, queues))
    daemon.remember(start + 1.0)
    began = time.perf_counter()
    for event in events:
        daemon.apply(event)
    applied = time.perf_counter() - began
    daemon.journal.flush(timeout=600)
    written = time.perf_counter() - began
    live = state(daemon, events[-1].at + 1.0)
    daemon.journal.close()
    daemon.directory.close()
    return events, applied, written, live


def measure(args: argparse.Namespace, calls: int, scratch: Path) -> None:
    url = args.url or f"sqlite:///{scratch / 'store.sqlite3'}"
    if args.url:  # a shared server: start from an empty journal
        from acd.store import db

        db.migrate(url)
        engine = db.engine(url)
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM journal")
        engine.dispose()
    events, applied, written, live = live_day(url, scratch, args.agents, args.open, calls)
    now = events[-1].at + 1.0
    runs = []
    for _ in range(args.runs):
        out = subprocess.run(
            [sys.executable, __file__, CHILD, url, str(scratch), repr(now)],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    best = min(runs, key=lambda r: r["folded"] - r["start"])
    total = best["folded"] - best["start"]
    print(
        f"day of {calls} calls, {args.agents} agents, {args.open} open: {len(events)} events; "
        f"live apply {applied:.2f} s, journaled (on disk) after {written:.2f} s "
        f"({len(events) / written:,.0f} rows/s)"
    )
    print(
        f"  restart (best of {args.runs}): process start to folded state {total * 1000:.0f} ms = "
        f"imports {(best['loaded'] - best['start']) * 1000:.0f} ms + daemon built "
        f"{(best['built'] - best['loaded']) * 1000:.0f} ms + fold "
        f"{(best['folded'] - best['built']) * 1000:.0f} ms (read and decode {best['read_s'] * 1000:.0f} ms, "
        f"replay {best['replay_s'] * 1000:.0f} ms, {best['entries']} entries, "
        f"{(best['folded'] - best['built']) / max(1, best['entries']) * 1e6:.1f} us each); "
        f"state equals the live one: {'yes' if best['state'] == live else 'NO'}"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == CHILD:
        child(sys.argv[2], Path(sys.argv[3]), float(sys.argv[4]))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--open", type=int, default=500)
    parser.add_argument("--calls", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--url", default="", help="a PostgreSQL URL (default: a scratch SQLite file)")
    args = parser.parse_args()
    for calls in args.calls:
        with tempfile.TemporaryDirectory(prefix="acd-restart-") as scratch:
            measure(args, calls, Path(scratch))


if __name__ == "__main__":
    main()
