"""`acd staffing`: agents, seats and trunk channels per interval from calls offered
(docs/planning.md); Erlang C, or Erlang A when the callers' patience is given."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO, TypeVar

from rich.console import Console
from rich.table import Table

from acd.config import Config
from acd.planning.forecast import WEEKDAYS, Observed, busiest_weekday, clock, forecast
from acd.planning.shifts import ShiftPlan, plan_shifts
from acd.planning.staffing import IntervalPlan, Targets, plan_day

Interval = tuple[str, float, float | None]  # label, calls, AHT (None: --aht)
T = TypeVar("T")


def add_parser(verbs: argparse._SubParsersAction, run: Callable[..., int]) -> None:
    staffing = verbs.add_parser("staffing", help="agents and trunks needed per interval (Erlang C / A)")
    staffing.add_argument("calls", nargs="*", type=float, help="calls offered per interval, in order")
    staffing.add_argument("--csv", type=Path, help="a CSV of interval,calls[,aht] instead (a header is fine)")
    staffing.add_argument("--aht", type=float, help="average handle time, seconds (talk + hold + wrap-up)")
    staffing.add_argument("--interval-minutes", type=int, choices=(15, 30, 60), help="minutes per interval")
    staffing.add_argument("--start", default="08:00", help="the first interval's start, HH:MM (labels only)")
    staffing.add_argument("--target", type=float, help="service level: share answered within --within")
    staffing.add_argument("--within", type=float, help="service level's answer time, seconds")
    staffing.add_argument("--patience", type=float, help="callers' mean patience, seconds: Erlang A")
    staffing.add_argument("--shrinkage", type=float, help="share of paid time off the phones")
    staffing.add_argument("--max-occupancy", type=float, help="occupancy cap, a share")
    staffing.add_argument("--trunk-headroom", type=float, help="lines = Erlang B's x this (practice: >= 1.5)")
    staffing.add_argument("--ivr-seconds", type=float, help="mean seconds a caller spends in the IVR")
    staffing.add_argument("--blocking", type=float, help="share of attempts that may find every line busy")
    staffing.add_argument(
        "--trunk-limit", type=int, help="channels the trunks allow (default: planning.trunk_channels)"
    )
    staffing.add_argument(
        "--history", type=_date_range, help="FIRST..LAST (YYYY-MM-DD): forecast the calls from these days"
    )
    staffing.add_argument(
        "--queue-log", type=Path, help="with --history: count an Asterisk queue_log instead"
    )
    staffing.add_argument(
        "--weekday", choices=WEEKDAYS, help="with --history: the day to plan (default: the busiest)"
    )
    staffing.add_argument("--shifts", action="store_true", help="a plan of 12-, 8- and 6-hour shifts")
    staffing.add_argument("--chart", type=Path, help="draw need (and the shifts) per interval: .png or .svg")
    staffing.set_defaults(func=run)


def run(config: Config, args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    defaults = config.planning
    minutes = args.interval_minutes or defaults.interval
    if args.chart is not None and args.chart.suffix not in (".png", ".svg"):
        print("acd staffing: --chart needs FILE.png or FILE.svg", file=sys.stderr)
        return 2
    notes: list[str] = []
    try:
        if args.history is not None:
            if args.calls or args.csv is not None:
                raise ValueError("--history plans from the journal: give no calls and no --csv with it")
            intervals, notes = from_history(config, args, minutes)
        elif args.queue_log is not None or args.weekday is not None:
            raise ValueError("--queue-log and --weekday go with --history")
        elif args.csv is not None:
            intervals = read_csv(args.csv)
        else:
            intervals = labelled(args.calls, args.start, minutes)
        if not intervals:
            raise ValueError("give the calls per interval, or --csv FILE")
        if args.aht is None and any(aht is None for _, _, aht in intervals):
            raise ValueError("--aht is needed (or an aht column in the CSV)")
        targets = Targets(
            service_level=_pick(args.target, defaults.service_level),
            within=_pick(args.within, defaults.within),
            max_occupancy=_pick(args.max_occupancy, defaults.max_occupancy),
            shrinkage=_pick(args.shrinkage, defaults.shrinkage),
            patience=_pick(args.patience, defaults.patience),
            ivr_seconds=_pick(args.ivr_seconds, defaults.ivr_seconds),
            blocking=_pick(args.blocking, defaults.blocking),
            trunk_headroom=_pick(args.trunk_headroom, defaults.trunk_headroom),
            trunk_limit=_pick(args.trunk_limit, defaults.trunk_channels),
        )
        plans = plan_day(
            [(calls, aht if aht is not None else args.aht) for _, calls, aht in intervals],
            minutes * 60,
            targets,
        )
        shifts = plan_shifts([p.scheduled for p in plans], minutes) if args.shifts else None
    except (ValueError, OSError) as exc:
        print(f"acd staffing: {exc}", file=sys.stderr)
        return 2
    labels = [label for label, _, _ in intervals]
    console = Console(file=out, width=150)
    for note in notes:
        console.print(note)
    console.print(table(labels, plans, targets, minutes))
    for line in summary(plans, targets, minutes):
        console.print(line)
    if shifts is not None:
        console.print(shift_table(labels, shifts))
        extra = shifts.agent_hours / shifts.need_hours - 1 if shifts.need_hours else 0.0
        console.print(
            f"shifts: {shifts.agent_hours:g} agent-hours for a need of {shifts.need_hours:g} (+{extra:.1%})"
        )
    if args.chart is not None:
        from acd.staffing_chart import draw  # matplotlib only when a chart is asked for

        scheduled = None if shifts is None else shifts.scheduled
        agents, seats = [p.agents for p in plans], [p.scheduled for p in plans]
        draw(labels, agents, seats, scheduled, args.chart, f"need per {minutes} min")
        console.print(f"{args.chart}: need per interval{' and the shift plan' if shifts else ''}")
    return 0


def _pick(given: T | None, default: T) -> T:
    return default if given is None else given


def _date_range(text: str) -> tuple[dt.date, dt.date]:
    first, sep, last = text.partition("..")
    try:
        dates = dt.date.fromisoformat(first), dt.date.fromisoformat(last if sep else first)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected YYYY-MM-DD..YYYY-MM-DD") from None
    if dates[1] < dates[0]:
        raise argparse.ArgumentTypeError(f"{text!r}: the range ends before it starts")
    return dates


def from_history(config: Config, args: argparse.Namespace, minutes: int) -> tuple[list[Interval], list[str]]:
    """The weekday's mean calls and AHT per interval over the history's days, with the peaks."""
    from acd.report_cli import queue_log_rows  # the store and queue_log only for this flag
    from acd.store.figures import report_rows

    first, last = args.history
    if args.queue_log is not None:
        rows = queue_log_rows(config, args.queue_log, first, last, minutes)
    else:
        rows = report_rows(config, first, last, "center", minutes)
    history = [
        Observed(
            day=dt.date.fromisoformat(row["day"]),
            minute=int(row["label"][:2]) * 60 + int(row["label"][3:5]),
            offered=float(row["offered"] or 0),
            answered=float(row["answered"] or 0),
            aht=None if row["aht"] is None else float(row["aht"]),
        )
        for row in rows
    ]
    weekday = WEEKDAYS.index(args.weekday) if args.weekday else busiest_weekday(history)
    made = forecast(history, weekday, minutes)
    peaks = ", ".join(f"{clock(a)}-{clock(b)}" for a, b in made.peaks) or "none"
    source = args.queue_log or "the journal"
    notes = [
        f"forecast: the mean of {made.days} {WEEKDAYS[weekday]}(s) in {first}..{last} from {source}; "
        f"peaks {peaks}"
    ]
    return [(clock(m), n, a) for m, n, a in zip(made.starts, made.calls, made.aht, strict=True)], notes


def labelled(calls: list[float], start: str, minutes: int) -> list[Interval]:
    """The positional calls, labelled HH:MM from `start` on."""
    try:
        hours, mins = (int(part) for part in start.split(":"))
    except ValueError:
        raise ValueError(f"--start {start!r}: expected HH:MM") from None
    if not (0 <= hours < 24 and 0 <= mins < 60):
        raise ValueError(f"--start {start!r}: expected HH:MM")
    first = hours * 60 + mins
    return [(_clock(first + i * minutes), n, None) for i, n in enumerate(calls)]


def _clock(minute: int) -> str:
    return f"{minute // 60 % 24:02d}:{minute % 60:02d}"


def read_csv(path: Path) -> list[Interval]:
    """interval,calls[,aht] per row; a first row whose calls are not a number is a header."""
    rows: list[Interval] = []
    with path.open(newline="") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) not in (2, 3):
                raise ValueError(f"{path}:{number}: expected interval,calls[,aht], got {len(row)} fields")
            try:
                calls = float(row[1])
                aht = float(row[2]) if len(row) == 3 and row[2].strip() else None
            except ValueError:
                if number == 1 and not rows:
                    continue  # the header
                raise ValueError(f"{path}:{number}: calls and aht must be numbers") from None
            rows.append((row[0].strip(), calls, aht))
    return rows


def table(labels: list[str], plans: list[IntervalPlan], targets: Targets, minutes: int) -> Table:
    model = "Erlang C" if targets.patience is None else f"Erlang A, patience {targets.patience:g} s"
    shown = Table(
        title=(
            f"staffing per {minutes} min: {targets.service_level:.0%} in {targets.within:g} s, {model}, "
            f"occupancy <= {targets.max_occupancy:.0%}, shrinkage {targets.shrinkage:.0%}"
        )
    )
    names = ("interval", "calls", "aht", "erlangs", "agents", "w/ shrinkage", "SL", "ASA s", "occupancy")
    for name in (*names, "abandon", "trunk E", "trunks"):
        shown.add_column(name, justify="left" if name == "interval" else "right")
    for label, plan in zip(labels, plans, strict=True):
        fig = plan.figures
        shown.add_row(
            label,
            f"{plan.calls:g}" if plan.calls == int(plan.calls) else f"{plan.calls:.1f}",
            f"{plan.aht:g}",
            f"{plan.erlangs:.2f}",
            str(plan.agents),
            str(plan.scheduled),
            f"{fig.service_level:.1%}",
            f"{fig.asa:.1f}",
            f"{fig.occupancy:.1%}",
            "-" if fig.abandon is None else f"{fig.abandon:.1%}",
            f"{plan.trunk_erlangs:.2f}",
            f"{plan.trunks} OVER" if plan.over_limit else str(plan.trunks),
        )
    return shown


def summary(plans: list[IntervalPlan], targets: Targets, minutes: int) -> list[str]:
    """The day in a few lines: peak seats, agent-hours, and the lines against their limit."""
    if not plans:
        return []
    peak = max(plans, key=lambda p: p.scheduled)
    hours = sum(p.scheduled for p in plans) * minutes / 60
    lines = [f"peak: {peak.scheduled} seats ({peak.agents} on the phones); {hours:g} agent-hours scheduled"]
    trunks = max(p.trunks for p in plans)
    headroom = f"x{targets.trunk_headroom:g} headroom, blocking {targets.blocking:.1%}"
    if targets.trunk_limit is None:
        lines.append(f"lines: {trunks} channels at the peak ({headroom}); no trunk limit given to check")
    elif trunks > targets.trunk_limit:
        over = sum(p.over_limit for p in plans)
        lines.append(
            f"lines: OVER THE LIMIT: {trunks} channels needed at the peak ({headroom}), the trunks "
            f"allow {targets.trunk_limit}; {over} interval(s) over"
        )
    else:
        lines.append(
            f"lines: {trunks} channels at the peak ({headroom}), within the trunks' {targets.trunk_limit}"
        )
    if targets.trunk_headroom < 1.5:
        lines.append(f"note: trunk headroom {targets.trunk_headroom:g} is below the practice's 1.5")
    return lines


def shift_table(labels: list[str], plan: ShiftPlan) -> Table:
    """Who starts when, for how long."""
    shown = Table(title="shift plan (12, 8 and 6 h)")
    for name in ("start", "hours", "agents"):
        shown.add_column(name, justify="left" if name == "start" else "right")
    for shift in plan.shifts:
        shown.add_row(labels[shift.start], f"{shift.hours:g}", str(shift.agents))
    return shown
