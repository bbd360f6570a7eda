"""A simulated day for a 50-agent center, timed, with the issue's "what if" questions.

    python bench/simulate.py [--replications 100] [--seed 1]

The seeds' day (acd/sim/arrivals.py seeds_day: ~2000 calls over 08:00-20:30 in 15-minute
intervals, peaks at 09-10 and 14-15), lognormal talk (mean 600 s, cv 1) plus 30 s wrap-up,
patience 300 s, 5 % VIPs; 34 first-line agents off-peak and 46 at the peaks, 4 second-line
agents who take first-line callers after 30 s: 38 seats off-peak, 50 at the peaks (the issue's
center: about 60 calls per agent and 12-hour shift). Each variant runs `--replications` days; the
day's figures with 95 % intervals and the run time are printed. Target: one day's
replications in under 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

from acd.sim import arrivals, center, stats

PEAKS = (4, 5, 6, 7, 24, 25, 26, 27)  # 09:00-10:00 and 14:00-15:00


def base() -> center.Knobs:
    agents = tuple(46 if i in PEAKS else 34 for i in range(50))
    return center.Knobs(
        calls=tuple(arrivals.seeds_day(2000.0)),
        agents=agents,
        aht=600.0,
        cv=1.0,
        wrapup=30.0,
        patience=300.0,
        second_line=(4,),
        overflow_after=30.0,
        vip_share=0.05,
    )


def variants() -> dict[str, center.Knobs]:
    day = base()
    more = tuple(a + 4 if 24 <= i < 28 else a for i, a in enumerate(day.agents))
    return {
        "plan": day,
        "overflow after 20 s": dataclasses.replace(day, overflow_after=20.0),
        "4 more agents 14:00-15:00": dataclasses.replace(day, agents=more),
        "callback offer after 60 s (30 %)": dataclasses.replace(day, callback_after=60.0, callback_share=0.3),
    }


def line(label: str, results: list, seconds: float) -> str:
    figures = stats.summary(results)
    shown = []
    for name in ("offered", "service_level", "abandon_rate", "asa", "occupancy"):
        value = figures[name]
        shown.append(f"{name} {value}" if value is not None else f"{name} -")
    return f"{label:34s} {seconds:6.2f} s  " + "  ".join(shown)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    for label, knobs in variants().items():
        scenario, feed = center.build(knobs)
        t0 = time.perf_counter()
        results = stats.replicate(scenario, feed, args.seed, args.replications)
        print(line(label, results, time.perf_counter() - t0))
    total = time.perf_counter() - started
    days = args.replications * len(variants())
    each = total / days * 1000
    print(f"{days} simulated days ({args.replications} per variant): {total:.2f} s, {each:.1f} ms a day")


if __name__ == "__main__":
    main()
