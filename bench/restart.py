"""Restart with memory: from process start to the day's state folded back from the journal.

    python bench/restart.py [--agents 1000] [--open 500] [--calls 5000 20000] [--url URL]

A made-up day (tests/lab/day.py: agents logging in, calls answered, abandoned, timed out or
ended in the IVR, and at the end `--open` calls still waiting or talking, as at a kill -9)
is applied to a daemon (acd.service.Daemon.apply: the journal, the read model and every
adapter, AMI not connected) on a fresh store. Then, per day size, a new process starts
(`python bench/restart.py --child`) starts as `acd run` does (the collector off from the first
import, the project's bytecode compiled ahead as an installed package has it), imports the
daemon, builds it on that store, folds the day back (what Daemon.remember does before AMI
connects) and settles the collector (acd/garbage.py), twice, side by side: the plain
full fold of the day, and the newest checkpoint (acd/core/checkpoint.py, taken by the live
daemon every journal.checkpoint_every entries; a kill -9 leaves none at stop) put back plus
the fold of the tail after it. Figures: the journal's rows, time to write them, each
checkpoint's pause of the reactor (the fork of its child) and its capture, encoding and
write, and per mode the child's time from exec to folded state (imports, construction, the
checkpoint put back, the tail read and replayed, the collector settled);
whether the folded state is exactly the live one (the status snapshot and every folded
model's whole state compared). Not included: the AMI resync that follows (QueueStatus on the
real PBX). Target: <= 1 s. Asserts nothing.

Last measured 2026-12-03 (best of 3): from the newest checkpoint, 770 ms for a day of 5,000
calls (imports 555 ms, the checkpoint put back 162 ms) and 1,294 ms for 20,000 (imports 737,
put back 487); the whole day folded 1,438 and 4,560 ms; the state equal to the live one in all.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

T0 = time.time()  # as early as this process can take it: the child's "process start"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/lab: the made-up day

CHILD = "--child"
if sys.argv[1:2] == [CHILD]:
    gc.disable()  # as acd/__main__.py starts `acd run`: the collector off until settled


def config_for(url: str, scratch: Path):
    from acd import config as config_module

    raw = config_module.read_yaml(config_module.DEFAULT_PATH)
    raw["store"] = {"url": url}
    raw["pbx"] = {**raw["pbx"], "state_dir": str(scratch / "state")}
    return config_module.parse(raw)


def state(daemon, now: float) -> str:
    """What the status API shows (calls, queues, agents) and every folded model's whole state
    (sets in a canonical order): equal means equal."""
    from acd.core.snapshot import snapshot

    shot = snapshot(daemon.center, now, recent=10_000, book=daemon.book)
    models = {name: _sets_sorted(m.to_state()) for name, m in daemon.folded.items()}
    return json.dumps([shot, models], sort_keys=True, default=str)


def _sets_sorted(value):
    if isinstance(value, list):
        return [_sets_sorted(v) for v in value]
    if isinstance(value, dict):
        found = {k: _sets_sorted(v) for k, v in value.items()}
        if "$s" in found:
            found["$s"] = sorted(found["$s"], key=json.dumps)
        return found
    return value


def child(url: str, scratch: Path, now: float, mode: str) -> None:
    """Start as the daemon does: import, build, fold (the whole day, or the newest checkpoint
    and the tail after it). Prints one JSON line of timings."""
    imported = time.time()
    from acd import cli  # noqa: F401  what `acd run` imports first: its verbs' table
    from acd.garbage import gc_paused, settle
    from acd.restore import Checkpoints, put_back
    from acd.service import Daemon
    from ivr import menu

    loaded = time.time()
    daemon = Daemon(config_for(url, scratch), menu.load())
    built = time.time()
    since, last = daemon.days.start(now), daemon.journal.last_seq()
    with gc_paused():  # as acd/restore.py folds, either way
        put_started = time.perf_counter()
        checkpoints = Checkpoints(daemon.snapshots, daemon.folded)
        after = put_back(checkpoints, daemon.journal, since, last) if mode == "checkpoint" else 0
        put_s = time.perf_counter() - put_started
        read_started = time.perf_counter()
        tail = (
            daemon.journal.iter_tail(after, since) if after else daemon.journal.between(since, float("inf"))
        )
        entries = list(tail)
        read_s = time.perf_counter() - read_started
        replay_started = time.perf_counter()
        for entry in entries:
            daemon.bus.replay(entry)
        replay_s = time.perf_counter() - replay_started
    folded = time.time()
    settle()  # what `acd run` does once started: collect and freeze the day
    settled = time.time()
    daemon.sequence.last = last
    timings = {"start": T0, "imported": imported, "loaded": loaded, "built": built, "folded": folded}
    timings["settled"] = settled
    found = {"put_s": put_s, "read_s": read_s, "replay_s": replay_s, "entries": len(entries), "after": after}
    print(json.dumps({**timings, **found, "state": state(daemon, now)}))
    daemon.journal.close()
    daemon.directory.close()


def live_day(url: str, scratch: Path, agents: int, open_calls: int, calls: int, timer: bool = True):
    """Apply the day to a daemon on a fresh store, checkpoints taken as it runs (every
    journal.checkpoint_every entries, and with `timer` every checkpoint_minutes of the day's
    clock; a kill -9 then: none at stop); (events, seconds to apply, seconds to journal them,
    the live state, the checkpoints' capture and write)."""
    from twisted.internet import defer

    from acd.service import Daemon
    from acd.store import db
    from ivr import menu
    from tests.lab.day import Shape, day

    db.migrate(url)
    daemon = Daemon(config_for(url, scratch), menu.load())
    daemon.checkpointer.run = timed(defer.maybeDeferred, spent := [])  # waited for on this thread, timed
    daemon.checkpointer.clock = lambda: 0.0  # no rest between two: the day comes all at once
    queues = tuple(q.name for q in daemon.config.queues)
    now = time.time()
    start = daemon.days.start(now)
    hours = max(1.0, min(10.0, (now - start) / 3600 - 0.1))  # the day must be today's
    events = day(start + 30.0, Shape(agents, calls, open_calls, hours, queues))
    daemon.remember(start + 1.0)
    began = time.perf_counter()
    every = daemon.config.journal.checkpoint_minutes * 60.0
    turn = events[0].at + every
    for event in events:
        if timer and event.at >= turn:  # the daemon's timer, on the PBX's clock (the day runs faster here)
            daemon.checkpointer.tick()
            turn += every
        daemon.apply(event)
    applied = time.perf_counter() - began
    daemon.journal.flush(timeout=600)
    written = time.perf_counter() - began
    live = state(daemon, events[-1].at + 1.0)
    daemon.journal.close()
    daemon.directory.close()
    return events, applied, written, live, spent


def timed(run, spent: list):
    """The checkpointer's runner, measuring the reactor's pause (the fork) and the rest (the
    child's capture and encoding, the write)."""

    def wrapped(f, seq, text, paused):
        started = time.perf_counter()
        result = run(f, seq, text, paused)
        spent.append((seq, paused, time.perf_counter() - started))
        return result

    return wrapped


def fresh(url: str) -> None:
    """A shared server: start from an empty journal and no checkpoints."""
    from acd.store import db

    db.migrate(url)
    engine = db.engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM journal")
        connection.exec_driver_sql("DELETE FROM journal_snapshots")
    engine.dispose()


def compiled(scratch: Path) -> dict[str, str]:
    """The children's environment: the project's bytecode compiled ahead, as an installed
    package has it (pip compiles at install; here PYTHONDONTWRITEBYTECODE may be set), in a
    cache of the scratch folder's, not the tree's."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "acd"), str(ROOT / "ivr"), str(ROOT / "tests")],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return env


def restarts(args: argparse.Namespace, url: str, scratch: Path, now: float, mode: str) -> dict:
    runs, env = [], compiled(scratch)
    for _ in range(args.runs):
        out = subprocess.run(
            [sys.executable, __file__, CHILD, url, str(scratch), repr(now), mode],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return min(runs, key=lambda r: r["settled"] - r["start"])


def measure(args: argparse.Namespace, calls: int, scratch: Path) -> None:
    url = args.url or f"sqlite:///{scratch / 'store.sqlite3'}"
    if args.url:
        fresh(url)
    events, applied, written, live, spent = live_day(
        url, scratch, args.agents, args.open, calls, not args.count_only
    )
    now = events[-1].at + 1.0
    print(
        f"day of {calls} calls, {args.agents} agents, {args.open} open: {len(events)} events; "
        f"live apply {applied:.2f} s (checkpoints included), journaled (on disk) after {written:.2f} s "
        f"({len(events) / written:,.0f} rows/s)"
    )
    print(
        f"  {len(spent)} checkpoints ({'N entries' if args.count_only else 'N entries or M minutes'}): "
        f"{spread(spent)}"
    )
    print(
        f"  restart, best of {args.runs}: process start to folded state and the collector settled"
        " (bytecode compiled ahead, as installed):"
    )
    for mode in ("full", "checkpoint"):
        best = restarts(args, url, scratch, now, mode)
        print(f"    {mode:>10}: {line(best, live)}")


def spread(spent: list) -> str:
    if not spent:
        return "none"
    captures, writes = sorted(c for _, c, _ in spent), sorted(w for _, _, w in spent)
    middle = len(spent) // 2
    return (
        f"the reactor paused (fork) median {captures[middle] * 1000:.1f} ms,"
        f" max {captures[-1] * 1000:.1f} ms; "
        f"captured, encoded (the child) and written median {writes[middle] * 1000:.0f} ms,"
        f" max {writes[-1] * 1000:.0f} ms"
    )


def line(best: dict, live: str) -> str:
    total = best["settled"] - best["start"]
    fold = best["folded"] - best["built"]
    return (
        f"{total * 1000:.0f} ms = imports {(best['loaded'] - best['start']) * 1000:.0f} ms + built "
        f"{(best['built'] - best['loaded']) * 1000:.0f} ms + fold {fold * 1000:.0f} ms "
        f"+ settled {(best['settled'] - best['folded']) * 1000:.0f} ms "
        f"(checkpoint at {best['after'] or '-'} put back {best['put_s'] * 1000:.0f} ms, "
        f"read {best['read_s'] * 1000:.0f} ms and replay {best['replay_s'] * 1000:.0f} ms of "
        f"{best['entries']} entries); state equals the live one: {'yes' if best['state'] == live else 'NO'}"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == CHILD:
        child(sys.argv[2], Path(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--open", type=int, default=500)
    parser.add_argument("--calls", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--count-only",
        action="store_true",
        help="no timer: checkpoints every N entries only (the longest tail)",
    )
    parser.add_argument("--url", default="", help="a PostgreSQL URL (default: a scratch SQLite file)")
    args = parser.parse_args()
    for calls in args.calls:
        with tempfile.TemporaryDirectory(prefix="acd-restart-") as scratch:
            measure(args, calls, Path(scratch))


if __name__ == "__main__":
    main()
