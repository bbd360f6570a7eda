"""Routing decision time: 1000 agents, 100 services of 3 lines (300 queues).

    python bench/routing.py [--decisions 20000]

Each decision takes a random queue, a random wait and position, and the live "free in"
times of busy agents (a third of them), and returns who may take the caller now and the
expected wait (acd/core/dispatch.py). Logins build the roster (tiers.memberships). Prints
p50/p99/p99.9 per decision and per login; asserts nothing. Target: p99 <= 10 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from acd.core.dispatch import Roster
from acd.core.tiers import Line


def lines(services: int) -> list[Line]:
    out = []
    for s in range(services):
        out += [Line(f"s{s}-1", 1, f"s{s}-2", 30), Line(f"s{s}-2", 2, f"s{s}-3", 60), Line(f"s{s}-3", 3)]
    return out


def figures(label: str, samples_ms: list[float]) -> str:
    data = sorted(samples_ms)
    pick = lambda q: data[min(len(data) - 1, int(q * len(data)))]
    return (
        f"{label}: n={len(data)} p50 {pick(0.5) * 1000:.1f} us, p99 {pick(0.99) * 1000:.1f} us, "
        f"p99.9 {pick(0.999) * 1000:.1f} us, mean {statistics.fmean(data) * 1000:.1f} us"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--decisions", type=int, default=20000)
    args = parser.parse_args()
    rng = random.Random(3)
    every = lines(args.services)
    roster = Roster(every)
    logins = []
    for a in range(args.agents):
        service, line = rng.randrange(args.services), rng.choice((1, 1, 1, 2, 2, 3))
        skills = [f"s{service}-{line}"] + [f"s{rng.randrange(args.services)}-1" for _ in range(2)]
        start = time.perf_counter()
        roster.log_in(f"a{a}", skills)
        logins.append((time.perf_counter() - start) * 1000)
    busy = {f"a{a}": rng.uniform(1, 300) for a in range(args.agents) if rng.random() < 0.33}
    queues = [line.queue for line in every]
    decisions = []
    for _ in range(args.decisions):
        queue, waited, position = rng.choice(queues), rng.uniform(0, 120), rng.randrange(1, 20)
        start = time.perf_counter()
        roster.decide(queue, waited, position, busy, 180.0)
        decisions.append((time.perf_counter() - start) * 1000)
    print(f"{args.agents} agents, {len(queues)} queues ({args.services} services x 3 lines)")
    print(figures("login (memberships)", logins))
    print(figures("routing decision", decisions))


if __name__ == "__main__":
    main()
