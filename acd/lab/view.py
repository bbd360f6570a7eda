"""The demo's terminal view: queues as a call-center wallboard, drawn from the status API."""

from __future__ import annotations

import time

from rich import box
from rich.console import Console, Group
from rich.live import Live
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from acd.asterisk import queue_log
from acd.core.tiers import PERSONAL
from acd.lab.daemon_proc import DaemonProcess
from acd.lab.sipp import Process


def lines(state: dict) -> list[tuple[str, dict]]:
    """The service lines; agents' own queues (repeat callers) are not wallboard rows."""
    return [(name, q) for name, q in state["queues"].items() if not name.startswith(PERSONAL)]


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}s"


def queue_table(state: dict) -> Table:
    table = Table(title="Queues (SL: answered within the threshold)", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in (
        "queue",
        "waiting",
        "longest",
        "talking",
        "free",
        "answered",
        "abandoned",
        "SL",
        "avg wait",
        "avg talk",
    ):
        table.add_column(column, justify="left" if column == "queue" else "right", no_wrap=True)
    for name, q in lines(state):
        table.add_row(
            name,
            str(q["waiting"]),
            _secs(q["longest_wait"]),
            str(q["talking"]),
            f"{q['available']}/{q['members']}",
            str(q["answered"]),
            str(q["abandoned"]),
            f"{_pct(q['service_level'])}/{q['service_level_threshold']:.0f}s",
            _secs(q["average_wait"]),
            _secs(q["average_talk"]),
        )
    return table


def agents_line(state: dict) -> str:
    """One line per agent state; (n) is the calls taken so far."""
    parts = []
    for number, agent in state["agents"].items():
        mark = (
            "[red]on call"
            if agent["in_call"]
            else ("[yellow]paused" if agent["paused"] else f"[green]{agent['device'].replace('_', ' ')}")
        )
        parts.append(f"{number} {mark}[/] ({agent['calls_taken']})")
    return "agents: " + "   ".join(parts)


def live_view(
    console: Console, daemon: DaemonProcess, callers: Process, seconds: float, drain: float
) -> dict:
    """Redraw twice a second until the callers are done and the queues are empty."""
    progress = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console)
    task = progress.add_task("calls arriving", total=seconds)
    started = time.monotonic()
    state = daemon.state()
    with Live(console=console, refresh_per_second=4, transient=False) as live:
        while True:
            elapsed = time.monotonic() - started
            state = daemon.state()
            busy = callers.running() or state["calls"]
            progress.update(
                task,
                completed=min(elapsed, seconds),
                description="calls arriving" if elapsed < seconds else "last calls ending",
            )
            live.update(Group(progress, queue_table(state), agents_line(state)))
            if (elapsed >= seconds and not busy) or elapsed >= seconds + drain:
                return state
            time.sleep(0.5)


def summary_table(state: dict, logged: dict[str, queue_log.QueuedCall], boot_s: float) -> Table:
    table = Table(
        title=f"Summary: PBX booted in {boot_s:.2f} s; answered/abandoned checked "
        "against Asterisk's queue_log",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for column in (
        "queue",
        "offered",
        "answered",
        "abandoned",
        "timed out",
        "SL",
        "avg wait",
        "avg talk",
        "abandon %",
        "queue_log",
    ):
        table.add_column(column, justify="left" if column == "queue" else "right", no_wrap=True)
    for name, q in lines(state):
        mine = [c for c in logged.values() if c.queue == name]
        answered = sum(1 for c in mine if c.outcome in ("connected", "completed"))
        abandoned = sum(1 for c in mine if c.outcome == "abandoned")
        agree = (q["answered"], q["abandoned"]) == (answered, abandoned)
        table.add_row(
            name,
            str(q["offered"]),
            str(q["answered"]),
            str(q["abandoned"]),
            str(q["timed_out"]),
            _pct(q["service_level"]),
            _secs(q["average_wait"]),
            _secs(q["average_talk"]),
            _pct(q["abandon_rate"]),
            f"{answered}/{abandoned} " + ("[green]ok" if agree else "[red]differ"),
        )
    return table
