"""`acd demo`: a simulated day on the embedded defaults, with a live view of the queues.

Brings up the chrooted PBX and the daemon, puts simulated agents and a supervisor on their
phones, streams everyday callers and plays a round of scripted moments again and again
(demo_day.py), draws the queues from the daemon's status API and the moments from its journal,
and ends (Ctrl-C, or after `--seconds`) with a summary checked against Asterisk's queue_log.
"""

from __future__ import annotations

import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from acd import config as config_module
from acd.asterisk import queue_log
from acd.config import Config
from acd.lab import demo_config
from acd.lab.daemon_proc import DaemonProcess
from acd.lab.demo_day import ROUND_S, Day
from acd.lab.demo_moments import Moments, moments_table
from acd.lab.demo_signin import print_addresses
from acd.lab.demo_wrapup import WrapUps
from acd.lab.redis_proc import RedisServer
from acd.lab.view import counted, counts, lines, live_view, summary_table
from acd.pbx.control import Pbx
from ivr import menu

DRAIN_S = 60.0  # after --seconds: the last callers' wait, talk and callback
TICKER = 8  # moments shown under the queues


def run(config: Config, config_path: Path, seconds: float | None) -> int:
    # wide enough for the tables when the output is a log file rather than a terminal
    console = Console() if sys.stdout.isatty() else Console(width=140)
    work = Pbx(config).state_dir.parent / "demo"  # sipp and daemon logs, kept for a look afterwards
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    demo_path = demo_config.derive(Path(config_path), work)
    config = config_module.load(demo_path)
    pbx = Pbx(config)
    console.rule("[bold]acd demo: a simulated day")
    redis = RedisServer(config.redis.url, work / "redis", config.redis.password)
    daemon = DaemonProcess(config, demo_path, work / "daemon.log")
    day = Day(config, work, daemon, seconds, pbx.cli)
    started_at = time.time()
    moments = Moments(config.store.url, frozenset(config.routing.ivr), _vip_priority(config), started_at)
    wrapups = WrapUps(config, daemon, {a.number for a in config.agents if a.phone})
    ends: dict[int, Any] = {}
    try:
        boot = pbx.up(say=console.print)
        redis.start()  # live agent state
        daemon.start()
        before = counts(daemon.state())  # the day so far: an earlier demo today counted too
        print_addresses(console, config, daemon.base)
        day.start()
        length = "until Ctrl-C" if seconds is None else f"for {seconds:.0f} s"
        console.print(
            f"{len(day.phones)} phones registered; everyday callers and a round of scripted "
            f"moments every {ROUND_S:.0f} s, {length}\n"
        )
        ends = {sig: signal.signal(sig, _end_the_day) for sig in (signal.SIGINT, signal.SIGTERM)}
        state = live_view(
            console, daemon, seconds, DRAIN_S, lambda s: _step(day, moments, wrapups, s), day.busy
        )
        for sig in ends:  # the summary and the cleanup run to their end
            signal.signal(sig, signal.SIG_IGN)
        day.stop()
        pbx.cli("channel request hangup all")
        state = _settled(daemon)
        moments.poll()
        for agent, call, queue in moments.take_completed():  # the last calls' coding
            wrapups.after_call(agent, call, queue)
        wrapups.finish()
        moments.poll()
        logged = _logged(pbx, started_at)
        console.print()
        console.print(summary_table(state, logged, before, boot))
        console.print(moments_table(moments))
        for note in [*day.notes, *wrapups.refused]:
            console.print(f"[yellow]{note}")
        console.print(f"logs: {work}")
        agrees = _agrees(state, logged, before)
        return 0 if agrees else 1
    finally:
        wrapups.finish(timeout=1)
        for sig, handler in ends.items():
            signal.signal(sig, handler)
        day.stop()
        moments.close()
        daemon.stop()
        pbx.cli("channel request hangup all")
        pbx.down(say=console.print)
        redis.stop()


def _end_the_day(signum: int, frame: object) -> None:
    """Ctrl-C, or SIGTERM (also where a non-interactive shell ignores SIGINT): the summary."""
    raise KeyboardInterrupt


def _step(day: Day, moments: Moments, wrapups: WrapUps, state: dict) -> list[str]:
    """Play what is due, code the calls just completed, then the latest moments as ticker lines."""
    day.tick(state)
    moments.poll()
    for agent, call, queue in moments.take_completed():
        wrapups.after_call(agent, call, queue)
    shown = sorted(m for m in moments.seen if m[1] != "disposition")[-TICKER:]
    lines = [
        time.strftime("%H:%M:%S ", time.localtime(at)) + f"[cyan]{kind}[/]  {what}"
        for at, kind, what in shown
    ]
    coded = [what for _, kind, what in moments.seen if kind == "disposition"]
    if coded:
        lines.append(f"[cyan]dispositions[/]  {len(coded)} calls coded by their agents; last: {coded[-1]}")
    return lines


def _settled(daemon: DaemonProcess, timeout: float = 10.0) -> dict:
    """The state once the daemon has seen every call end (after the hangups)."""
    try:
        return daemon.wait_for(lambda s: not s["calls"], timeout, "the last calls to end")
    except TimeoutError:
        return daemon.state()


def _vip_priority(config: Config) -> int:
    return menu.load(config.ivr_path(), queues=[q.name for q in config.queues]).vip_priority


def _logged(pbx: Pbx, since: float) -> dict[str, tuple[int, int]]:
    """queue_log's (answered, abandoned) per queue for the demo's calls. Counted by entry, not
    by call: an escalated call is answered in each queue it reached."""
    counts: dict[str, list[int]] = {}
    for entry in queue_log.read(pbx.queue_log):
        if entry.time >= int(since) and entry.verb in ("CONNECT", "ABANDON"):
            counts.setdefault(entry.queue, [0, 0])[entry.verb == "ABANDON"] += 1
    return {queue: (answered, abandoned) for queue, (answered, abandoned) in counts.items()}


def _agrees(state: dict, logged: dict[str, tuple[int, int]], before: dict[str, tuple[int, int]]) -> bool:
    """What the daemon counted during the demo equals queue_log's answered/abandoned."""
    return all(counted(q, before.get(name, (0, 0))) == logged.get(name, (0, 0)) for name, q in lines(state))
