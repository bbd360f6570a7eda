"""`acd simulate`: a day on the simulator (docs/simulator.md): calls and agents per interval,
or the seeds' 2000-call day; "what if" knobs; a table per interval with 95 % intervals."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import math
import sys
from collections.abc import Callable
from typing import TextIO

from rich.console import Console
from rich.table import Table

from acd.config import Config
from acd.config_journal import Days
from acd.core import callbacks
from acd.planning.staffing import Targets, plan_interval
from acd.sim import arrivals, center, configured, recorded, stats
from acd.sim.scenario import CallbackOffer, Scenario, Service

COLUMNS = ("offered", "answered", "abandoned", "timed_out", "p_wait", "asa", "service_level", "occupancy")
DEFAULT_AHT = 600.0  # the seeds' center: about 60 calls per agent and 12-hour shift
SHARES = frozenset({"p_wait", "service_level", "occupancy", "abandon_rate"})


def per_interval(text: str) -> tuple[float, ...]:
    """A number, or numbers separated by commas (one per interval)."""
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, not {text!r}") from None
    if not values or min(values) < 0:
        raise argparse.ArgumentTypeError("expected numbers >= 0")
    return values


def add_parser(verbs: argparse._SubParsersAction, run: Callable[..., int]) -> None:
    sim = verbs.add_parser("simulate", help="simulate a day: service level per interval for a staffing plan")
    sim.add_argument(
        "--calls", type=per_interval, help="calls per 15-min interval: N or N,N,... (default: the seeds' day)"
    )
    sim.add_argument("--total", type=float, default=2000.0, help="the seeds' day: calls over 08:00-20:30")
    sim.add_argument(
        "--journal-day", type=dt.date.fromisoformat, help="replay this day's calls from the journal"
    )
    sim.add_argument("--journal-queues", help="only these queues' calls (comma-separated; default: all)")
    sim.add_argument("--agents", type=per_interval, default=(40.0,), help="first-line agents: N or N,N,...")
    sim.add_argument(
        "--plan-sl", type=float, help="first-line agents per interval from acd/planning for this SL (0.8)"
    )
    sim.add_argument("--at", action="append", default=[], metavar="HH:MM=N", help="N agents from HH:MM on")
    sim.add_argument("--start", default="08:00", help="the first interval's clock (HH:MM)")
    sim.add_argument(
        "--aht",
        type=float,
        help="mean talk seconds (default: the journal day's, else 600: ~60 calls a 12-h shift)",
    )
    sim.add_argument("--cv", type=float, help="lognormal talk with this coefficient of variation")
    sim.add_argument("--wrapup", type=float, help="after-call seconds (default: the queue's)")
    sim.add_argument("--patience", type=float, help="mean seconds before a caller hangs up")
    sim.add_argument("--sl", type=float, help="T of the service level (default: the queue's)")
    sim.add_argument(
        "--second-line", type=per_interval, default=(), help="second-line agents taking overflow"
    )
    sim.add_argument("--overflow-after", type=float, help="seconds before the second line may take a caller")
    sim.add_argument("--callback-after", type=float, help="offer a callback to callers waiting this long")
    sim.add_argument("--callback-share", type=float, default=0.3, help="the share who take it")
    sim.add_argument("--vip-share", type=float, default=0.0, help="callers queued at VIP priority")
    sim.add_argument(
        "--ring", type=float, default=0.0, help="seconds an agent's phone rings before the answer"
    )
    sim.add_argument(
        "--csv", action="store_true", help="CSV on stdout: every figure with its 95 %% half-width"
    )
    sim.add_argument("--no-answer", type=float, default=0.0, help="share of rings agents let go unanswered")
    sim.add_argument(
        "--repeat-share",
        type=float,
        default=0.0,
        help="repeat callers: their last agent rings first if ready",
    )
    sim.add_argument("--seed", type=int, default=1)
    sim.add_argument("--replications", type=int, default=10)
    sim.add_argument("--warmup", type=int, default=0, help="intervals left out of the figures")
    sim.add_argument("--queue", help="take T, wrap-up and overflow from this configured queue")
    sim.add_argument("--configured", action="store_true", help="acd.yaml's queues, lines and agents instead")
    sim.add_argument("--calls-for", action="append", default=[], metavar="QUEUE=N,N,...", help="--configured")
    sim.add_argument(
        "--group", action="append", default=[], metavar="Q1+Q2=N,N,...", help="agents per skill set"
    )
    sim.set_defaults(func=run)


def knobs_from(config: Config, args: argparse.Namespace, day: recorded.Day | None = None) -> center.Knobs:
    """The knobs from the options; `day`: a recorded day's calls, replayed from `--start`."""
    queue = config.queue(args.queue or config.routing.default_queue)
    calls = args.calls or tuple(arrivals.seeds_day(args.total))
    replay: tuple[tuple[float, int], ...] = ()
    if day is not None:
        start = Days(config.timezone).midnight(args.journal_day) + _minutes(args.start) * 60.0
        replay = tuple((at - start, priority) for at, _, priority in day.calls if at >= start)
        calls = tuple(float(n) for n in recorded.per_interval(day.calls, start)) or (0.0,)
    aht = args.aht or (day.aht() if day is not None else None) or DEFAULT_AHT
    sl = float(queue.service_level if args.sl is None else args.sl)
    agents = [int(a) for a in args.agents]
    if args.plan_sl is not None:  # what acd/planning's Erlang C (A with patience) asks for
        targets = Targets(service_level=args.plan_sl, within=sl, shrinkage=0.0, patience=args.patience)
        agents = [plan_interval(c, aht, 900.0, targets).agents for c in calls]
    agents += [agents[-1]] * (len(calls) - len(agents))
    for change in args.at:
        clock, _, count = change.partition("=")
        first = (_minutes(clock) - _minutes(args.start)) // 15
        agents[max(first, 0) :] = [int(count)] * len(agents[max(first, 0) :])
    return center.Knobs(
        calls=tuple(calls),
        agents=tuple(agents),
        aht=aht,
        cv=args.cv,
        wrapup=float(queue.wrapup if args.wrapup is None else args.wrapup),
        patience=args.patience,
        service_level=sl,
        second_line=tuple(int(a) for a in args.second_line),
        overflow_after=float(queue.overflow_after if args.overflow_after is None else args.overflow_after),
        callback_after=args.callback_after,
        callback_share=args.callback_share,
        vip_share=args.vip_share,
        recorded=replay,
        ring=args.ring,
        no_answer=args.no_answer,
        repeat_share=args.repeat_share,
        last_agent_ring=float(config.routing.last_agent_ring),
    )


