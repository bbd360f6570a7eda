"""The demo's terminal view: queues as a call-center wallboard, drawn from the status API."""

from __future__ import annotations

import time
from collections.abc import Callable

from rich import box
from rich.console import Console, Group
from rich.live import Live
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from acd.core.tiers import PERSONAL
from acd.lab.daemon_proc import DaemonProcess


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
    console: Console,
    daemon: DaemonProcess,
    seconds: float | None,
    drain: float,
    step: Callable[[dict], list[str]],
    busy: Callable[[], bool],
) -> dict:
    """Redraw twice a second until the callers are done and the queues are empty (never, with
    `seconds` None: until Ctrl-C). `step` is given each state and returns the ticker's lines."""
    progress = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console)
    task = progress.add_task("calls arriving (Ctrl-C ends the day)", total=seconds)
    started = time.monotonic()
    state = daemon.state()
    with Live(console=console, refresh_per_second=4, transient=False) as live:
        try:
            while True:
                elapsed = time.monotonic() - started
                state = daemon.state()
                ticker = step(state)
                ending = seconds is not None and elapsed >= seconds
                overdue = seconds is not None and elapsed >= seconds + drain
                progress.update(
                    task,
                    completed=elapsed if seconds is None else min(elapsed, seconds),
                    description="last calls ending" if ending else "calls arriving (Ctrl-C ends the day)",
                )
                live.update(Group(progress, queue_table(state), agents_line(state), *ticker))
                if ending and (not (busy() or state["calls"]) or overdue):
                    return state
                time.sleep(0.5)
        except KeyboardInterrupt:
            console.print("[yellow]Ctrl-C: the day ends here")
            return state


def counts(state: dict) -> dict[str, tuple[int, int]]:
    """(answered, abandoned) per line: the day's so far (a restart folds the day back)."""
    return {name: (q["answered"], q["abandoned"]) for name, q in lines(state)}


def counted(queue: dict, before: tuple[int, int]) -> tuple[int, int]:
    """What the queue counted since `before`."""
    return queue["answered"] - before[0], queue["abandoned"] - before[1]


def summary_table(
    state: dict, logged: dict[str, tuple[int, int]], before: dict[str, tuple[int, int]], boot_s: float
) -> Table:
    """`logged`: queue_log's (answered, abandoned) per queue since the demo began, the check on
    what the daemon counted meanwhile (its day's counts less `before`, those at the start)."""
    table = Table(
        title=f"Summary of the day so far (PBX booted in {boot_s:.2f} s); this run's "
        "answered/abandoned checked against Asterisk's queue_log",
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
        "this run",
        "queue_log",
    ):
        table.add_column(column, justify="left" if column == "queue" else "right", no_wrap=True)
    for name, q in lines(state):
        answered, abandoned = logged.get(name, (0, 0))
        mine = counted(q, before.get(name, (0, 0)))
        agree = mine == (answered, abandoned)
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
            f"{mine[0]}/{mine[1]}",
            f"{answered}/{abandoned} " + ("[green]ok" if agree else "[red]differ"),
        )
    return table
