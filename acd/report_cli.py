"""`acd report`: the figures of docs/metrics.md from the journal, for a day or a range, per
interval and queue, line, agent or the center; a table, CSV, or a chart as PNG or SVG."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from acd.asterisk import queue_log
from acd.asterisk.queue_log_figures import interval_tallies
from acd.config import Config
from acd.config_journal import Days
from acd.core.figures import DIMENSIONS, INTERVALS
from acd.core.figures_counts import FIGURE_NAMES, Tally
from acd.store.figures import figures_spec, report_rows, report_totals

# the table's columns (every figure is in --csv): what a supervisor reads first
SHOWN = ("offered", "answered", "abandoned", "service_level", "abandon_rate", "asa", "aht", "fcr")
SHARES = frozenset(
    {"service_level", "sl1", "sl2", "sl_offered", "answer_rate", "abandon_rate", "occupancy", "fcr"}
    | {"resolution_rate", "closed_here", "escalation_rate", "callback_rate", "conversion_rate"}
)
CHARTS = ("volume", "service_level", "answered_abandoned", "handle_time")


def add_parser(verbs: argparse._SubParsersAction, run: Callable[..., int]) -> None:
    report = verbs.add_parser("report", help="the day's figures (docs/metrics.md): table, CSV, chart")
    report.add_argument("--day", type=dt.date.fromisoformat, help="YYYY-MM-DD (default: today)")
    report.add_argument("--from", dest="first", type=dt.date.fromisoformat, help="a range's first day")
    report.add_argument("--to", dest="last", type=dt.date.fromisoformat, help="a range's last day")
    report.add_argument("--by", choices=DIMENSIONS, default="queue")
    report.add_argument("--interval", type=int, choices=INTERVALS, default=60, help="minutes")
    report.add_argument("--totals", action="store_true", help="one row per key for the whole range")
    report.add_argument("--csv", action="store_true", help="CSV on stdout, every figure")
    report.add_argument("--chart", choices=CHARTS, help="draw this chart to --out instead")
    report.add_argument("--out", type=Path, help="the chart's file: .png or .svg")
    report.add_argument(
        "--queue-log", type=Path, help="count from an Asterisk queue_log instead (per queue: what it records)"
    )
    report.set_defaults(func=run)


def run(config: Config, args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    today = Days(config.timezone).date(dt.datetime.now().timestamp())
    first = args.first or args.day or today
    last = args.last or args.day or first
    if args.chart and (args.out is None or args.out.suffix not in (".png", ".svg")):
        print("acd report: --chart needs --out FILE.png or FILE.svg", file=sys.stderr)
        return 2
    try:
        if args.queue_log is not None:
            rows = queue_log_rows(config, args.queue_log, first, last, args.interval)
        elif args.totals:
            totals = report_totals(config, first, last, args.by)
            rows = [{"day": f"{first}..{last}", "label": "", "key": k, **v} for k, v in totals.items()]
        else:
            rows = report_rows(config, first, last, args.by, args.interval)
    except ValueError as exc:
        print(f"acd report: {exc}", file=sys.stderr)
        return 2
    if args.chart:
        from acd.report_charts import draw  # matplotlib only when a chart is asked for

        draw(rows, args.chart, args.out, f"{args.by}, {first}..{last}")
        print(f"{args.out}: {args.chart}, {len(rows)} rows", file=out)
    elif args.csv:
        write_csv(rows, out)
    else:
        Console(file=out, width=140).print(table(rows, f"{args.by} per {args.interval} min, {first}..{last}"))
    return 0


def write_csv(rows: list[dict[str, Any]], out: TextIO) -> None:
    writer = csv.writer(out)
    writer.writerow(["day", "start", "key", *FIGURE_NAMES])
    for row in rows:
        key = row["key"]
        safe = "'" + key if key and key[0] in "=+-@" else key  # a spreadsheet never runs a key as a formula
        writer.writerow(
            [row["day"], row["label"], safe, *("" if row[n] is None else row[n] for n in FIGURE_NAMES)]
        )


def table(rows: list[dict[str, Any]], title: str) -> Table:
    shown = Table(title=title)
    for name in ("day", "start", "key", *SHOWN):
        shown.add_column(name, justify="left" if name in ("day", "start", "key") else "right")
    for row in rows:
        shown.add_row(row["day"], row["label"], row["key"], *(_cell(n, row[n]) for n in SHOWN))
    if not rows:
        shown.caption = "no calls in the journal for these days"
    return shown


def _cell(name: str, value: object) -> str:
    if value is None:
        return "-"
    if name in SHARES and isinstance(value, float):
        return f"{value:.1%}"
    return str(value)


def queue_log_rows(config: Config, path: Path, first: dt.date, last: dt.date, minutes: int) -> list[dict]:
    """Per queue and interval, what queue_log alone records (history before the engine ran)."""
    days, spec = Days(config.timezone), figures_spec(config)
    entries = [e for e in queue_log.read(path) if first <= days.date(e.time) <= last]
    rows = []
    for day in sorted({days.date(e.time) for e in entries}):
        mine = [e for e in entries if days.date(e.time) == day]
        tallies = interval_tallies(mine, days, spec.service_levels, spec.short_abandon)
        for queue, slots in sorted(tallies.items()):
            grouped: dict[int, Tally] = {}
            for slot, tally in slots.items():
                grouped.setdefault(slot // (minutes // 15), Tally()).add(tally)
            for group, tally in sorted(grouped.items()):
                clock = group * minutes * 60
                label = f"{clock // 3600:02d}:{clock % 3600 // 60:02d}"
                rows.append({"day": day.isoformat(), "label": label, "key": queue, **tally.figures()})
    return rows