def configured_center(
    config: Config, args: argparse.Namespace, knobs: center.Knobs
) -> tuple[Scenario, stats.ArrivalsFor]:
    """acd.yaml's queues and agents; `--calls-for` per queue (else the calls go to the default
    queue), `--group` plans per skill set, the config's callback rules."""
    calls = dict(_pairs(args.calls_for, float)) or {config.routing.default_queue: knobs.calls}
    plans = dict(_pairs(args.group, int))
    service = Service(knobs.aht) if knobs.cv is None else Service(knobs.aht, "lognormal", knobs.cv)
    built, feed = configured.scenario(config, calls, plans, service, knobs.patience, knobs.vip_share)
    built = dataclasses.replace(
        built,
        ring=knobs.ring,
        no_answer=knobs.no_answer,
        repeat_share=knobs.repeat_share,
        last_agent_ring=knobs.last_agent_ring,
    )
    if args.callback_after and config.callback is not None:
        rules = callbacks.Rules(
            config.callback.attempts, config.callback.retry_after, config.callback.give_up_after
        )
        offer = CallbackOffer(
            args.callback_after, args.callback_share, ring=config.callback.ring, rules=rules
        )
        built = dataclasses.replace(built, callback=offer)
    return built, feed


def _pairs(given: list[str], kind: type) -> list[tuple[str, tuple]]:
    """NAME=N,N,... options."""
    found = []
    for item in given:
        name, _, values = item.partition("=")
        if not name or not values:
            raise ValueError(f"expected NAME=N,N,..., not {item!r}")
        found.append((name, tuple(kind(float(v)) for v in values.split(","))))
    return found


