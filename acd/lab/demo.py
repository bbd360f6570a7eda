"""`acd demo`: the whole engine on the embedded defaults, with a live view of the queues.

Brings up the chrooted PBX and the daemon, registers four sipp agents, streams sipp callers
into `support` and `sales` for a while, draws the queues from the daemon's status API, and
ends with a summary checked against Asterisk's own queue_log.
"""

from __future__ import annotations

import random
import shutil
import sys
import time
from pathlib import Path

from rich.console import Console

from acd.asterisk import queue_log
from acd.config import Config
from acd.lab import sipp
from acd.lab.daemon_proc import DaemonProcess
from acd.lab.redis_proc import RedisServer
from acd.lab.view import lines, live_view, summary_table
from acd.pbx.control import Pbx

AGENT_TALK_MS = {"1001": 7000, "1002": 8000, "1003": 9000, "1004": 6000}
CALL_RATE = 0.6  # calls/s offered, about 70 % support and 30 % sales
PATIENCE_MS = 20000  # callers hang up after waiting this long
TRUNK_PORT = 5080  # the carrier's source port in config/acd.yaml
DRAIN_S = 45.0


def run(config: Config, config_path: Path, seconds: float) -> int:
    # wide enough for the tables when the output is a log file rather than a terminal
    console = Console() if sys.stdout.isatty() else Console(width=120)
    pbx = Pbx(config)
    console.rule("[bold]acd demo")
    boot = pbx.up(say=console.print)
    started_at = time.time()
    work = pbx.state_dir.parent / "demo"  # sipp and daemon logs, kept for a look afterwards
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    redis = RedisServer(config.redis.url, work / "redis", config.redis.password)
    redis.start()  # live agent state
    daemon = DaemonProcess(config, config_path, work / "daemon.log")
    phones: list[sipp.Process] = []
    try:
        daemon.start()
        console.print(
            f"daemon up: status on {daemon.base}/api/state "
            "(staff sign-in; role admin sees all: `acd secrets show`)"
        )
        phones = _agents(config, pbx, work)
        calls = _call_plan(config, seconds)
        callers = sipp.callers(
            _target(config),
            work,
            calls,
            trunk_port=TRUNK_PORT,
            media_port=40000,
            rate=CALL_RATE,
            patience_ms=PATIENCE_MS,
        )
        console.print(
            f"{len(phones)} agents registered; {len(calls)} callers arriving "
            f"at {CALL_RATE}/s for {seconds:.0f} s\n"
        )
        state = live_view(console, daemon, callers, seconds, DRAIN_S)
        logged = _demo_calls(pbx, started_at)
        console.print()
        console.print(summary_table(state, logged, boot))
        return 0 if _agrees(state, logged) else 1
    finally:
        for phone in phones:
            phone.stop()
        daemon.stop()
        pbx.cli("channel request hangup all")
        pbx.down(say=console.print)
        redis.stop()


def _target(config: Config) -> sipp.Pbx:
    return sipp.Pbx(config.pbx.sip.host, config.pbx.sip.port)


def _agents(config: Config, pbx: Pbx, work: Path) -> list[sipp.Process]:
    phones = {p.name: p.password for p in config.phones}
    started: list[sipp.Process] = []
    # agents without a seat would log in first
    seated = [(a.number, a.phone) for a in config.agents if a.phone]
    for i, (number, phone) in enumerate(seated):
        talk = AGENT_TALK_MS.get(number, 7000)
        started.append(
            sipp.AgentPhone(
                _target(config),
                work,
                phone,
                phones[phone],
                6001 + i,
                talk,
                media_port=41000 + 20 * i,
            )
        )
    return started


def _call_plan(config: Config, seconds: float) -> list[tuple[str, str]]:
    """Caller and dialled number for each call; seeded, so every demo plays the same day."""
    rng = random.Random(7)
    numbers = {queue: number for number, queue in config.routing.numbers.items()}
    count = max(1, round(seconds * CALL_RATE))
    plan = []
    for _ in range(count):
        queue = "sales" if rng.random() < 0.3 and "sales" in numbers else config.routing.default_queue
        plan.append((f"+4930{rng.randrange(1000000, 9999999)}", numbers.get(queue, "100")))
    return plan


def _demo_calls(pbx: Pbx, since: float) -> dict[str, queue_log.QueuedCall]:
    entries = [e for e in queue_log.read(pbx.queue_log) if e.time >= int(since)]
    return queue_log.calls(entries)


def _agrees(state: dict, logged: dict[str, queue_log.QueuedCall]) -> bool:
    """The daemon's answered/abandoned counts equal queue_log's for the demo's calls."""
    for name, queue in lines(state):
        mine = [c for c in logged.values() if c.queue == name]
        answered = sum(1 for c in mine if c.outcome in ("connected", "completed"))
        abandoned = sum(1 for c in mine if c.outcome == "abandoned")
        if (queue["answered"], queue["abandoned"]) != (answered, abandoned):
            return False
    return True