def journal_day(config: Config, args: argparse.Namespace) -> recorded.Day:
    """That day's calls and talk times, read from the journal (the store)."""
    from acd.store.journal import Journal  # the store only when a day is replayed

    days = Days(config.timezone)
    start = days.midnight(args.journal_day)
    end = days.midnight(args.journal_day + dt.timedelta(days=1))
    queues = args.journal_queues.split(",") if args.journal_queues else None
    journal = Journal(config.store.url)
    try:
        return recorded.from_events((e.event for e in journal.iter_between(start, end)), queues)
    finally:
        journal.engine.dispose()


def _minutes(clock: str) -> int:
    hours, _, minutes = clock.partition(":")
    return int(hours) * 60 + int(minutes or 0)


def run(config: Config, args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    try:
        knobs = knobs_from(config, args, journal_day(config, args) if args.journal_day else None)
    except (ValueError, KeyError) as exc:
        print(f"acd simulate: {exc}", file=sys.stderr)
        return 2
    try:
        scenario, feed = configured_center(config, args, knobs) if args.configured else center.build(knobs)
    except ValueError as exc:
        print(f"acd simulate: {exc}", file=sys.stderr)
        return 2
    results = stats.replicate(scenario, feed, args.seed, max(args.replications, 1))
    title = f"{len(results)} replications, seed {args.seed}, mean ± 95 % half-width"
    base = _minutes(args.start)
    rows = [
        ("day" if i is None else _clock(base + 15 * i), figures, i is None)
        for i, figures in center.rows(results, scenario.intervals, args.warmup)
    ]
    rows += [(f"day {queue}", figures, True) for queue, figures in queue_rows(results, scenario, args.warmup)]
    if args.csv:
        write_csv(rows, out)
    else:
        columns = (*COLUMNS, "last_agent_answered") if args.repeat_share else COLUMNS
        Console(file=out, width=180 if args.repeat_share else 160).print(table(rows, title, columns))
    return 0


def write_csv(rows: list[tuple[str, dict, bool]], out: TextIO) -> None:
    """Every figure's mean and 95 % half-width per row (empty when undefined)."""
    names = list(rows[0][1]) if rows else []
    writer = csv.writer(out)
    writer.writerow(["start", *(f"{n}{part}" for n in names for part in ("", "_ci95"))])
    for label, figures, _ in rows:
        cells: list[object] = [label]
        for name in names:
            value = figures[name]
            cells += ["", ""] if value is None else [f"{value.mean:.6g}", _half(value)]
        writer.writerow(cells)


def _half(value: stats.Estimate) -> str:
    return "" if math.isnan(value.half) else f"{value.half:.6g}"


def queue_rows(results: list, scenario: Scenario, warmup: int) -> list[tuple[str, dict]]:
    """The day per queue that had calls, when more than one did (occupancy is the center's)."""
    found = [(q.name, stats.summary(results, warmup, None, q.name)) for q in scenario.queues]
    busy = [(name, figures) for name, figures in found if figures["offered"] and figures["offered"].mean > 0]
    return busy if len(busy) > 1 else []


def table(rows: list[tuple[str, dict, bool]], title: str, columns: tuple[str, ...] = COLUMNS) -> Table:
    """(label, figures, with their intervals) per row."""
    shown = Table(title=title)
    for name in ("start", *columns):
        shown.add_column(name, justify="left" if name == "start" else "right")
    for label, figures, with_intervals in rows:
        shown.add_row(label, *(_cell(n, figures[n], with_intervals) for n in columns))
    return shown


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _cell(name: str, value: stats.Estimate | None, with_interval: bool) -> str:
    if value is None:
        return "-"
    if name in SHARES:
        text = f"{value.mean:.1%}"
        return f"{text} ± {value.half:.1%}" if with_interval and value.n > 1 else text
    text = f"{value.mean:.1f}"
    return f"{text} ± {value.half:.1f}" if with_interval and value.n > 1 else text
